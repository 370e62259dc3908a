"""The cross-check page of a notice (/doc/<id>/check) and its working paper as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from archive.crosscheck import PAPER_COLUMNS, STATUS_LABELS, CheckReport, NotANotice, check_notice, paper_rows, \
    paper_table
from archive.records import DocumentRecord
from indexer.build import NoIndex

from . import get_archive, load_document, search_service

bp = Blueprint("check", __name__)
ONLY = {"": "全部", "unresolved": "仅未关联的引用", "uncited": "仅未引用法规的措施"}
_CACHE_SIZE = 32
SUGGEST = 3


def report_for(doc: DocumentRecord, suggest: int = SUGGEST) -> CheckReport:
    """The cross-check of a notice, cached per document version and index generation (suggestions cost ~1 s).

    suggest=0 resolves the citations only (what the notice page shows), without asking the index.
    """
    service = search_service() if suggest else None
    generation = "none"
    if service is not None:
        try:
            generation = service.version()
        except NoIndex:  # no index yet: the report still resolves citations, only without suggestions
            service = None
    cache: dict[tuple[str, str, str, int], CheckReport] = current_app.extensions.setdefault("xuncha.check", {})
    key = (doc.id, doc.sha256, generation, suggest if service else 0)
    if key not in cache:
        suggester = service.suggest_articles if service else None
        cache[key] = check_notice(get_archive(), doc, suggester, suggest)
        if len(cache) > _CACHE_SIZE:
            cache.pop(next(iter(cache)))
    return cache[key]


def _report(doc_id: str) -> CheckReport:
    try:
        return report_for(load_document(doc_id))
    except NotANotice:
        abort(400, description="核查表只适用于整改通报：这份文件不是通报。")


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
    uncited = sum(1 for m in report.measures if not m.cites)
    return render_template("check.html", report=report, rows=rows, only=only, ONLY=ONLY, counts=report.counts(),
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
    name = f"整改核查表-{report.title}.{ext}"
    return f"attachment; filename=\"check-{report.doc_id}.{ext}\"; filename*=UTF-8''{quote(name)}"
