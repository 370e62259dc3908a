"""The search seam in code: what any search engine behind xuncha implements (docs/scaling.md, "The search seam").

Everything above the engine (indexer/search.py's SearchService, the query model of indexer/query.py, snippets,
crowding, suggestions, the cross-check) talks to a `SearchBackend` and to the frozen types below, never to an
engine's own objects. Two engines implement it: Whoosh, embedded (indexer/backends/whoosh/), and Sphinx/Manticore
over SphinxQL (indexer/backends/sphinx/); `indexer.backends.open_backend(options)` picks one by name.

The seven operations of the contract, each a group of methods:
1. documents in, by document: `begin_update()` → a `Batch` whose `put(DocumentUnits)` adds or replaces a document
   with all its units and `delete(doc_id)` removes one; `indexed()` says what is in, at which content hash;
2. generations: `begin_rebuild()` → a `Batch` writing a new generation, `commit()` switches readers to it
   atomically, `abort()` leaves the previous one serving; `version()` is a token that changes with every commit;
3. search: `search(SearchRequest)` → `Matched` (unit ids and scores best first, totals, facet counts, whether the
   relaxed form answered, whether shards were missing);
4. the query features: a request's trees use only the nodes of indexer/querytree.py, every one of which a
   backend supports (`FEATURES` lists what the nodes and the scoring mean; `features()` says what it does);
5. highlighting inputs: a backend returns unit ids and scores and stores no text; snippets are cut from the
   archive's text by unit id (indexer/snippets.py);
6. bounded work: `SearchRequest.time_limit_s`; past it the best units found so far, `Matched.timed_out` set;
7. more-like-this for the cross-check: `key_terms(text)`, `best(query, within, limit)` over a filter (articles in
   force, a fault kind's governing rules), `doc_frequency(field, term)` and `unit_count()`; and what
   indexer/suggest.py and indexer/checks.py ask besides (at the end of the protocol): `scores(query, units)`,
   `count(within)`, `regulations()`, `format_version()`, `keep_text(name, tag, compute)`;
plus health: `health(stored)` compares the index with the archive, per shard where there are shards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .querytree import Node

# the facet fields filters and facet counts use (exact values); `kind` is the grain
FACETS = ("kind", "doc_type", "publisher", "year", "category", "reg_category", "region", "status", "rectification",
          "recurring", "common")
KINDS = ("document", "problem", "measure", "article")
FACET_VALUES = 30  # values counted per facet (the most frequent, ties by value)
RELAX_BELOW = 10  # a strict (AND) search finding fewer units than this is answered by the relaxed (OR) form


class NoIndex(RuntimeError):
    """There is no index yet."""


class IndexBusy(RuntimeError):
    """Another process holds the index write lock."""


class BuildFailed(RuntimeError):
    """A worker of a parallel build failed (its traceback is the message)."""


class Sort(StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"  # newest `published` first, then score


class Feature(StrEnum):
    """What a backend supports of the contract's query features (docs/scaling.md, item 4)."""

    TERMS = "terms"  # per-field boosted terms in title, body, context
    KEYWORDS = "keywords"  # exact terms on cites, reg_key, article_num, version and the facet fields
    PHRASES = "phrases"  # Phrase with slop 1 (adjacent) in body and title
    SLOP_PHRASES = "slop_phrases"  # Phrase with slop > 1 (synonym sides, slop 3)
    DISMAX = "dismax"  # DisMax: the best clause's score
    AND_MAYBE = "and_maybe"
    AND_NOT = "and_not"
    EVERY = "every"  # browse every unit a filter selects
    FIELD_B = "field_b"  # BM25F with per-field B (cites B = 0)
    SUPERSEDED = "superseded"  # units whose status is 已修订 scored × 0.6
    TIME_BOUND = "time_bound"  # SearchRequest.time_limit_s honoured
    FACETS = "facets"  # facet counts over the filtered match set
    SHARDS = "shards"  # answers from several shards; Matched.missing_shards names those that did not answer


ALL_FEATURES = frozenset(Feature)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a (re)index run did, on any engine (the fields `xuncha reindex` prints)."""

    mode: str  # full | incremental | none
    documents: int
    grains: int
    removed: int
    seconds: float
    reason: str = ""
    segmented: int = 0  # texts jieba segmented (new to the token store)
    reused: int = 0  # texts whose kept tokens were read instead
    peak_mb: float = 0.0  # the largest resident size of the build's processes, summed over its workers
    version: str = ""  # the generation's version token after the run, where the engine gives one


@dataclass(frozen=True, slots=True)
class DocumentUnits:
    """A document and every unit of it (grains document, problem, measure, article), replaced together.

    `units` are the records of indexer.documents.grain_records: one mapping a unit, its field names those of
    the index (id, kind, doc_id, title, body, context, the facet fields, cites, reg_key, article, article_num,
    version, published, ord and the stored-only fields of a hit). Unit ids are archive/ids.py's."""

    doc_id: str
    sha: str  # the document's content hash (archive), so that incremental updates and health can compare
    units: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search as the service asks it of a backend.

    The backend evaluates `strict`; when it matches fewer than `relax_below` units (decided before filters, so a
    facet's count is what clicking it gives) it answers with `relaxed` instead, and with `any_word` when even
    that matches nothing. `filters` (an And of exact Terms on FACETS, the grain among them) restricts the
    answer and the facet counts. It returns the best `limit` units of the answer in `sort` order."""

    strict: Node
    relaxed: Node
    any_word: Node | None = None
    filters: Node | None = None
    limit: int = 100
    sort: Sort = Sort.RELEVANCE
    relax_below: int = RELAX_BELOW
    time_limit_s: float = 0.8
    facets: tuple[str, ...] = FACETS
    facet_values: int = FACET_VALUES
    # the plain OR of the query's words (no AND-first boost): a backend fusing rankings (indexer/fusion.py) reads it
    plain: Node | None = None
    words: int = 0  # the query's content words (indexer/query.py BuiltQuery.words): fusion's share may grow with them


class FoundUnit(Protocol):
    """A unit a backend found: its id, grain and score, and its stored fields (read when asked: a page's hits)."""

    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def score(self) -> float: ...

    def fields(self) -> Mapping[str, Any]:
        """The unit's stored fields (the DocumentUnits record without title/body/context text but `title`)."""
        ...

    @property
    def order(self) -> int:
        """The unit's place in the backend's index: equal scores are ordered by it (search's tie-break too)."""
        ...


@dataclass(frozen=True, slots=True)
class Matched:
    """A backend's answer to a SearchRequest."""

    units: Sequence[FoundUnit]  # the best `limit` units, best first (sort order)
    matched: int  # units the answering form matched, within the filters
    full_matches: int  # units the strict form matched, within the filters
    relaxed: bool  # the relaxed (or any-word) form answered
    facets: Mapping[str, Sequence[tuple[str, int]]] = field(default_factory=dict)  # facet → (value, count) best first
    timed_out: bool = False  # the time bound cut the evaluation: the best units found by then
    missing_shards: tuple[str, ...] = ()  # shards that did not answer (down, slow): the answer is partial

    @property
    def partial(self) -> bool:
        return bool(self.missing_shards)


@dataclass(frozen=True, slots=True)
class ShardHealth:
    name: str  # e.g. "127.0.0.1:9312" or "local"
    ok: bool
    units: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class IndexHealth:
    """Disagreement between the index and the archive's records (every tuple empty: they agree)."""

    reason: str | None  # why a full rebuild is needed (no index, versions changed), or None
    missing: tuple[str, ...] = ()  # stored documents not in the index
    stale: tuple[str, ...] = ()  # indexed at another hash than the one stored
    extra: tuple[str, ...] = ()  # indexed, no longer stored
    unfinished: tuple[str, ...] = ()  # generations of builds that never finished
    shards: tuple[ShardHealth, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.reason or self.missing or self.stale or self.extra or self.unfinished) and \
            all(s.ok for s in self.shards)


class Batch(Protocol):
    """Writes to one generation: the live one (begin_update) or a new one (begin_rebuild). Use it as a context
    manager: commit on success, abort and re-raise on any error (Ctrl-C included)."""

    def put(self, document: DocumentUnits) -> None:
        """Add the document, or replace it and all its units."""
        ...

    def delete(self, doc_id: str) -> None:
        """Remove the document and all its units (nothing when absent)."""
        ...

    def commit(self) -> str:
        """Make the writes visible (a rebuild: switch readers to the new generation atomically); the new version."""
        ...

    def abort(self) -> None:
        """Drop the writes; a rebuild's generation is removed and the previous one keeps serving."""
        ...

    def __enter__(self) -> Batch: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class SearchBackend(Protocol):
    """A search engine behind xuncha. Thread-safe for searches; one writer at a time (a Batch)."""

    name: str  # "whoosh" | "sphinx"

    # 1. documents in, by document; 2. generations
    def begin_update(self) -> Batch: ...

    def begin_rebuild(self) -> Batch: ...

    def version(self) -> str:
        """A token that changes whenever what searches see does (result and cross-check caches key on it)."""
        ...

    def indexed(self) -> Mapping[str, str]:
        """doc_id → content hash of every document in the current generation."""
        ...

    # 3. search (4. its query features; 5. ids and scores only; 6. bounded)
    def search(self, request: SearchRequest) -> Matched: ...

    def features(self) -> frozenset[Feature]: ...

    def synonym_files(self) -> tuple[Path, ...]:
        """Synonym files mined into the current generation (indexer/vocabulary.py), read beside the curated ones."""
        ...

    def generation_files(self, name: str) -> tuple[Path, ...]:
        """Files of that name a build kept in the current generation (indexer/related.py's table): none if absent."""
        ...

    # what the query model asks of the index while building a query (indexer/query.py)
    def regulation_keys(self) -> frozenset[str]:
        """The short-title keys (reg_key) of the regulations in the index."""
        ...

    def regulation_versions(self, key: str) -> tuple[str, ...]:
        """The version dates (YYYY-MM-DD) of a regulation's documents, sorted."""
        ...

    def doc_frequency(self, field: str, term: str) -> int:
        """Units holding `term` in `field`, over the whole index (every shard: global statistics)."""
        ...

    def unit_count(self) -> int:
        """Units in the index (every grain, every shard)."""
        ...

    # 7. more-like-this for the cross-check
    def key_terms(self, text: str, count: int, field: str = "body") -> tuple[tuple[str, float], ...]:
        """The `count` words of `text` that say most about it (tf × idf over `field`), best first."""
        ...

    def best(self, query: Node, within: Node | None, limit: int) -> Sequence[FoundUnit]:
        """The `limit` best units for `query` (an OR of weighted terms, typically) among those `within` selects
        (a filter tree: an And of exact Terms, an AndNot of them, an Or of them), ranked as search ranks them."""
        ...

    # health
    def health(self, stored: Mapping[str, str]) -> IndexHealth:
        """Compare the current generation with the archive's {doc id: sha256}."""
        ...

    def warm(self) -> None:
        """Prepare what a new process's first search would otherwise compute (after an index update)."""
        ...

    # what the cross-check's suggestions ask besides (indexer/suggest.py, indexer/checks.py)
    def scores(self, query: Node, units: Sequence[FoundUnit]) -> tuple[float, ...]:
        """`query`'s score of each of these units (found by this backend), as `best` scores them; 0.0 where the
        query does not match the unit."""
        ...

    def count(self, within: Node) -> int:
        """Units a filter tree selects (`Every()`: every unit in the index, deleted ones not counted)."""
        ...

    def regulations(self) -> Sequence[tuple[str, str]]:
        """(doc_id, content hash) of the regulation documents in the current generation, sorted."""
        ...

    def format_version(self) -> str:
        """The engine's index format (what it indexes and how): kept suggestions are recomputed when it changes."""
        ...

    def keep_text(self, name: str, tag: str, compute: Callable[[], str]) -> str:
        """A short text derived from the current generation alone (a digest): kept beside the generation where the
        engine can keep it (indexer/kept.py), read back by later processes; else computed."""
        ...
