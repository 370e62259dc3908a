"""The cross-check page of a notice (/doc/<id>/check) and its working paper as CSV and XLSX; inspectors'
verdicts on suggested (or self-chosen) articles (POST /doc/<id>/check/verdict) and the article lookup behind
search-as-you-type (/api/articles?q=)."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, ServiceUnavailable

from archive.crosscheck import PAPER_COLUMNS, STATUS_LABELS, CheckReport, NotANotice, PaperRow, check_notice, \
    paper_rows, paper_table
from archive import store
from archive.kinds import Grain, Verdict
from archive.records import DocumentRecord, VerdictRecord
from indexer.backend import NoIndex
from indexer.search import SearchError

from .context import get_archive, load_document, search_service
from .auth import operator_required
from .glance import SHOW, Glance, glance

VERDICT_COLUMN = "检查人员意见"
WITHDRAW = "撤销"  # the verdict form's value that takes a mark back

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


def _show() -> str:
    show = request.args.get("show", "")
    if show not in SHOW:
        abort(400, description=f"参数 show 只能是 {'、'.join(k for k in SHOW if k)}（收到 {show[:40]!r}）")
    return show


def verdicts_by_measure(doc_id: str) -> dict[str, list[VerdictRecord]]:
    """A notice's verdicts grouped by measure id (the check page, the working paper, the ledger)."""
    out: dict[str, list[VerdictRecord]] = {}
    for v in get_archive().verdicts(doc_id):
        out.setdefault(v.measure_id, []).append(v)
    return out


@bp.get("/doc/<doc_id>/check")
def page(doc_id: str) -> str:
    """The cross-check table: problems → measures → citations → suggested articles, the counts at a glance
    with a filter for each (?show=found|none|abstained), and the inspectors' verdicts."""
    report = _report(doc_id)
    only, show = _only(), _show()
    at_a_glance = glance(report)
    rows = shown_rows(report, only, show, at_a_glance)
    uncited = sum(1 for m in report.measures if not m.cites)
    verdicts = verdicts_by_measure(report.doc_id)
    user = g.get("user")
    mine = {(v.measure_id, v.article_id): v.verdict for vs in verdicts.values() for v in vs
            if user is not None and v.user == user.name}
    return render_template("check.html", report=report, rows=rows, only=only, ONLY=ONLY, counts=report.counts(),
                           uncited=uncited, STATUS_LABELS=STATUS_LABELS, glance=at_a_glance, show=show, SHOW=SHOW,
                           verdicts=verdicts, mine=mine, VERDICTS=tuple(Verdict), added_articles=added_articles)


def shown_rows(report: CheckReport, only: str, show: str, at_a_glance: Glance) -> list[PaperRow]:
    """The working paper's rows under the page's two filters, only= (citations) and show= (the glance)."""
    return [r for r in paper_rows(report, only) if at_a_glance.shows(r.measure.measure_id, show)]


def added_articles(m: Any, verdicts: list[VerdictRecord]) -> list[VerdictRecord]:
    """The articles inspectors added to a measure that the engine did not suggest, each once."""
    suggested = {s.article_id for s in m.suggested}
    seen: dict[str, VerdictRecord] = {}
    for v in verdicts:
        if v.added and v.article_id not in suggested:
            seen.setdefault(v.article_id, v)
    return list(seen.values())


@bp.post("/doc/<doc_id>/check/verdict")
@operator_required
def verdict(doc_id: str) -> Response:
    """Mark an article 适用 / 不适用 for a measure (a second mark replaces the first); verdict=撤销 withdraws it.

    Form fields: measure_id, article_id, verdict, added=1 for an article the inspector chose; show and only
    are carried back to the page."""
    doc = load_document(doc_id)
    try:
        report = report_for(doc, suggest=0)
    except NotANotice:
        abort(400, description="核查表只适用于整改通报：这份文件不是通报。")
    form = request.form
    measure_id, article_id, raw = form.get("measure_id", ""), form.get("article_id", ""), form.get("verdict", "")
    if measure_id not in {m.measure_id for m in report.measures}:
        raise BadRequest(description=f"参数 measure_id：这份通报没有措施 {measure_id[:60]!r}。")
    archive = get_archive()
    if archive.article_by_id(article_id) is None:
        raise BadRequest(description=f"参数 article_id：档案中没有条文 {article_id[:60]!r}，请从搜索结果中选择。")
    if raw != WITHDRAW and raw not in set(Verdict):
        raise BadRequest(description=f"参数 verdict 只能是 适用、不适用 或 {WITHDRAW}（收到 {raw[:20]!r}）。")
    with archive.transaction() as conn:
        if raw == WITHDRAW:
            store.delete_verdict(conn, g.user.name, doc.id, measure_id, article_id)
        else:
            store.put_verdict(conn, g.user.name, doc.id, measure_id, article_id, raw, form.get("added") == "1")
    back = url_for("check.page", doc_id=doc.id, only=_arg(form, "only", ONLY), show=_arg(form, "show", SHOW))
    return redirect(f"{back}#v-{measure_id}", code=303)


def _arg(form: Any, name: str, allowed: Any) -> str | None:
    value = form.get(name, "")
    return value if value and value in allowed else None


@bp.get("/api/articles")
def articles() -> Any:
    """Articles matching q (search-as-you-type on the check page): [{article_id, doc_id, doc_title, article,
    version, snippet}], at most `limit` (1–20, default 8)."""
    q = request.args.get("q", "").strip()
    try:
        limit = int(request.args.get("limit", "8"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 20:
        raise BadRequest(description="limit: an integer from 1 to 20")
    if not q:
        return jsonify(q=q, articles=[])
    try:
        results = search_service().search(q[:200], {}, page=1, per_page=limit,
                                          kind=str(Grain.ARTICLE))
    except SearchError as exc:
        raise BadRequest(description=str(exc)) from exc
    except NoIndex as exc:
        raise ServiceUnavailable(description=str(exc)) from exc
    return jsonify(q=q, articles=[{"article_id": h.id, "doc_id": h.doc_id, "doc_title": h.doc_title,
                                   "article": h.article, "version": h.version, "snippet": h.snippet}
                                  for h in results.hits])


@bp.get("/doc/<doc_id>/check.csv")
def csv_export(doc_id: str) -> Response:
    """The working paper as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    report = _report(doc_id)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(WORKING_COLUMNS)
    writer.writerows(working_table(report, _only(), _show()))
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
    ws.append(list(WORKING_COLUMNS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in working_table(report, _only(), _show()):
        ws.append(row)
    widths = (14, 8, 30, 8, 60, 18, 30, 10, 12, 30, 12, 30, 40, 10, 10, 40)
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


# the working paper: crosscheck's columns, then the inspectors' verdicts on the measure's articles
WORKING_COLUMNS = (*PAPER_COLUMNS, VERDICT_COLUMN)


def verdict_text(verdicts: list[VerdictRecord]) -> str:
    """One cell listing a measure's verdicts: 用户：法规 条文 适用（自选）；…"""
    return "；".join(f"{v.user}：{v.doc_title} {v.article}".rstrip() + f" {v.verdict}" + ("（自选）" if v.added else "")
                    for v in verdicts)


def working_table(report: CheckReport, only: str, show: str) -> list[list[str]]:
    """The working paper's rows (the page's filters only= and show=) with each measure's verdicts."""
    verdicts = verdicts_by_measure(report.doc_id)
    rows = shown_rows(report, only, show, glance(report))
    return [[*cells, verdict_text(verdicts.get(r.measure.measure_id, []))]
            for r, cells in zip(rows, paper_table(rows))]


def _attachment(report: CheckReport, ext: str) -> str:
    name = f"整改核查表-{report.title}.{ext}"
    return f"attachment; filename=\"check-{report.doc_id}.{ext}\"; filename*=UTF-8''{quote(name)}"
