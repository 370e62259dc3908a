"""Records read back from the store: frozen, slotted dataclasses, each with the JSON of `xuncha show --json`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .kinds import DocType, RectStatus, Verdict
from .models import NoticeHeader, Progress


@dataclass(frozen=True, slots=True)
class CitationRecord:
    """One stored 《…》 citation and the unit it sits in (problem_id/measure_id None: the notice as a whole)."""

    title: str
    article: str | None
    article_number: int | None = None
    problem_id: str | None = None
    measure_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "article": self.article}


@dataclass(frozen=True, slots=True)
class FigureRecord:
    """A stored date, amount, count or share."""

    kind: str
    text: str
    value: str
    unit: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "value": self.value, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class MeasureRecord:
    """One measure of a problem."""

    id: str
    number: int
    text: str
    citations: tuple[CitationRecord, ...] = ()
    figures: tuple[FigureRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "text": self.text,
                "citations": [c.to_json() for c in self.citations], "figures": [f.to_json() for f in self.figures]}


@dataclass(frozen=True, slots=True)
class ProblemRecord:
    """A numbered problem with its measures; `citations` includes its measures' citations, as the JSON has it."""

    id: str
    number: int
    title: str
    text: str
    citations: tuple[CitationRecord, ...] = ()
    figures: tuple[FigureRecord, ...] = ()
    measures: tuple[MeasureRecord, ...] = ()
    status: RectStatus | None = None  # the rectification status the notice states (None: not stated)
    deadline: str | None = None  # ISO date or month of a stated 前完成 date
    responsible: str | None = None  # a ledger's 责任领导 / 责任单位
    parent_id: str | None = None  # a sub-problem's numbered problem
    subproblems: tuple[ProblemRecord, ...] = ()

    def with_units(self) -> tuple[ProblemRecord, ...]:
        """This problem and its sub-problems, in reading order (the problem grain holds each)."""
        return (self, *(u for s in self.subproblems for u in s.with_units()))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title": self.title, "text": self.text,
                "status": str(self.status) if self.status else None, "deadline": self.deadline,
                "responsible": self.responsible,
                "citations": [c.to_json() for c in self.citations], "figures": [f.to_json() for f in self.figures],
                "measures": [m.to_json() for m in self.measures],
                "subproblems": [p.to_json() for p in self.subproblems]}


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    """A problem category of a notice (number 0: problems a section lists without one)."""

    id: str
    number: int
    title: str
    section: int
    section_title: str
    text: str = ""
    problems: tuple[ProblemRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title": self.title, "section": self.section,
                "section_title": self.section_title, "text": self.text,
                "problems": [p.to_json() for p in self.problems]}


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One 第…条 of a regulation version."""

    id: str
    doc_id: str
    number: int
    label: str
    text: str
    chapter: str | None = None
    section: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "label": self.label, "chapter": self.chapter,
                "section": self.section, "text": self.text}


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document's own row: what it is, where it came from, its dates and its text."""

    id: str
    doc_type: DocType
    title: str
    source_path: str
    resolved_path: str
    sha256: str
    suffix: str
    method: str
    text: str
    short_title: str | None = None
    publisher: str | None = None
    published: str | None = None
    version: str | None = None
    category: str | None = None
    region: str | None = None
    header: NoticeHeader = field(default_factory=NoticeHeader)
    sections: tuple[tuple[int, str], ...] = ()
    issuer: str | None = None
    promulgated: str | None = None
    effective: str | None = None
    preamble: str | None = None
    progress: Progress = field(default_factory=Progress)  # a notice's stated summary figures

    @property
    def on_date(self) -> str | None:
        """The date a notice speaks for (its publication, else the feedback date)."""
        return self.published or self.header.feedback_date

    @property
    def own_units(self) -> tuple[str, ...]:
        """The names a notice's own unit goes by (its publisher and the inspected unit)."""
        return tuple(x for x in (self.publisher, self.header.inspected_unit) if x)


@dataclass(frozen=True, slots=True)
class DocumentDetail:
    """A document with everything `xuncha show --json` prints: warnings, a notice's tree, a regulation's articles."""

    document: DocumentRecord
    warnings: tuple[str, ...] = ()
    categories: tuple[CategoryRecord, ...] = ()
    articles: tuple[ArticleRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of `xuncha show --json` and /api/doc/<id>."""
        d = self.document
        out: dict[str, Any] = {
            "id": d.id, "doc_type": str(d.doc_type), "title": d.title, "publisher": d.publisher,
            "published": d.published, "source_path": d.source_path, "sha256": d.sha256, "method": d.method,
            "warnings": list(self.warnings),
        }
        if d.doc_type == DocType.NOTICE:
            h = d.header
            out.update({k: getattr(h, k) for k in h.__slots__})  # type: ignore[attr-defined]
            out["sections"] = [{"number": n, "title": t} for n, t in d.sections]
            out["progress"] = {k: getattr(d.progress, k) for k in d.progress.__slots__}  # type: ignore[attr-defined]
            out["categories"] = [c.to_json() for c in self.categories]
        elif d.doc_type == DocType.REGULATION:
            out.update({"short_title": d.short_title, "version": d.version, "issuer": d.issuer,
                        "promulgated": d.promulgated, "effective": d.effective, "region": d.region,
                        "category": d.category, "preamble": d.preamble})
            out["articles"] = [a.to_json() for a in self.articles]
        else:
            out["text"] = d.text
        return out


@dataclass(frozen=True, slots=True)
class RegulationEntry:
    """What matching and version grouping need of a regulation: id, title, version (and the part of a
    code it holds, 民法典's 物权编, which makes it no version of the code's other parts)."""

    id: str
    title: str
    version: str | None
    part: str | None = None
    level: str | None = None  # 效力级别: 党内法规 (rulenames.PARTY_LEVEL), 行政法规, 地方性法规 … (documents.category)
    issuer: str | None = None  # the issuing body (中共中央, 中共中央办公厅, 国务院 …)
    effective: str | None = None  # 自…起施行, when the text says; a version is in force from then

    @property
    def in_force_from(self) -> str | None:
        """The date this version takes effect: its effective date when stated and not before its version date
        (a revised law's last article keeps the first version's date), else its version date."""
        if self.effective and (not self.version or self.effective >= self.version):
            return self.effective
        return self.version


@dataclass(frozen=True, slots=True)
class NoticeCitation:
    """A citation in some notice, with where it sits (for a regulation page's 'cited by')."""

    title: str
    article: str | None
    doc_id: str
    doc_title: str
    on_date: str | None
    problem_id: str | None
    measure_id: str | None
    problem_number: int | None
    problem_title: str | None
    measure_number: int | None
    measure_text: str | None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A path's stored identity, for deciding whether a file changed."""

    id: str
    sha256: str
    parser_version: int


@dataclass(frozen=True, slots=True)
class MeasureTopic:
    """What a measure is about, for suggesting articles: its words and where it sits."""

    text: str
    problem_title: str
    category: str
    cited: tuple[str, ...] = ()  # titles of the regulations the measure or its problem cites
    on_date: str | None = None
    issuer: str = ""  # the notice's issuing unit (中共深圳市罗湖区残疾人联合会党组): its places pick local rules


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A regulation article suggested for a measure."""

    doc_id: str
    doc_title: str
    article: str | None
    article_id: str
    score: float
    snippet: str
    version: str | None
    reason: str = ""
    fault_kind: str = ""  # the measure's kind of fault (archive/faults.py)
    governing: bool = False  # the article belongs to the rules governing that kind
    shared_terms: tuple[str, ...] = ()  # topic words the article shares with the problem and measure

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "doc_title": self.doc_title, "article": self.article, "score": self.score,
                "snippet": self.snippet, "version": self.version, "article_id": self.article_id,
                "reason": self.reason, "fault_kind": self.fault_kind, "governing": self.governing,
                "shared_terms": list(self.shared_terms)}

    @classmethod
    def from_stored(cls, d: dict[str, Any]) -> Suggestion:
        """One suggestion as store.put_suggestions wrote it (every field)."""
        got = {f: d[f] for f in cls.__slots__ if f in d}
        if "shared_terms" in got:  # JSON keeps a list
            got["shared_terms"] = tuple(got["shared_terms"])
        return cls(**got)


def topic_key(topic: MeasureTopic, limit: int) -> str:
    """A content hash of what a measure's suggestions are computed from (and how many were asked for)."""
    raw = json.dumps([topic.text, topic.problem_title, topic.category, list(topic.cited), topic.on_date,
                      topic.issuer, limit], ensure_ascii=False)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class VerdictRecord:
    """One inspector's verdict on an article for a measure of a notice; `added`: an article the inspector chose
    (search-as-you-type), not one the cross-check suggested."""

    user: str
    doc_id: str
    measure_id: str
    article_id: str
    verdict: Verdict
    added: bool
    at: str
    doc_title: str = ""  # the article's regulation and label, for pages and exports
    article: str = ""

    def to_json(self) -> dict[str, Any]:
        """A judged pair, as `xuncha verdicts export --jsonl` prints it (keep: the benchmark's grade)."""
        return {"measure_id": self.measure_id, "article_id": self.article_id, "verdict": str(self.verdict),
                "keep": self.verdict.keep, "user": self.user, "notice_id": self.doc_id, "at": self.at,
                "added": self.added, "source": "verdict"}


# --- units, rounds and problem links (issue 30) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """One inspected unit: its id, display name, region, kind, aliases and notices in round order."""

    id: str
    name: str
    region: str | None
    kind: str
    aliases: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # doc ids in round order

    def to_json(self) -> dict[str, Any]:
        """The unit of `xuncha links --json`, exactly (region and kind are `xuncha unit list --json`'s)."""
        return {"id": self.id, "name": self.name, "aliases": list(self.aliases), "documents": list(self.documents)}


@dataclass(frozen=True, slots=True)
class UnitNotice:
    """A notice's place in its unit's history (the unit page's timeline rows)."""

    doc_id: str
    title: str
    unit_id: str
    alias: str  # the name this notice gives its unit
    round_key: str
    round_label: str
    round_no: int | None
    stage: str  # a ReportStage value
    order: int
    inferred: bool
    on_date: str | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class ProblemLink:
    """A derived link between two problems: same_round (a's report before b's), recurring (a earlier, b the
    later round's), with its score, whether the later text says so (explicit) and the reason."""

    kind: str
    a: str
    b: str
    score: float
    explicit: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class StatusStep:
    """One report's word on a problem: the problem's id in that notice, the notice, its date and the status."""

    problem_id: str
    doc_id: str
    on_date: str | None
    status: str | None
    title: str


@dataclass(frozen=True, slots=True)
class CommonCluster:
    """A common fault across units: its label (from its members' titles), members, and their units and years."""

    id: int
    label: str
    members: tuple[str, ...]
    units: tuple[str, ...] = ()  # unit ids, one per member (in member order)
    years: tuple[str | None, ...] = ()  # the year each member's notice speaks for

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "members": list(self.members)}


@dataclass(frozen=True, slots=True)
class ProblemMark:
    """What the links say of one problem (a notice's problems): its unit, the earlier-round problems it repeats
    (屡改屡犯), the later ones that repeat it, and its common fault's cluster (共性问题)."""

    problem_id: str
    doc_id: str
    unit_id: str | None = None
    earlier: tuple[str, ...] = ()  # recurring links whose later end this problem is
    later: tuple[str, ...] = ()
    cluster_id: int | None = None
    cluster_label: str | None = None

    @property
    def recurring(self) -> bool:
        return bool(self.earlier)


@dataclass(frozen=True, slots=True)
class ProblemBrief:
    """A problem as a list names it: its notice (id, title, date), number, title and stated status."""

    id: str
    doc_id: str
    doc_title: str
    number: int
    title: str
    status: str | None = None
    published: str | None = None
