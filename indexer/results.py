"""The search API's types: parameters checked (`validate`, `SearchError`), hits and a page of results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .query import QueryCitation
from .variants import Variant
from .backend import FACETS, KINDS

SORTS = ("relevance", "date")
MAX_WINDOW = 10_000  # deepest result a page may reach; Whoosh collects page*per_page hits
MAX_PER_PAGE = 100
RELAXED_CAP = 200  # partial matches shown after the full ones, at most (the rest are counted, not paged)


class SearchError(ValueError):
    """A bad search parameter: which one (`param`), what is wrong (`code`), and the bounds it broke.

    Codes: `too_long` (length, limit), `choice` (got, choices), `range` (got, low, high),
    `integer` (got), `unknown_filter` (got, choices). str() is an English sentence naming the parameter; each front
    end renders its own words from the fields.
    """

    def __init__(self, param: str, code: str, **bounds: Any) -> None:
        self.param, self.code, self.bounds = param, code, bounds
        super().__init__(self._english())

    def _english(self) -> str:
        b = self.bounds
        if self.code == "too_long":
            return f"{self.param}: query is {b['length']} characters; the limit is {b['limit']}"
        if self.code == "choice":
            return f"{self.param} must be one of {', '.join(b['choices'])} (got {b['got']!r})"
        if self.code == "range":
            return f"{self.param} must be between {b['low']} and {b['high']} (got {b['got']})"
        if self.code == "unknown_filter":
            return f"unknown filter {b['got']!r}; filters are {', '.join(b['choices'])}"
        if self.code == "integer":
            return f"{self.param} must be an integer (got {b['got']!r})"
        return f"{self.param}: {self.code}"


@dataclass(frozen=True, slots=True)
class Hit:
    """One result at any grain."""

    id: str
    kind: str
    doc_id: str
    doc_title: str
    doc_type: str
    source_path: str
    title: str
    score: float
    snippet: str
    article: str | None = None
    problem: int | None = None
    measure: int | None = None
    category: str | None = None
    published: str | None = None
    publisher: str | None = None
    version: str | None = None
    status: str | None = None
    heading: str = ""  # readable title at any grain: 问题3 …（title）· 措施2 for a measure (README)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON fields of a hit."""
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


def heading(kind: str, title: str, doc_title: str, article: str | None, problem: Any, measure: Any,
            problem_title: str = "") -> str:
    """A hit's readable title: a measure by its problem's number and title, an article by its regulation."""
    if kind == "measure":
        head = f"问题{problem} {problem_title}".strip() if problem else problem_title
        return f"{head} · 措施{measure}" if head else f"{doc_title} · 措施{measure}"
    if kind == "problem":
        return f"问题{problem} {title}".strip() if problem else title or doc_title
    if kind == "article":
        return f"{doc_title} {article or title}".strip()
    return title or doc_title


@dataclass(frozen=True, slots=True)
class Results:
    """A page of hits with the total and facet counts."""

    query: str
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int
    relaxed: bool = False
    highlight: tuple[str, ...] = ()
    citation: QueryCitation | None = None  # the regulation (and article) the query names
    full_matches: int = 0  # hits with every word (= total: the total counts only those)
    relaxed_total: int = 0  # when relaxed: the units matching only some words (counted, not all shown)
    relaxed_shown: int = 0  # how many of them paging reaches (at most RELAXED_CAP)
    missing_shards: tuple[str, ...] = ()  # shards that did not answer (down, slow): the answer is partial
    variants: tuple[Variant, ...] = ()  # conversions and corrections applied to the query (indexer/variants.py)

    @property
    def reachable(self) -> int:
        """Hits that paging can reach: the full matches and the shown partial ones, within the window."""
        return min(self.total + self.relaxed_shown, MAX_WINDOW)

    @property
    def pages(self) -> int:
        return max(1, -(-self.reachable // self.per_page))

    def to_json(self) -> dict[str, Any]:
        """{"total", "hits", "facets"} plus paging, as `xuncha search --json` and /api/search print."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "pages": self.pages, "relaxed": self.relaxed, "full_matches": self.full_matches,
                "relaxed_total": self.relaxed_total, "relaxed_shown": self.relaxed_shown,
                "reachable": self.reachable,
                "partial": bool(self.missing_shards), "missing_shards": list(self.missing_shards),
                "variants": [v.to_json() for v in self.variants],
                "hits": [h.to_json() for h in self.hits],
                "facets": {k: [{"value": v, "count": n} for v, n in vals] for k, vals in self.facets.items()}}


CLOSED_FACETS = {"recurring": ("yes", "no"), "common": ("yes", "no")}  # facets of a fixed set of values (issue 30)


def bad_facet_value(name: str, value: str) -> tuple[str, ...] | None:
    """The values facet `name` can take when `value` is none of them (None: it can be this): a value no unit has is
    a bad parameter, not an empty result."""
    if name in CLOSED_FACETS and value not in CLOSED_FACETS[name]:
        return CLOSED_FACETS[name]
    if name == "year" and not (len(value) == 4 and value.isascii() and value.isdigit()):
        return ("YYYY",)
    return None


def validate(kind: str | None, filters: Mapping[str, str], page: int, per_page: int, sort: str) -> dict[str, str]:
    """Check parameters, naming the bad one; returns the effective filters (kind included)."""
    if kind and kind not in KINDS:
        raise SearchError("kind", "choice", got=kind, choices=KINDS)
    if page < 1 or page > MAX_WINDOW:
        raise SearchError("page", "range", got=page, low=1, high=MAX_WINDOW)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise SearchError("per_page", "range", got=per_page, low=1, high=MAX_PER_PAGE)
    if sort not in SORTS:
        raise SearchError("sort", "choice", got=sort, choices=SORTS)
    out = {}
    for key, value in filters.items():
        if key not in FACETS:
            raise SearchError(key, "unknown_filter", got=key, choices=FACETS)
        if value:
            if (choices := bad_facet_value(key, str(value))) is not None:
                raise SearchError(key, "choice", got=str(value)[:40], choices=choices)
            out[key] = str(value)[:200]
    if kind:
        out["kind"] = kind
    return out
