"""The one search API: search(query, filters, page, per_page, sort) -> Results.

The CLI and the web UI call this and nothing else of the index. One SearchService per process
keeps the opened index; each thread has its own searcher, reopened when the index changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh import query as Q
from whoosh import collectors, sorting
from whoosh.searching import Searcher, TimeLimit

from archive import store
from archive.database import Archive
from archive.faults import model_of
from archive.records import MeasureTopic, Suggestion, topic_key
from archive.kinds import VersionStatus

from . import querytree as T
from .analysis import load_segmenter
from .backends.whoosh.compile import to_whoosh
from .build import NoIndex, current_dir
from .mapped import open_for_search
from .crowding import WINDOW as CROWD_WINDOW
from .crowding import Ranked, crowd
from .docsets import among, evaluate
from .execution import Deadline, FacetTables, Found, ResultCache, TermCache, top
from .options import SearchOptions
from .query import COLLOQUIAL_PATH, SYNONYMS_PATH, BuiltQuery, QueryTooLong, build_query, load_synonyms
from .vocabulary import FILE as VOCABULARY_FILE
from .weighting import WEIGHTING
from .weights import doc_frequency
from .schema import FACETS
from .results import MAX_WINDOW, RELAXED_CAP, Hit, Results, SearchError, heading, validate
from .snippets import snippet

# the search API's types live in results.py; importing them from here keeps working
__all__ = ["MAX_WINDOW", "RELAXED_CAP", "RELAX_BELOW", "Hit", "Results", "SearchError", "SearchService", "validate"]

COMMON_SHARE = 0.10  # a word in more than this share of units is left out of the OR fallback (per field)
RELAX_BELOW = 10  # an AND search finding fewer than this falls back to OR (full matches stay first)


class SearchService:
    """Holds the open index for a process; thread-safe, refreshed when a reindex lands."""

    def __init__(self, options: SearchOptions) -> None:
        self.options = options
        self._local = threading.local()
        self._lock = threading.Lock()
        self._ix: windex.Index | None = None
        self._ix_dir: Path | None = None
        self._reg_keys: frozenset[str] = frozenset()
        self._cache = ResultCache(options.result_cache)
        self._facets = FacetTables(FACETS)
        self._terms = TermCache(options.term_cache_postings) if options.term_cache_postings else None
        self._in_force: tuple[Any, set[int]] | None = None
        self._suggest_key: tuple[Any, str] | None = None
        self._governing_docs: tuple[Any, dict[str, set[int]]] | None = None
        self._synonyms: dict[str, tuple[str, ...]] | None = None
        load_segmenter()
        load_synonyms()

    def _index(self) -> windex.Index:
        cur = current_dir(self.options.index_root)
        if cur is None:
            raise NoIndex("no search index yet: run `xuncha ingest PATH` or `xuncha reindex --full`")
        with self._lock:
            if self._ix is None or cur != self._ix_dir:
                self._ix, self._ix_dir = open_for_search(cur), cur
                # the curated synonyms plus the vocabulary mined into this generation (indexer/vocabulary.py)
                mined = cur / VOCABULARY_FILE
                self._synonyms = load_synonyms(str(SYNONYMS_PATH), str(COLLOQUIAL_PATH),
                                               *([str(mined)] if mined.is_file() else []))
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
            if s.doc_count_all():
                s = s.refresh()
            else:  # an empty index's reader has no segments, and Whoosh's refresh() cannot reuse it: open anew
                s.close()
                s = ix.searcher(weighting=WEIGHTING)
            with self._lock:
                self._reg_keys = frozenset(t.decode("utf-8") for t in s.lexicon("reg_key"))
        self._local.searcher = s
        return s

    def _archive(self) -> Archive:
        """This thread's connection to the archive the index was built from."""
        archive: Archive | None = getattr(self._local, "archive", None)
        if archive is None:
            archive = self._local.archive = Archive.open(self.options.db_path)
        return archive

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        """The archive's text of these units: the index stores none."""
        return self._archive().unit_texts(ids)

    def hits(self, results: Iterable[Any], words: tuple[str, ...]) -> tuple[Hit, ...]:
        """Hits for Whoosh results, with snippets from the archive's text (one query for the page)."""
        results = list(results)
        texts = self.texts(r["id"] for r in results)
        return tuple(self._hit(r, words, texts.get(r["id"], "")) for r in results)

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
            return doc_frequency(s, fieldname, word)

        def versions(key: str) -> tuple[str, ...]:
            # the regulation's version dates, read from its document records (a year in the query picks one)
            found = s.search(Q.And([Q.Term("reg_key", key), Q.Term("kind", "document")]), limit=50)
            return tuple(sorted({v for r in found if (v := r.get("version"))}))

        return build_query(text, filters, reg_keys=self.reg_keys, synonyms=self._synonyms,
                           max_chars=self.options.max_query_chars,
                           df=df, max_df=int(s.doc_count_all() * COMMON_SHARE), versions=versions)

    def search(self, text: str, filters: Mapping[str, str] | None = None, page: int = 1, per_page: int = 20,
               sort: str = "relevance", kind: str | None = None) -> Results:
        """Search at any grain with facet filters; AND first, OR when AND finds almost nothing.

        Answers come from a bounded cache keyed by the index generation when the same search ran before."""
        eff = validate(kind, filters or {}, page, per_page, sort)
        text = text.strip()
        s = self.searcher()
        key = (self._generation(s), text, tuple(sorted(eff.items())), page, per_page, sort)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        results = self._search(s, text, eff, page, per_page, sort)
        self._cache.put(key, results)
        return results

    def _generation(self, s: Searcher) -> tuple[str, int]:
        return (self._ix_dir.name if self._ix_dir else "", s.reader().generation())

    def _search(self, s: Searcher, text: str, eff: dict[str, str], page: int, per_page: int, sort: str) -> Results:
        try:
            built = self.build(text, eff, s)
        except QueryTooLong as exc:
            raise SearchError("q", "too_long", length=exc.length, limit=exc.limit) from exc
        if built.empty:
            if built.filters is None:
                return Results(text, 0, (), {}, page, per_page)
            # no words but filters: browse every unit the filters select (a statistics bar's link)
            built = replace(built, strict=T.Every(), relaxed=T.Every(), empty=False)
        # the bound is on this thread's CPU time: the work a query may do, whatever else the machine runs
        deadline = time.thread_time() + self.options.time_limit_s
        allow = self._docs(s, to_whoosh(built.filters), deadline) if built.filters is not None else None
        strict, relaxed_q = to_whoosh(built.strict), to_whoosh(built.relaxed)
        any_word = to_whoosh(built.any_word) if built.any_word is not None else None
        # AND or OR is decided on the query alone, before filters, so that a facet's count is
        # what clicking it gives (a filter never flips the search into the other mode)
        memo: dict = {}  # clauses shared by the strict and relaxed forms, evaluated once (docsets.py)
        results, docs = self._run(s, strict, None, page, per_page, sort, deadline, memo)
        full = len(docs)
        relaxed = full < RELAX_BELOW
        if relaxed or allow is not None:
            strict_docs = docs
            results, docs = self._run(s, relaxed_q if relaxed else strict, allow, page, per_page, sort,
                                      deadline, memo)
            if relaxed and not docs and any_word is not None:
                # every word common: the relaxed form left them all out, so any of them will do
                results, docs = self._run(s, any_word, allow, page, per_page, sort, deadline, memo)
            if allow is not None:
                full = len(strict_docs & allow)
        # the total counts the units matching the query as typed; partial matches are counted apart
        matched = len(docs)
        total = full if relaxed else matched
        partial = max(0, matched - total) if relaxed else 0
        partial_shown = min(partial, RELAXED_CAP)
        reach = min(total + partial_shown, MAX_WINDOW)
        first = (page - 1) * per_page
        page_hits = ([results[i] for i in self._order(s, results, sort)[first: min(first + per_page, reach)]]
                     if first < reach else [])
        hits = self.hits(page_hits, built.highlight)
        facets = self._facets.counts(self._tables(s), docs)
        return Results(text, total, hits, facets, page, per_page, relaxed, built.highlight, built.citation, total,
                       partial, partial_shown)

    @staticmethod
    def _docs(s: Searcher, q: Q.Query, deadline: float) -> frozenset[int]:
        """Every document number a filter allows (terms of facet fields: cheap)."""
        return frozenset(s.docs_for_query(q))

    def _order(self, s: Searcher, results: list[Found], sort: str) -> list[int]:
        """Positions of the collected hits in display order: relevance is crowded (crowding.py)."""
        n = len(results)
        if sort != "relevance":
            return list(range(n))
        # the kind comes from the per-generation facet table; only problems and measures need their stored id
        col, values = self._tables(s)["kind"]
        ranked = []
        for i in range(min(n, CROWD_WINDOW)):
            kind = values[col[results[i].docnum]]
            hit_id = results[i]["id"] if kind in ("problem", "measure") else ""
            ranked.append(Ranked(hit_id, kind, results[i].score))
        order = crowd(ranked, CROWD_WINDOW)
        return order + list(range(len(order), n))

    def _run(self, s: Searcher, q: Q.Query, allow: frozenset[int] | None, page: int, per_page: int, sort: str,
             deadline: float, memo: dict) -> tuple[list[Found], Collection[int]]:
        """The top hits and every matching document number: scored from posting blocks (docsets.py);
        past the deadline, Whoosh's own collector gives the best hits it finds within one more bound."""
        # relevance pages are cut from the crowded top window, so that window is always collected
        limit = min(max(page * per_page, CROWD_WINDOW if sort == "relevance" else 0), MAX_WINDOW)
        try:
            scores = evaluate(s, q, deadline, memo, self._terms, self._generation(s))
        except TimeLimit:
            return self._collect(s, q, allow, limit, sort, time.thread_time() + self.options.time_limit_s)
        if allow is not None:
            scores = among(scores, allow)
        return top(s, scores, limit, by_date=sort == "date"), scores.keys()

    @staticmethod
    def _collect(s: Searcher, q: Q.Query, allow: frozenset[int] | None, limit: int, sort: str,
                 deadline: float) -> tuple[list[Found], set[int]]:
        """Whoosh's collector in one bounded pass: the best hits found before the deadline."""
        if sort == "date":
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

    def _hit(self, r: Any, words: tuple[str, ...], body: str) -> Hit:
        f = r.fields()
        return Hit(id=f["id"], kind=f["kind"], doc_id=f["doc_id"], doc_title=f.get("doc_title", ""),
                   doc_type=f.get("doc_type", ""), source_path=f.get("source_path", ""), title=f.get("title", ""),
                   score=round(float(r.score), 4),
                   snippet=snippet(body, words),
                   article=f.get("article"), problem=f.get("problem"), measure=f.get("measure"),
                   category=f.get("category") or None, published=f.get("published") or None,
                   publisher=f.get("publisher") or None, version=f.get("version") or None,
                   status=f.get("status") or None,
                   heading=heading(f["kind"], f.get("title", ""), f.get("doc_title", ""), f.get("article"),
                                   f.get("problem"), f.get("measure"), f.get("problem_title", "")))

    def _articles_in_force(self, s: Searcher) -> set[int]:
        """Document numbers of articles in force, once per index generation (profiled: the cross-check
        page rebuilt this set of every article for each of a notice's measures, most of its time)."""
        gen = self._generation(s)
        with self._lock:
            if self._in_force is None or self._in_force[0] != gen:
                # a set, not a frozenset: Whoosh takes only sets as filters
                docs = set(s.docs_for_query(Q.Term("kind", "article"))) - \
                    set(s.docs_for_query(Q.Term("status", VersionStatus.SUPERSEDED.value)))
                self._in_force = (gen, docs)
            return self._in_force[1]

    def _governed(self, s: Searcher, kind: Any) -> set[int]:
        """The articles of a fault kind's governing rules (indexer/suggest.py), once per kind and index generation."""
        from .suggest import governing_docs

        gen = self._generation(s)
        with self._lock:
            if self._governing_docs is None or self._governing_docs[0] != gen:
                self._governing_docs = (gen, {})
            table = self._governing_docs[1]
        if kind.kind not in table:
            table[kind.kind] = governing_docs(s, kind)
        return table[kind.kind]

    def _tables(self, s: Searcher) -> dict[str, Any]:
        """The facet tables of the searcher's generation, kept beside the index (indexer/execution.py)."""
        return self._facets.tables(s, self._generation(s), self._ix_dir)

    def keep_tables(self) -> None:
        """Read, or compute and keep beside the index, the current generation's facet tables: after an
        index update, so that a new server process's first page is fast."""
        self._tables(self.searcher())

    def suggestion_key(self) -> str:
        """The index state suggestions are kept for (indexer/checks.py), once per index generation."""
        from .checks import index_key

        s = self.searcher()
        gen = self._generation(s)
        with self._lock:
            if self._suggest_key is None or self._suggest_key[0] != gen:
                self._suggest_key = (gen, index_key(s))
            return self._suggest_key[1]

    def suggest_articles(self, topic: MeasureTopic, limit: int = 3) -> tuple[Suggestion, ...]:
        """Regulation articles on a measure's topic, in force, national and Party rules and the notice's own
        places first, each with its reason (indexer/suggest.py). The cross-check takes this as its Suggester.

        Kept in the archive per topic and index state (indexer/checks.py): computed once, then read."""
        from .suggest import suggest

        key, archive = (topic_key(topic, limit), self.suggestion_key()), self._archive()
        kept = archive.suggestions(*key)
        if kept is not None:
            return kept
        s = self.searcher()
        found = suggest(s, topic, limit, self.reg_keys, self.texts, self._hit, self._articles_in_force(s),
                        model=model_of(archive), governed=lambda kind: self._governed(s, kind))
        with archive.transaction() as conn:
            store.put_suggestions(conn, *key, found)
        return found
