"""The one search API: search(query, filters, page, per_page, sort) -> Results.

The CLI and the web UI call this and nothing else of the index. One SearchService per process
keeps the opened index; each thread has its own searcher, reopened when the index changes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh import query as Q
from whoosh import scoring, sorting
from whoosh.searching import Searcher

from archive.crosscheck import MeasureTopic, Suggestion
from archive.kinds import VersionStatus

from .analysis import load_segmenter
from .build import NoIndex, current_dir
from .crowding import WINDOW as CROWD_WINDOW
from .crowding import Ranked, crowd
from .options import SearchOptions
from .query import BuiltQuery, QueryCitation, QueryTooLong, build_query, load_synonyms
from .schema import FACETS, KINDS
from .snippets import snippet

SORTS = ("relevance", "date")
MAX_WINDOW = 10_000  # deepest result a page may reach; Whoosh collects page*per_page hits
MAX_PER_PAGE = 100
SUPERSEDED_FACTOR = 0.6  # an old version of a regulation ranks below the version in force


class _Scaled(scoring.BaseScorer):
    """Wraps a term scorer: scores of documents whose status is 已修订 are scaled down."""

    def __init__(self, inner: scoring.BaseScorer, status: Any) -> None:
        self.inner, self.status = inner, status

    def supports_block_quality(self) -> bool:
        return self.inner.supports_block_quality()

    def max_quality(self) -> float:
        return self.inner.max_quality()  # scaling only lowers scores, so the bound holds

    def block_quality(self, matcher: Any) -> float:
        return self.inner.block_quality(matcher)

    def score(self, matcher: Any) -> float:
        value = self.inner.score(matcher)
        if self.status is not None and self.status[matcher.id()] == VersionStatus.SUPERSEDED:
            return value * SUPERSEDED_FACTOR
        return value


class PreferInForce(scoring.BM25F):
    """BM25F as Whoosh ships it (B 0.4 and 0.2 measured no better), preferring versions in force."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> scoring.BaseScorer:
        inner = super().scorer(searcher, fieldname, text, qf)
        reader = searcher.reader()
        status = reader.column_reader("status") if reader.has_column("status") else None
        return _Scaled(inner, status)


# a unit's list of cited regulations is not text: citing three of them is not a third of citing one
WEIGHTING = PreferInForce(B=0.75, K1=1.2, cites_B=0.0)
COMMON_SHARE = 0.10  # a word in more than this share of units is left out of the OR fallback (per field)
RELAX_BELOW = 10  # an AND search finding fewer than this falls back to OR (full matches stay first)


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

    def to_json(self) -> dict[str, Any]:
        """The documented JSON fields of a hit."""
        return {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]


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
    full_matches: int = 0  # hits with every word; below `total` only when relaxed

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> dict[str, Any]:
        """{"total", "hits", "facets"} plus paging, as `xuncha search --json` and /api/search print."""
        return {"query": self.query, "total": self.total, "page": self.page, "per_page": self.per_page,
                "pages": self.pages, "relaxed": self.relaxed, "full_matches": self.full_matches,
                "hits": [h.to_json() for h in self.hits],
                "facets": {k: [{"value": v, "count": n} for v, n in vals] for k, vals in self.facets.items()}}


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
            out[key] = str(value)[:200]
    if kind:
        out["kind"] = kind
    return out


class SearchService:
    """Holds the open index for a process; thread-safe, refreshed when a reindex lands."""

    def __init__(self, options: SearchOptions) -> None:
        self.options = options
        self._local = threading.local()
        self._lock = threading.Lock()
        self._ix: windex.Index | None = None
        self._ix_dir: Path | None = None
        self._reg_keys: frozenset[str] = frozenset()
        load_segmenter()
        load_synonyms()

    def _index(self) -> windex.Index:
        cur = current_dir(self.options.index_root)
        if cur is None:
            raise NoIndex("no search index yet: run `xuncha ingest PATH` or `xuncha reindex --full`")
        with self._lock:
            if self._ix is None or cur != self._ix_dir:
                self._ix, self._ix_dir = windex.open_dir(str(cur)), cur
                with self._ix.searcher() as s:
                    self._reg_keys = frozenset(t.decode("utf-8") for t in s.lexicon("reg_key"))
            return self._ix

    def searcher(self) -> Searcher:
        """This thread's searcher, reopened if the index directory or generation changed."""
        ix = self._index()
        s: Searcher | None = getattr(self._local, "searcher", None)
        if s is None or getattr(self._local, "ix", None) is not ix:
            if s is not None:
                s.close()
            s = ix.searcher(weighting=WEIGHTING)
            self._local.ix = ix
        elif not s.up_to_date():
            s = s.refresh()
            with self._lock:
                self._reg_keys = frozenset(t.decode("utf-8") for t in s.lexicon("reg_key"))
        self._local.searcher = s
        return s

    def version(self) -> str:
        """A token that changes whenever the index does (for caches of derived results)."""
        ix = self._index()
        return f"{self._ix_dir.name if self._ix_dir else ''}:{ix.latest_generation()}"

    @property
    def reg_keys(self) -> frozenset[str]:
        """Short titles of the regulations in the index (for citation-aware queries)."""
        self._index()
        return self._reg_keys

    def build(self, text: str, filters: Mapping[str, str], s: Searcher | None = None) -> BuiltQuery:
        """build_query with this index's regulation titles, word frequencies and the length cap."""
        s = s or self.searcher()

        @lru_cache(maxsize=None)  # per query: decompounding and the OR fallback ask about the same words
        def df(fieldname: str, word: str) -> int:
            return s.doc_frequency(fieldname, word)

        return build_query(text, filters, reg_keys=self.reg_keys, max_chars=self.options.max_query_chars,
                           df=df, max_df=int(s.doc_count_all() * COMMON_SHARE))

    def search(self, text: str, filters: Mapping[str, str] | None = None, page: int = 1, per_page: int = 20,
               sort: str = "relevance", kind: str | None = None) -> Results:
        """Search at any grain with facet filters; AND first, OR when AND finds almost nothing."""
        eff = validate(kind, filters or {}, page, per_page, sort)
        text = text.strip()
        s = self.searcher()
        try:
            built = self.build(text, eff, s)
        except QueryTooLong as exc:
            raise SearchError("q", "too_long", length=exc.length, limit=exc.limit) from exc
        if built.empty:
            return Results(text, 0, (), {}, page, per_page)
        # AND or OR is decided on the query alone, before filters, so that a facet's count is
        # what clicking it gives (a filter never flips the search into the other mode)
        if built.filters is None:
            results = self._run(s, built.strict, None, page, per_page, sort)
            full = len(results)
            relaxed = full < RELAX_BELOW
        else:
            full = len(s.search(built.strict, limit=1))
            relaxed = full < RELAX_BELOW
            if relaxed and full:
                full = len(s.search(built.strict, filter=built.filters, limit=1))
            results = None
        if results is None or relaxed:
            results = self._run(s, built.relaxed if relaxed else built.strict, built.filters, page, per_page, sort)
        total = len(results)
        full = full if relaxed else total
        first = (page - 1) * per_page
        page_hits = [results[i] for i in self._order(results, sort)[first: first + per_page]] if first < total else []
        hits = tuple(self._hit(r, built.highlight) for r in page_hits)
        facets = {}
        for name in FACETS:
            counts = results.groups(name)
            facets[name] = sorted(((str(v), n) for v, n in counts.items() if v not in (None, "", b"")),
                                  key=lambda t: (-t[1], t[0]))[:30]
        return Results(text, total, hits, facets, page, per_page, relaxed, built.highlight, built.citation, full)

    @staticmethod
    def _order(results: Any, sort: str) -> list[int]:
        """Positions of the collected hits in display order: relevance is crowded (crowding.py)."""
        n = results.scored_length()
        if sort != "relevance":
            return list(range(n))
        # the kind comes from its column; only problems and measures need their stored id
        kinds = results.searcher.reader().column_reader("kind")
        ranked = []
        for i in range(min(n, CROWD_WINDOW)):
            kind = kinds[results.docnum(i)]
            hit_id = results[i].fields()["id"] if kind in ("problem", "measure") else ""
            ranked.append(Ranked(hit_id, kind, float(results[i].score)))
        order = crowd(ranked, CROWD_WINDOW)
        return order + list(range(len(order), n))

    def _run(self, s: Searcher, q: Q.Query, filt: Q.Query | None, page: int, per_page: int, sort: str):
        facets = {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACETS}
        # relevance pages are cut from the crowded top window, so that window is always collected
        limit = min(max(page * per_page, CROWD_WINDOW if sort == "relevance" else 0), MAX_WINDOW)
        if sort == "date":
            return s.search(q, limit=limit, filter=filt, groupedby=facets,
                            sortedby=[sorting.FieldFacet("published", reverse=True), sorting.ScoreFacet()])
        return s.search(q, limit=limit, filter=filt, groupedby=facets)

    def _hit(self, r: Any, words: tuple[str, ...]) -> Hit:
        f = r.fields()
        body = f.get("body", "")
        return Hit(id=f["id"], kind=f["kind"], doc_id=f["doc_id"], doc_title=f.get("doc_title", ""),
                   doc_type=f.get("doc_type", ""), source_path=f.get("source_path", ""), title=f.get("title", ""),
                   # under a date sort Whoosh puts the sort key in .score: relevance is not known there
                   score=round(float(r.score), 4) if isinstance(r.score, (int, float)) else 0.0,
                   snippet=snippet(body, words),
                   article=f.get("article"), problem=f.get("problem"), measure=f.get("measure"),
                   category=f.get("category") or None, published=f.get("published") or None,
                   publisher=f.get("publisher") or None, version=f.get("version") or None,
                   status=f.get("status") or None)

    def suggest_articles(self, topic: MeasureTopic, limit: int = 3, numterms: int = 12) -> tuple[Suggestion, ...]:
        """Regulation articles most like a measure (its key terms, scored against articles in force).

        The cross-check takes this as its Suggester (archive.crosscheck)."""
        s = self.searcher()
        terms = [t for t, _ in s.key_terms_from_text("body", topic.text, numterms=numterms)
                 if len(t) >= 2 and not t.isdigit()]
        if not terms:
            return ()
        q = Q.Or([Q.Term("body", t) for t in terms] + [Q.Term("title", t, boost=0.5) for t in terms])
        results = s.search(q, limit=limit, filter=Q.Term("kind", "article"),
                           mask=Q.Term("status", VersionStatus.SUPERSEDED.value))
        hits = [self._hit(r, tuple(terms)) for r in results]
        return tuple(Suggestion(h.doc_id, h.doc_title, h.article, h.id, h.score, h.snippet, h.version,
                                reason="共有关键词") for h in hits)

