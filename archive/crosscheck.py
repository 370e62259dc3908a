"""The cross-check of a notice: every citation resolved once, every measure with suggested articles.

The notice page, the check page, `xuncha check` and the working-paper exports all render the one
CheckReport built here. Suggested articles come from an injected `Suggester` (the search index),
so this domain module does not depend on the indexer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .database import Archive
from .faults import governing, model_of
from .kinds import CitationStatus, DocType, RectStatus
# MeasureTopic and Suggestion are records (the store caches suggestions); the Suggester's types, imported from here
from .records import (CategoryRecord, CitationRecord, DocumentRecord, FigureRecord, MeasureRecord, MeasureTopic,
                      ProblemRecord, RegulationEntry, Suggestion)
from .mentions import as_mention
from .resolve import Catalog, Resolution, context_before

# the one label table of citation outcomes: pages, CLI and exports all use it
STATUS_LABELS: dict[CitationStatus, str] = {
    CitationStatus.RESOLVED: "已关联", CitationStatus.NOT_IN_ARCHIVE: "未收录", CitationStatus.AMBIGUOUS: "有歧义",
    CitationStatus.NOT_A_REGULATION: "非法规文件", CitationStatus.INTERNAL: "单位内部制度",
}


class NotANotice(ValueError):
    """The cross-check is for notices."""

    def __init__(self, doc: DocumentRecord) -> None:
        super().__init__(f"{doc.title} is a {doc.doc_type}, not a notice: the cross-check reads notices")
        self.doc_type = doc.doc_type


def _reg_json(reg: RegulationEntry) -> dict[str, Any]:
    return {"doc_id": reg.id, "title": reg.title, "version": reg.version}


@dataclass(frozen=True, slots=True)
class CitationCheck:
    """One 《…》 in a problem or measure, and where it leads."""

    title: str
    article: str | None
    problem: int | None
    measure: int | None
    problem_id: str | None
    measure_id: str | None
    resolution: Resolution

    @property
    def status(self) -> CitationStatus:
        return self.resolution.status

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.resolution.status]

    @property
    def regulation(self) -> RegulationEntry | None:
        return self.resolution.regulation

    @property
    def missing_article(self) -> bool:
        """Resolved to a regulation whose version has no such article."""
        return self.status == CitationStatus.RESOLVED and bool(self.article) and not self.resolution.article_label

    def to_json(self) -> dict[str, Any]:
        r = self.resolution
        return {"title": self.title, "article": self.article, "problem": self.problem, "measure": self.measure,
                "status": str(r.status), "reason": r.reason,
                "regulation": _reg_json(r.regulation) if r.regulation else None,
                "candidates": [_reg_json(c) for c in r.candidates], "article_id": r.article_id,
                "article_label": r.article_label, "confidence": r.confidence}


Suggester = Callable[[MeasureTopic, int], Sequence[Suggestion]]
NO_SUGGESTION = "未找到把握较大的对照条文"


@dataclass(frozen=True, slots=True)
class MeasureCheck:
    """One measure: its figures, how many citations it carries, and articles that match its topic."""

    problem: int
    measure: int
    problem_id: str
    measure_id: str
    problem_title: str
    category: str
    text: str
    cites: int
    figures: tuple[FigureRecord, ...]
    suggested: tuple[Suggestion, ...]
    status: RectStatus | None = None  # the problem's stated rectification status (issue 12)
    deadline: str | None = None
    fault_kind: str | None = None  # the kind of fault the measure rectifies (archive/faults.py)
    fault_similarity: float = 0.0  # cosine of the measure to that kind's centroid
    governing_rules: str = ""  # which body of rules governs that kind (archive/data/fault_kinds.json)
    asked: bool = False  # suggestions were asked for: an empty `suggested` is then an abstention

    @property
    def abstained(self) -> bool:
        """No article scored above the threshold: the page says so rather than showing weak matches."""
        return self.asked and not self.suggested

    @property
    def suggestion_note(self) -> str:
        return NO_SUGGESTION if self.abstained else ""

    def to_json(self) -> dict[str, Any]:
        return {"problem": self.problem, "measure": self.measure, "problem_title": self.problem_title,
                "category": self.category, "text": self.text, "cites": self.cites,
                "status": str(self.status) if self.status else None, "deadline": self.deadline,
                "figures": [f.to_json() for f in self.figures], "suggested": [s.to_json() for s in self.suggested],
                "fault_kind": self.fault_kind, "fault_similarity": self.fault_similarity,
                "governing_rules": self.governing_rules, "abstained": self.abstained,
                "suggestion_note": self.suggestion_note}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The inspector's working paper for one notice."""

    doc_id: str
    title: str
    published: str | None
    citations: tuple[CitationCheck, ...] = ()
    measures: tuple[MeasureCheck, ...] = ()

    def in_unit(self, unit_id: str) -> tuple[CitationCheck, ...]:
        """The citations of one measure (by its id), or those of a problem outside its measures (by its id)."""
        return tuple(c for c in self.citations if c.measure_id == unit_id
                     or (c.measure_id is None and c.problem_id == unit_id))

    def counts(self) -> dict[CitationStatus, int]:
        tally = Counter(c.status for c in self.citations)
        return {s: tally.get(s, 0) for s in CitationStatus}

    def to_json(self) -> dict[str, Any]:
        """The documented JSON of `xuncha check --json` and /api/doc/<id>/check."""
        return {"doc_id": self.doc_id, "title": self.title, "published": self.published,
                "citations": [c.to_json() for c in self.citations], "measures": [m.to_json() for m in self.measures]}


def check_notice(archive: Archive, doc: DocumentRecord, suggest: Suggester | None = None,
                 limit: int = 3) -> CheckReport:
    """Resolve every citation of a notice for its date; suggest up to `limit` articles per measure."""
    if doc.doc_type != DocType.NOTICE:
        raise NotANotice(doc)
    catalog = Catalog.of(archive)
    on_date, own = doc.on_date, doc.own_units
    tree = archive.notice_tree(doc.id)
    number: dict[str, int] = {}
    text_of: dict[str, str] = {}
    for cat in tree:
        for p in (u for top in cat.problems for u in top.with_units()):
            number[p.id], text_of[p.id] = p.number, p.text
            for m in p.measures:
                number[m.id], text_of[m.id] = m.number, m.text
    cache: dict[tuple[str, str | None, str], Resolution] = {}

    def resolve(c: CitationRecord) -> Resolution:
        # the words just before the 《 in the unit's own text tell a unit's own rules (制定《…制度》)
        unit = c.measure_id or c.problem_id or ""
        ctx = context_before(text_of.get(unit, doc.text), c.title)
        key = (c.title, c.article, ctx)
        if key not in cache:
            cache[key] = as_mention(catalog.resolve(c.title, c.article, on_date, ctx, own), c.title)
        return cache[key]

    citations = tuple(
        CitationCheck(c.title, c.article, number.get(c.problem_id or ""),
                      number.get(c.measure_id) if c.measure_id else None, c.problem_id, c.measure_id, resolve(c))
        for c in archive.citations(doc.id) if c.problem_id is not None)
    cite_counts = Counter(c.measure_id for c in citations if c.measure_id)
    measures = []
    model = model_of(archive)
    for cat, prob, m, topic in measure_topics(doc, tree):
        asked = bool(suggest and limit)
        hits = tuple(suggest(topic, limit)) if suggest and limit else ()
        guess = model.classify(topic)
        gov = governing(guess.kind)
        measures.append(MeasureCheck(prob.number, m.number, prob.id, m.id, prob.title, cat.title, m.text,
                                     cite_counts.get(m.id, 0), m.figures, hits, prob.status, prob.deadline,
                                     guess.kind, guess.similarity, gov.describe() if gov else "", asked))
    return CheckReport(doc.id, doc.title, on_date, citations, tuple(measures))


def measure_topics(doc: DocumentRecord, tree: Sequence[CategoryRecord]
                   ) -> Iterator[tuple[CategoryRecord, ProblemRecord, MeasureRecord, MeasureTopic]]:
    """Every measure of a notice (sub-problems' too) with what it is about. The one place a topic is built:
    suggestions kept by topic (indexer/checks.py) must be found again by the check."""
    for cat in tree:
        for prob in (u for top in cat.problems for u in top.with_units()):
            for m in prob.measures:
                cited = tuple(dict.fromkeys(c.title for c in (*prob.citations, *m.citations)))
                yield cat, prob, m, MeasureTopic(m.text, prob.title, cat.title, cited, doc.on_date,
                                                 doc.publisher or "")


class Only:
    """The working paper's row filters."""

    ALL, UNRESOLVED, UNCITED = "", "unresolved", "uncited"
    CHOICES = (ALL, UNRESOLVED, UNCITED)


@dataclass(frozen=True, slots=True)
class PaperRow:
    """A row of the working paper: one citation of a measure, or a measure citing nothing."""

    measure: MeasureCheck
    citation: CitationCheck | None

    @property
    def cited(self) -> bool:
        return self.citation is not None


def paper_rows(report: CheckReport, only: str = Only.ALL) -> list[PaperRow]:
    """The working paper (整改核查表): a row per citation, and one per measure citing nothing."""
    rows: list[PaperRow] = []
    for m in report.measures:
        cites = [c for c in report.citations if c.measure_id == m.measure_id]
        rows.extend(PaperRow(m, c) for c in cites)
        if not cites:
            rows.append(PaperRow(m, None))
    if only == Only.UNRESOLVED:
        return [r for r in rows if r.citation is not None and r.citation.status != CitationStatus.RESOLVED]
    if only == Only.UNCITED:
        return [r for r in rows if not r.cited]
    return rows


PAPER_COLUMNS = ("类别", "问题编号", "问题", "措施编号", "整改措施", "数据", "引用文件", "条款", "核查结果", "关联法规",
                 "版本", "说明", "建议对照条文", "整改状态", "整改时限")
RECT_LABELS = {RectStatus.DONE: "已完成", RectStatus.IN_PROGRESS: "正在整改", RectStatus.NOT_DONE: "未完成",
               RectStatus.ONGOING: "长期坚持"}


def paper_table(rows: list[PaperRow]) -> list[list[str]]:
    """Rows as plain cells in PAPER_COLUMNS order (CSV and XLSX share this)."""
    out = []
    for r in rows:
        m, c = r.measure, r.citation
        reg = c.regulation if c else None
        suggested = "；".join(f"{s.doc_title} {s.article or ''}".strip() for s in m.suggested)
        out.append([m.category, str(m.problem), m.problem_title, str(m.measure), m.text,
                    "、".join(f.text for f in m.figures), f"《{c.title}》" if c else "（未引用）",
                    (c.resolution.article_label or c.article or "") if c else "",
                    c.label if c else "未引用法规", reg.title if reg else "", (reg.version or "") if reg else "",
                    c.resolution.reason if c else "", suggested,
                    RECT_LABELS[m.status] if m.status else "", m.deadline or ""])
    return out
