"""Immutable records passed between pipeline stages and read back from the store."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Extracted:
    """Text pulled out of one file, before normalisation."""

    text: str
    title: str | None = None
    method: str = "text"  # text | pdf | ocr | html | docx
    warnings: tuple[str, ...] = ()


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
