"""The cross-check report: every citation of a notice resolved, every measure with suggested articles."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.records import notice_categories
from archive.resolve import Catalog, context_before
from indexer.search import SearchService

STATUS_LABELS = {"resolved": "已关联", "not_in_archive": "未收录", "ambiguous": "有歧义",
                 "not_a_regulation": "非法规文件", "internal": "单位内部制度"}


@dataclass(frozen=True, slots=True)
class CitationCheck:
    """One 《…》 in a problem or measure, and where it leads."""

    title: str
    article: str | None
    problem: int | None
    measure: int | None
    status: str
    reason: str
    regulation: dict[str, Any] | None
    article_id: str | None
    article_label: str | None
    confidence: float
    candidates: list[dict[str, Any]]
    problem_id: str | None = None
    measure_id: str | None = None


@dataclass(frozen=True, slots=True)
class MeasureCheck:
    """One measure: its figures, how many citations it carries, and articles that match its wording."""

    problem: int
    measure: int
    problem_id: str
    measure_id: str
    problem_title: str
    category: str
    text: str
    cites: int
    figures: list[dict[str, Any]]
    suggested: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The inspector's working paper for one notice."""

    doc_id: str
    title: str
    published: str | None
    citations: list[CitationCheck] = field(default_factory=list)
    measures: list[MeasureCheck] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON of `xuncha check --json` and /api/doc/<id>/check."""
        cits = []
        for c in self.citations:
            d = asdict(c)
            cits.append({k: d[k] for k in ("title", "article", "problem", "measure", "status", "reason", "regulation",
                                           "candidates", "article_id", "article_label", "confidence")})
        meas = [{k: v for k, v in asdict(m).items() if k not in ("problem_id", "measure_id")} for m in self.measures]
        return {"doc_id": self.doc_id, "title": self.title, "published": self.published, "citations": cits,
                "measures": meas}


class NotANotice(ValueError):
    """The cross-check is for notices."""


def build_report(conn: sqlite3.Connection, service: SearchService | None, doc_id: str,
                 suggest: int = 3) -> CheckReport:
    """Resolve every citation of a notice and suggest articles for each measure (service None: no suggestions)."""
    doc = conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if doc is None:
        raise KeyError(doc_id)
    if doc["doc_type"] != "notice":
        raise NotANotice(f"{doc['title']} is a {doc['doc_type']}, not a notice: the cross-check reads notices")
    header = json.loads(doc["header_json"] or "{}")
    own = tuple(x for x in (doc["publisher"], header.get("inspected_unit")) if x)
    on_date = doc["published"] or header.get("feedback_date")
    catalog = Catalog.load(conn)
    categories = notice_categories(conn, doc_id)
    problems = [(cat, p) for cat in categories for p in cat["problems"]]
    number = {p["id"]: p["number"] for _, p in problems}  # problem and measure ids → their numbers
    number.update((m["id"], m["number"]) for _, p in problems for m in p["measures"])
    report = CheckReport(doc_id=doc_id, title=doc["title"], published=on_date)
    text = doc["text"]
    for c in conn.execute("SELECT * FROM citations WHERE doc_id = ? AND problem_id IS NOT NULL ORDER BY id", (doc_id,)):
        r = catalog.resolve(c["title"], c["article"], on_date, context_before(text, c["title"]), own, conn=conn)
        report.citations.append(CitationCheck(
            title=c["title"], article=c["article"], problem=number.get(c["problem_id"]),
            measure=number.get(c["measure_id"]) if c["measure_id"] else None, status=r.status, reason=r.reason,
            regulation=r.regulation, article_id=r.article_id, article_label=r.article_label,
            confidence=r.confidence, candidates=list(r.candidates), problem_id=c["problem_id"],
            measure_id=c["measure_id"]))
    cite_counts = Counter(c.measure_id for c in report.citations if c.measure_id)
    for cat, prob in problems:
        for m in prob["measures"]:
            hits = service.suggest_articles(m["text"], limit=suggest) if service and suggest else ()
            report.measures.append(MeasureCheck(
                problem=prob["number"], measure=m["number"], problem_id=prob["id"], measure_id=m["id"],
                problem_title=prob["title"], category=cat["title"], text=m["text"],
                cites=cite_counts.get(m["id"], 0), figures=m["figures"],
                suggested=[{"doc_id": h.doc_id, "doc_title": h.doc_title, "article": h.article, "score": h.score,
                            "snippet": h.snippet, "version": h.version, "article_id": h.id} for h in hits]))
    return report


PAPER_COLUMNS = ("类别", "问题编号", "问题", "措施编号", "整改措施", "数据", "引用文件", "条款", "核查结果", "关联法规",
                 "版本", "说明", "建议对照条文")


def paper_rows(report: CheckReport, only: str = "") -> list[dict[str, Any]]:
    """The working paper (整改核查表): a row per citation, and one per measure citing nothing.

    only: "" for every row, "unresolved" for citations that did not resolve, "uncited" for measures citing nothing.
    """
    by_measure: dict[str | None, list[CitationCheck]] = {}
    for c in report.citations:
        by_measure.setdefault(c.measure_id, []).append(c)
    rows: list[dict[str, Any]] = []
    for m in report.measures:
        base = {"category": m.category, "problem": m.problem, "problem_title": m.problem_title, "measure": m.measure,
                "text": m.text, "figures": "、".join(f["text"] for f in m.figures), "problem_id": m.problem_id,
                "measure_id": m.measure_id,
                "suggested": "；".join(f"{s['doc_title']} {s['article'] or ''}".strip() for s in m.suggested),
                "suggested_list": m.suggested}
        cites = by_measure.get(m.measure_id, [])
        for c in cites:
            rows.append({**base, "citation": c, "cited": True})
        if not cites:
            rows.append({**base, "citation": None, "cited": False})
    if only == "unresolved":
        return [r for r in rows if r["citation"] is not None and r["citation"].status != "resolved"]
    if only == "uncited":
        return [r for r in rows if not r["cited"]]
    return rows


def paper_table(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Rows as plain cells in PAPER_COLUMNS order (CSV and XLSX share this)."""
    out = []
    for r in rows:
        c: CitationCheck | None = r["citation"]
        reg = c.regulation if c else None
        out.append([r["category"], str(r["problem"]), r["problem_title"], str(r["measure"]), r["text"], r["figures"],
                    f"《{c.title}》" if c else "（未引用）", (c.article_label or c.article or "") if c else "",
                    STATUS_LABELS[c.status] if c else "未引用法规", reg["title"] if reg else "",
                    (reg["version"] or "") if reg else "", c.reason if c else "", r["suggested"]])
    return out
