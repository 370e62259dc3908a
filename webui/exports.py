"""Exports and saved searches: a result list as /export.csv and /export.xlsx (the search page's parameters,
at most `export_max_rows` rows), a notice's rectification ledger /doc/<id>/ledger.xlsx, and named searches
a signed-in operator keeps (listed on the home page)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, g, redirect, request, url_for
from werkzeug.exceptions import BadRequest

from archive import accounts
from archive.crosscheck import NotANotice, check_notice
from indexer.backend import NoIndex
from indexer.search import Hit, SearchError

from .context import get_archive, load_document, search_service, settings
from .auth import operator_required
from .check import verdict_text, verdicts_by_measure  # inspectors' verdicts (issue 33)
from .labels import DOC_TYPES, KIND_LABELS, RECTIFICATION
from .params import BadParam, parse_search_args
from .search import hit_url

bp = Blueprint("exports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 100  # the search API's largest page
HIT_COLUMNS = ("序号", "粒度", "标题", "所在文件", "文件类型", "条款", "问题编号", "措施编号", "问题类别", "日期",
               "发布单位", "版本", "效力状态", "摘要", "相关度", "链接")
HIT_WIDTHS = (6, 8, 40, 36, 10, 10, 8, 8, 24, 12, 24, 12, 10, 60, 8, 50)
LEDGER_COLUMNS = ("序号", "问题类别", "问题编号", "问题", "措施编号", "整改措施", "引用法规及条款", "引用核查", "数据",
                  "整改状态", "检查人员意见")
LEDGER_WIDTHS = (6, 18, 8, 34, 8, 60, 30, 16, 20, 12, 36)
_TAG = re.compile(r"<[^>]+>")


def _hits() -> Iterator[Hit]:
    """The hits of the search the page shows, from the first, up to the row limit."""
    params = parse_search_args(request.args, settings().per_page)
    if not params.q:
        raise BadRequest(description="导出需要检索词（参数 q）：请先检索，再点击“导出”。")
    svc, limit, page, n = search_service(), settings().export_max_rows, 1, 0
    while n < limit:
        try:
            results = svc.search(params.q, params.service_filters(), page=page, per_page=PAGE, sort=params.sort,
                                 kind=params.kind or None)
        except SearchError as exc:
            raise BadParam(exc) from exc
        except NoIndex:
            abort(503, description="no search index yet")
        for hit in results.hits[: limit - n]:
            n += 1
            yield hit
        if page >= results.pages or not results.hits:
            return
        page += 1


def _row(i: int, h: Hit, q: str) -> list[Any]:
    title = h.title or h.doc_title
    return [i, KIND_LABELS.get(h.kind, h.kind), title, h.doc_title, DOC_TYPES.get(h.doc_type, h.doc_type),
            h.article or "", h.problem or "", h.measure or "", h.category or "", h.published or "", h.publisher or "",
            h.version or "", h.status or "", html.unescape(_TAG.sub("", h.snippet)), h.score,
            request.host_url.rstrip("/") + hit_url(h, q)]


def _disposition(stem: str, ext: str, ascii_stem: str) -> str:
    return f"attachment; filename=\"{ascii_stem}.{ext}\"; filename*=UTF-8''{quote(f'{stem}.{ext}')}"


@bp.get("/export.csv")
def export_csv() -> Response:
    """The result list as CSV, UTF-8 with a BOM (Excel then reads the Chinese)."""
    q = request.args.get("q", "")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HIT_COLUMNS)
    for i, h in enumerate(_hits(), 1):
        writer.writerow(_row(i, h, q))
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _disposition(f"检索结果-{q[:40]}", "csv", "results")})


def _sheet(title: str, heading: str, columns: tuple[str, ...], widths: tuple[int, ...], rows: list[list[Any]]):  # type: ignore[no-untyped-def]
    """A workbook formatted for printing: a title row, a bold frozen header repeated on every page, wrapped
    cells, column widths, landscape A4 fitted to the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(columns))
    thin = Side(style="thin", color="999999")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF4")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in rows:
        ws.append(row)
    for r in ws.iter_rows(min_row=3):
        for cell in r:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@bp.get("/export.xlsx")
def export_xlsx() -> Response:
    """The result list as an XLSX workbook."""
    q = request.args.get("q", "")
    rows = [_row(i, h, q) for i, h in enumerate(_hits(), 1)]
    data = _sheet("检索结果", f"检索结果：{q}（{len(rows)} 条）", HIT_COLUMNS, HIT_WIDTHS, rows)
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": _disposition(f"检索结果-{q[:40]}", "xlsx",
                                                                                      "results")})


def ledger_rows(doc_id: str) -> tuple[str, list[list[Any]]]:
    """The notice's title and one ledger row per measure (citations resolved as the cross-check does)."""
    archive = get_archive()
    doc = load_document(doc_id)
    try:
        report = check_notice(archive, doc)
    except NotANotice:
        abort(400, description="整改台账只适用于整改通报：这份文件不是通报。")
    verdicts = verdicts_by_measure(doc.id)
    cites: dict[str, list[Any]] = {}
    for c in report.citations:
        cites.setdefault(c.measure_id or c.problem_id or "", []).append(c)
    rows = []
    for i, m in enumerate(report.measures, 1):
        mc = cites.get(m.measure_id, [])
        rows.append([i, m.category, m.problem, m.problem_title, m.measure, m.text,
                     "\n".join(f"《{c.title}》{c.article or ''}" for c in mc),
                     "\n".join(c.label for c in mc) or "未引用法规",
                     "、".join(f.text for f in m.figures),
                     RECTIFICATION.get(m.status or "", "") + (f"（{m.deadline}前）" if m.deadline else ""),
                     verdict_text(verdicts.get(m.measure_id, []))])
    return report.title, rows


@bp.get("/doc/<doc_id>/ledger.xlsx")
def ledger(doc_id: str) -> Response:
    """The rectification ledger (整改台账): one row per measure, formatted for printing."""
    title, rows = ledger_rows(doc_id)
    data = _sheet("整改台账", f"{title} · 整改台账", LEDGER_COLUMNS, LEDGER_WIDTHS, rows)
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": _disposition(f"整改台账-{title}", "xlsx",
                                                                                      f"ledger-{doc_id}")})


def export_links() -> dict[str, str]:
    """The export buttons' URLs for the search on screen (page and per_page dropped: exports start at 1)."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    return {"csv": url_for("exports.export_csv", **args), "xlsx": url_for("exports.export_xlsx", **args),
            "query": urlencode(args)}


def my_saved() -> tuple[accounts.SavedSearch, ...]:
    user = g.get("user")
    return accounts.saved_searches(get_archive(), user.id) if user else ()


@bp.post("/saved")
@operator_required
def save() -> Any:
    query = request.form.get("query", "")
    args = parse_search_args(_query_args(query))
    if not args.q:
        raise BadRequest(description="保存检索需要检索词（参数 query 中的 q）。")
    query = urlencode({k: v for k, v in _query_args(query).items() if k not in ("page",)})
    try:
        accounts.save_search(get_archive(), g.user.id, request.form.get("name", "") or args.q, query)
    except accounts.AccountError as exc:
        raise BadRequest(description=f"保存检索需要名称和检索词（参数 {exc.param}）。") from exc
    return redirect(url_for("search.index", **_query_args(query)), code=303)


def _query_args(query: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(query, keep_blank_values=False))


def saved_url(s: accounts.SavedSearch) -> str:
    return url_for("search.index", **_query_args(s.query))


@bp.post("/saved/<int:search_id>/delete")
@operator_required
def delete(search_id: int) -> Any:
    accounts.delete_saved_search(get_archive(), g.user.id, search_id)
    return redirect(url_for("search.index"), code=303)
