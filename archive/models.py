"""Immutable records passed between pipeline stages and read back from the store."""

from __future__ import annotations

from dataclasses import dataclass, field

from .kinds import RectStatus


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a document (a .docx table or an .xlsx sheet): rows of cell texts, and its caption."""

    rows: tuple[tuple[str, ...], ...]
    caption: str = ""  # the paragraph before a .docx table, or the sheet's name


@dataclass(frozen=True, slots=True)
class Extracted:
    """Text pulled out of one file, before normalisation."""

    text: str
    title: str | None = None
    method: str = "text"  # text | pdf | ocr | html | docx | xlsx
    warnings: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()  # ledgers (整改台账) are read from these, not from the flattened text
    publisher: str | None = None  # a saved page's metadata table (发布机构), when it has one
    published: str | None = None  # ISO date from the same table (成文日期 / 发布日期)


@dataclass(frozen=True, slots=True)
class Figure:
    """A date, amount or count found in a text; value is machine-readable (ISO date, number)."""

    kind: str  # date | money | count | percent | period
    text: str
    value: str
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Citation:
    """A 《title》 reference, with the 第…条 that follows it when given."""

    title: str
    article: str | None = None
    article_number: int | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    """One rectification measure (一是…, or a sentence when there are no markers)."""

    number: int
    text: str
    citations: tuple[Citation, ...] = ()
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """A numbered problem (1.针对…问题) with the measures taken against it."""

    number: int
    title: str
    text: str
    citations: tuple[Citation, ...] = ()
    figures: tuple[Figure, ...] = ()
    measures: tuple[Measure, ...] = ()
    status: RectStatus | None = None  # None when the notice does not say
    deadline: str | None = None  # ISO date or month of a stated 前完成 date
    responsible: str | None = None  # 责任领导 / 责任单位 (ledgers)
    subproblems: tuple[Problem, ...] = ()  # (1)(2) under a numbered problem, each with its own measures


@dataclass(frozen=True, slots=True)
class Progress:
    """The summary figures a notice states about its rectification (None when not stated)."""

    problems_total: int | None = None  # 反馈问题 N 个
    problems_done: int | None = None  # 已完成整改 N 个
    problems_in_progress: int | None = None  # 正在整改 N 个
    completion_rate: float | None = None  # 整改完成率 N%
    money_recovered_yuan: float | None = None  # 追缴 / 清退 / 挽回 / 退还 (sum, in 元)
    people_disciplined: int | None = None  # 党纪政务处分 N 人
    people_handled: int | None = None  # 组织处理 N 人
    people_admonished: int | None = None  # 诫勉 N 人
    rules_made: int | None = None  # 建章立制 N 项 (制定 + 修订)


@dataclass(frozen=True, slots=True)
class Category:
    """A problem category ((一)关于…方面问题), or the problems a section lists without one (number 0)."""

    number: int
    title: str
    section: int
    section_title: str
    text: str = ""
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class NoticeHeader:
    """Who inspected whom, when, and what was reported back."""

    inspected_unit: str | None = None
    inspecting_body: str | None = None
    inspection_start: str | None = None
    inspection_end: str | None = None
    feedback_date: str | None = None
    stated_counts: str | None = None
    # where the notice sits among its unit's rounds (issue 30): only what the title and lead state
    round_no: int | None = None  # 第X轮: the round within the term (十届区委第三轮巡察 → 3)
    round_label: str | None = None  # the words naming the round as written (十二届区委第二轮巡察)
    revisit: bool = False  # about a 巡察“回头看”
    stage: str | None = None  # a ReportStage value: feedback | rectification | progress | revisit
    as_of: str | None = None  # ISO date (or month) of a progress report's 截至…


@dataclass(frozen=True, slots=True)
class Notice:
    """A parsed rectification notice."""

    title: str
    header: NoticeHeader
    publisher: str | None
    published: str | None
    sections: tuple[tuple[int, str], ...]
    categories: tuple[Category, ...]
    citations: tuple[Citation, ...] = ()
    figures: tuple[Figure, ...] = ()
    warnings: tuple[str, ...] = ()
    progress: Progress = field(default_factory=Progress)


@dataclass(frozen=True, slots=True)
class Article:
    """One 第…条 of a regulation."""

    number: int
    label: str
    text: str
    chapter: str | None = None
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Regulation:
    """A parsed regulation: title, dates, and articles in order."""

    title: str
    short_title: str
    issuer: str | None
    promulgated: str | None
    effective: str | None
    version: str | None
    preamble: str
    articles: tuple[Article, ...]
    category: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the parsing stage hands the store for one document."""

    doc_type: str  # notice | regulation | other
    title: str
    text: str
    publisher: str | None = None
    published: str | None = None
    notice: Notice | None = None
    regulation: Regulation | None = None
    warnings: tuple[str, ...] = field(default=())
