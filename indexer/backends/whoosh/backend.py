"""The Whoosh engine behind the search seam (indexer/backend.py): one process's open index, searched through
posting blocks (docsets.py), Whoosh's own collector past the time bound, facets from per-generation tables.

One WhooshBackend per process keeps the opened index; each thread has its own searcher, reopened when the index
changes (`version()` refreshes it: the service asks it first in every search)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from whoosh import collectors, sorting
from whoosh import index as windex
from whoosh import query as Q
from whoosh.searching import Searcher, TimeLimit

from archive.kinds import DocType

from ... import querytree as T
from ...backend import (ALL_FEATURES, FACETS, Batch, Feature, IndexHealth, Matched, NoIndex, SearchRequest, Sort)
from ...fusion import applies, at_length, fuse
from ...kept import kept_docs, kept_text, tag_of
from ...options import SearchOptions
from ...vocabulary import FILE as VOCABULARY_FILE
from . import writing
from .build import current_dir
from .compile import to_whoosh
from .docsets import among, evaluate
from .execution import Deadline, FacetTables, Found, TermCache, top
from .health import check_index
from .schema import SCHEMA_VERSION
from .mapped import open_for_search
from .weighting import WEIGHTING
from .weights import doc_frequency


RECENT_QUERIES = 8  # query trees whose scores a thread keeps (WhooshBackend._scored)
MEMO_CLAUSES = 200  # clauses' scores kept in a thread's memo before it is emptied (about one measure's)


class Unit(Found):
    """A found unit (indexer.backend.FoundUnit): its kind read from the generation's facet table, not its fields."""

    __slots__ = ("_kinds",)

    def __init__(self, searcher: Any, docnum: int, score: float, kinds: tuple[Any, list[str]] | None) -> None:
        super().__init__(searcher, docnum, score)
        self._kinds = kinds

    @property
    def id(self) -> str:
        return self["id"]

    @property
    def kind(self) -> str:
        if self._kinds is not None:
            col, values = self._kinds
            return values[col[self.docnum]]
        return self["kind"]

    @property
    def order(self) -> int:
        return self.docnum


class WhooshBackend:
    """indexer.backend.SearchBackend over the Whoosh index under `options.index_root` (embedded, the default)."""

    name = "whoosh"

    def __init__(self, options: SearchOptions) -> None:
        self.options = options
        self._local = threading.local()
        self._lock = threading.Lock()
        self._ix: windex.Index | None = None
        self._ix_dir: Path | None = None
        self._reg_keys: frozenset[str] = frozenset()
        self._facets = FacetTables(FACETS)
        self._terms = TermCache(options.term_cache_postings) if options.term_cache_postings else None
        self._within: tuple[Any, dict[T.Node, set[int]]] | None = None

    # the open index and this thread's searcher

    def _index(self) -> windex.Index:
        cur = current_dir(self.options.index_root)
        if cur is None:
            raise NoIndex("no search index yet: run `xuncha ingest PATH` or `xuncha reindex --full`")
        with self._lock:
            if self._ix is None or cur != self._ix_dir:
                self._ix, self._ix_dir = open_for_search(cur), cur
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
            # opened anew, never Whoosh's refresh(): whoosh-reloaded 2.7.5's FileIndex._reader(reuse=…) appends the
            # old reader's segments that the new generation no longer has, so after a merge the refreshed searcher
            # still reads the merged-away segments (deleted and duplicate units found, more documents than the
            # generation holds: the facet tables of it no longer fit, an IndexError); after a commit of deletions
            # only it kept the segment's reader, its deletions and generation stale. Segments open lazily, and
            # the caches of a generation (facet tables, term cache) are keyed by it, so little is read again
            s.close()
            s = ix.searcher(weighting=WEIGHTING)
            with self._lock:
                self._reg_keys = frozenset(t.decode("utf-8") for t in s.lexicon("reg_key"))
        self._local.searcher = s
        return s

    def _current(self) -> Searcher:
        """This thread's searcher as the last version() left it (no refresh: one search sees one generation)."""
        s = getattr(self._local, "searcher", None)
        return s if s is not None and getattr(self._local, "ix", None) is self._ix else self.searcher()

    def generation(self, s: Searcher | None = None) -> tuple[str, int]:
        s = s or self._current()
        return (self._ix_dir.name if self._ix_dir else "", s.reader().generation())

    # the contract

    def version(self) -> str:
        name, gen = self.generation(self.searcher())
        return f"{name}:{gen}"

    def features(self) -> frozenset[Feature]:
        return ALL_FEATURES - {Feature.SHARDS}

    def begin_update(self) -> Batch:
        return writing.WhooshBatch(self.options.index_root, rebuild=False)

    def begin_rebuild(self) -> Batch:
        return writing.WhooshBatch(self.options.index_root, rebuild=True)

    def indexed(self) -> Mapping[str, str]:
        return {f["doc_id"]: f.get("sha", "") for f in self.searcher().documents(kind="document")}

    def regulation_keys(self) -> frozenset[str]:
        self._index()
        return self._reg_keys

    def regulation_versions(self, key: str) -> tuple[str, ...]:
        found = self._current().search(Q.And([Q.Term("reg_key", key), Q.Term("kind", "document")]), limit=50)
        return tuple(sorted({v for r in found if (v := r.get("version"))}))

    def doc_frequency(self, field: str, term: str) -> int:
        return doc_frequency(self._current(), field, term)

    def unit_count(self) -> int:
        return self._current().doc_count_all()

    def synonym_files(self) -> tuple[Path, ...]:
        """The vocabulary mined into the current generation (indexer/vocabulary.py), when there is one."""
        return self.generation_files(VOCABULARY_FILE)

    def generation_files(self, name: str) -> tuple[Path, ...]:
        self._index()
        kept = self._ix_dir / name if self._ix_dir is not None else None
        return (kept,) if kept is not None and kept.is_file() else ()

    def health(self, stored: Mapping[str, str]) -> IndexHealth:
        return check_index(self.options.index_root, stored)

    def warm(self) -> None:
        self._tables(self.searcher())

    def key_terms(self, text: str, count: int, field: str = "body") -> tuple[tuple[str, float], ...]:
        return tuple(self._current().key_terms_from_text(field, text, numterms=count))

    def best(self, query: T.Node, within: T.Node | None, limit: int) -> Sequence[Unit]:
        s = self._current()
        scores = self._scored(s, query)
        if within is not None:
            scores = among(scores, self.units(within, kept_as="within"))
        return self._units(s, top(s, scores, limit))

    def units(self, within: T.Node, kept_as: str | None = None) -> set[int]:
        """The document numbers a filter tree selects, once per filter and index generation (a set, not a
        frozenset: Whoosh takes only sets as filters); `kept_as`: also kept beside the generation (kept.py)."""
        s = self._current()
        gen = self.generation(s)
        with self._lock:
            if self._within is None or self._within[0] != gen:
                self._within = (gen, {})
            table = self._within[1]
        if within not in table:
            def compute() -> set[int]:
                return set(s.docs_for_query(to_whoosh(within)))

            table[within] = compute() if kept_as is None else \
                kept_docs(self._ix_dir, kept_as, tag_of(Path(__file__), repr(within)), s.reader().generation(), compute)
        return table[within]

    def regulations(self) -> list[tuple[str, str]]:
        """(doc_id, sha) of the regulations in the index."""
        return sorted((f["doc_id"], f.get("sha", ""))
                      for f in self._current().documents(kind="document", doc_type=DocType.REGULATION.value))

    # search

    def search(self, request: SearchRequest) -> Matched:
        s = self._current()
        # the bound is on this thread's CPU time: the work a query may do, whatever else the machine runs
        limit_s = request.time_limit_s
        deadline = time.thread_time() + limit_s
        allow = frozenset(s.docs_for_query(to_whoosh(request.filters))) if request.filters is not None else None
        strict, relaxed_q = to_whoosh(request.strict), to_whoosh(request.relaxed)
        any_word = to_whoosh(request.any_word) if request.any_word is not None else None
        by_date = request.sort == Sort.DATE
        # AND or OR is decided on the query alone, before filters, so that a facet's count is
        # what clicking it gives (a filter never flips the search into the other mode)
        memo: dict = {}  # clauses shared by the strict and relaxed forms, evaluated once (docsets.py)
        run = (s, request.limit, by_date, deadline, limit_s, memo)
        results, docs, late = self._run(strict, None, *run)
        full = len(docs)
        relaxed = full < request.relax_below
        if relaxed or allow is not None:
            strict_docs = docs
            results, docs, late2 = self._run(relaxed_q if relaxed else strict, allow, *run)
            late = late or late2
            if relaxed and not docs and any_word is not None:
                # every word common: the relaxed form left them all out, so any of them will do
                results, docs, late3 = self._run(any_word, allow, *run)
                late = late or late3
            if allow is not None:
                full = len(strict_docs & allow)
        if self.options.fusion is not None and request.plain is not None and not by_date and not late:
            results = self._fused(s, results, request.plain, allow, relaxed, run, request.words)
        facets = self._facets.counts(self._tables(s), docs)
        return Matched(self._units(s, results), len(docs), full, relaxed, facets, timed_out=late)

    def _fused(self, s: Searcher, results: list[Found], plain: T.Node, allow: frozenset[int] | None, relaxed: bool,
               run: tuple, content_words: int = 0) -> list[Found]:
        """The engine's ranking fused with the plain OR's (indexer/fusion.py), over units (no document grain);
        the engine's ranking unchanged when the query's shape is gated out or the plain OR runs out of time."""
        options = self.options.fusion
        assert options is not None
        words = len(plain.positive.clauses if isinstance(plain, T.AndNot) else T.children(plain))
        if not applies(options, words, relaxed):
            return results
        options = at_length(options, content_words)  # the plain list's weight for this query's length
        _, limit, _, deadline, _, memo = run
        try:
            scores = evaluate(s, to_whoosh(plain), deadline, memo, self._terms, self.generation(s))
        except TimeLimit:
            return results
        if allow is not None:
            scores = among(scores, allow)
        kinds = self._tables(s).get("kind")
        if kinds is not None and "document" in kinds[1]:
            col, code = kinds[0], kinds[1].index("document")
            scores = {d: v for d, v in scores.items() if col[d] != code}
        other = top(s, scores, options.depth)
        fused = fuse([(f.docnum, f.score) for f in results], [(f.docnum, f.score) for f in other], options)
        return [Found(s, d, v) for d, v in fused[:limit]]

    def _units(self, s: Searcher, found: list[Found]) -> list[Unit]:
        kinds = self._tables(s).get("kind")
        return [Unit(s, f.docnum, f.score, kinds) for f in found]

    def _run(self, q: Q.Query, allow: frozenset[int] | None, s: Searcher, limit: int, by_date: bool, deadline: float,
             limit_s: float, memo: dict) -> tuple[list[Found], Collection[int], bool]:
        """The top hits and every matching document number: scored from posting blocks (docsets.py);
        past the deadline, Whoosh's own collector gives the best hits it finds within one more bound."""
        try:
            scores = evaluate(s, q, deadline, memo, self._terms, self.generation(s))
        except TimeLimit:
            return (*self._collect(s, q, allow, limit, by_date, time.thread_time() + limit_s), True)
        if allow is not None:
            scores = among(scores, allow)
        return top(s, scores, limit, by_date=by_date), scores.keys(), False

    @staticmethod
    def _collect(s: Searcher, q: Q.Query, allow: frozenset[int] | None, limit: int, by_date: bool,
                 deadline: float) -> tuple[list[Found], set[int]]:
        """Whoosh's collector in one bounded pass: the best hits found before the deadline."""
        if by_date:
            c = collectors.SortingCollector(sorting.MultiFacet([sorting.FieldFacet("published", reverse=True),
                                                                sorting.ScoreFacet()]), limit=limit)
        else:
            c = collectors.TopCollector(limit=limit, usequality=False)
        bounded = Deadline(c, deadline, allow)
        try:
            s.search_with_collector(q, bounded)
        except TimeLimit:
            pass  # the best hits found within the bound
        results = bounded.results()
        # under a date sort Whoosh puts the sort key in .score: relevance is not known there
        return [Found(s, r.docnum, float(r.score) if isinstance(r.score, (int, float)) else 0.0)
                for r in results], bounded.docs

    def _tables(self, s: Searcher) -> dict[str, Any]:
        """The facet tables of the searcher's generation, kept beside the index (execution.py)."""
        return self._facets.tables(s, self.generation(s), self._ix_dir)

    # what the cross-check's suggestions ask besides (indexer/backend.py, end of the protocol)

    def _scored(self, s: Searcher, query: T.Node) -> dict[int, float]:
        """Every unit `query` matches → its score, evaluated as searches are (docsets.py, the term cache). The
        thread keeps its last few trees' scores (one measure's suggestions ask `best` of the same tree within two
        filters, then its candidates' `scores`) and a memo of their clauses, for the searcher's generation."""
        gen = self.generation(s)
        kept = getattr(self._local, "scored", None)
        if kept is None or kept[0] != gen:
            kept = self._local.scored = (gen, OrderedDict(), {})
        recent, memo = kept[1], kept[2]
        found = recent.get(query)
        if found is None:
            if sum(len(m) for m in memo.values()) > MEMO_CLAUSES:
                memo.clear()
            found = recent[query] = evaluate(s, to_whoosh(query), None, memo, self._terms, gen)
            while len(recent) > RECENT_QUERIES:
                recent.popitem(last=False)
        else:
            recent.move_to_end(query)
        return found

    def scores(self, query: T.Node, units: Sequence[Any]) -> tuple[float, ...]:
        found = self._scored(self._current(), query)
        return tuple(found.get(u.docnum, 0.0) for u in units)

    def count(self, within: T.Node) -> int:
        s = self._current()
        if isinstance(within, T.Every):
            return s.doc_count()
        if isinstance(within, T.Term):
            return doc_frequency(s, within.field, str(within.text))
        return len(self.units(within))

    def format_version(self) -> str:
        return str(SCHEMA_VERSION)

    def keep_text(self, name: str, tag: str, compute: Callable[[], str]) -> str:
        s = self._current()
        return kept_text(self._ix_dir, name, tag, s.reader().generation(), compute)
