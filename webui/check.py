"""The cross-check page of a notice (/doc/<id>/check) and its working paper as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from archive import records
from indexer.build import NoIndex
from indexer.search import SearchService
from xuncha.check import PAPER_COLUMNS, STATUS_LABELS, CheckReport, NotANotice, build_report, paper_rows, paper_table

from . import get_db, not_found, search_service

bp = Blueprint("check", __name__)
ONLY = {"": "全部", "unresolved": "仅未关联的引用", "uncited": "仅未引用法规的措施"}
_CACHE_SIZE = 32


def _report(doc_id: str) -> CheckReport:
    """The report for a notice, cached per document version and index generation (suggestions cost ~1 s)."""
    conn = get_db()
    row = records.find_document(conn, doc_id)
    if row is None:
        raise not_found(f"no document {doc_id}", "档案中没有这份文件。")
    service: SearchService | None = search_service()
    try:
        generation = service.version() if service else ""
    except NoIndex:  # no index yet: the report still resolves citations, only without suggestions
        service, generation = None, "none"
    cache: dict[tuple[str, str, str], CheckReport] = current_app.extensions.setdefault("xuncha.check", {})
    key = (row["id"], row["sha256"], generation)
    if key not in cache:
        try:
            cache[key] = build_report(conn, service, row["id"])
        except NotANotice:
            abort(400, description="核查表只适用于整改通报：这份文件不是通报。")
        if len(cache) > _CACHE_SIZE:
            cache.pop(next(iter(cache)))
    return cache[key]


def _only() -> str:
    only = request.args.get("only", "")
    if only not in ONLY:
        abort(400, description=f"参数 only 只能是 {'、'.join(k for k in ONLY if k)}（收到 {only[:40]!r}）")
    return only


@bp.get("/doc/<doc_id>/check")
def page(doc_id: str) -> str:
    """The cross-check table: problems → measures → citations → suggested articles."""
    report = _report(doc_id)
    only = _only()
    rows = paper_rows(report, only)
    counts = {s: sum(1 for c in report.citations if c.status == s) for s in STATUS_LABELS}
    uncited = sum(1 for m in report.measures if not m.cites)
    return render_template("check.html", report=report, rows=rows, only=only, ONLY=ONLY, counts=counts,
                           uncited=uncited, STATUS_LABELS=STATUS_LABELS)


@bp.get("/doc/<doc_id>/check.csv")
def csv_export(doc_id: str) -> Response:
    """The working paper as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    report = _report(doc_id)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(PAPER_COLUMNS)
    writer.writerows(paper_table(paper_rows(report, _only())))
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _attachment(report, "csv")})


@bp.get("/doc/<doc_id>/check.xlsx")
def xlsx_export(doc_id: str) -> Response:
    """The working paper as an XLSX workbook (整改核查表)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    report = _report(doc_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改核查表"
    ws.append([report.title])
    ws.append([f"发布日期：{report.published or '不明'}"])
    ws.append(list(PAPER_COLUMNS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in paper_table(paper_rows(report, _only())):
        ws.append(row)
    widths = (14, 8, 30, 8, 60, 18, 30, 10, 12, 30, 12, 30, 40)
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": _attachment(report, "xlsx")})


@bp.get("/api/doc/<doc_id>/check")
def api(doc_id: str) -> Any:
    """The JSON of `xuncha check --json`."""
    return jsonify(_report(doc_id).to_json())


def _attachment(report: CheckReport, ext: str) -> str:
    from urllib.parse import quote

    name = f"整改核查表-{report.title}.{ext}"
    return f"attachment; filename=\"check-{report.doc_id}.{ext}\"; filename*=UTF-8''{quote(name)}"
