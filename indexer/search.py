"""The one search API: search(query, filters, page, per_page, sort) -> Results.

The CLI and the web UI call this and nothing else of the index. One SearchService per process keeps the opened
search backend (indexer/backend.py; the engine options.backend names, indexer/backends/) and talks to it only
through the SearchBackend interface: it checks parameters, builds the query tree, keeps the result cache,
crowds and pages the units the backend ranks, and cuts snippets from the archive's text.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from archive import store
from archive.database import Archive
from archive.faults import model_of, prior_of
from archive.records import MeasureTopic, Suggestion, topic_key

from . import querytree as T
from .analysis import load_segmenter, query_words
from .backend import RELAX_BELOW, FoundUnit, Matched, SearchBackend, SearchRequest, Sort
from .backends import open_backend
from .checks import index_key
from .citing import evidence, references
from .crowding import WINDOW as CROWD_WINDOW
from .crowding import Ranked, crowd
from .cache import ResultCache
from .options import SearchOptions
from .feedback import FeedbackOptions, FeedbackUnit, expand
from .query import (COLLOQUIAL_PATH, STOP, SYNONYMS_PATH, BuiltQuery, QueryTooLong, build_query, load_synonyms,
                    with_expansion)
from .related import FILE as RELATED_FILE
from .related import expansion as related_words
from .related import load as load_related
from .results import MAX_WINDOW, RELAXED_CAP, Hit, Results, SearchError, heading, validate
from .snippets import snippet
from .suggest import suggest
from .variants import Variant, combine, rewrite

# the search API's types live in results.py; importing them from here keeps working
__all__ = ["MAX_WINDOW", "RELAXED_CAP", "RELAX_BELOW", "Hit", "Results", "SearchError", "SearchService", "validate"]

COMMON_SHARE = 0.10  # a word in more than this share of units is left out of the OR fallback (per field)


class SearchService:
    """Holds the open backend for a process; thread-safe, refreshed when a reindex lands."""

    def __init__(self, options: SearchOptions, backend: SearchBackend | None = None, warm: bool = True) -> None:
        """warm: load jieba and the synonyms now (a server, before its first query) rather than when first needed
        (a one-off command: `xuncha check` of a notice whose suggestions are kept segments nothing)."""
        self.options = options
        self.backend = backend if backend is not None else open_backend(options)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._cache = ResultCache(options.result_cache)
        self._suggest_key: tuple[Any, str] | None = None
        self._synonyms: tuple[Any, dict[str, tuple[str, ...]]] | None = None
        self._related: tuple[Any, dict[str, tuple[tuple[str, float], ...]]] | None = None
        if warm:
            load_segmenter()
            load_synonyms()

    def _archive(self) -> Archive:
        """This thread's connection to the archive the index was built from."""
        archive: Archive | None = getattr(self._local, "archive", None)
        if archive is None:
            archive = self._local.archive = Archive.open(self.options.db_path)
        return archive

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        """The archive's text of these units: the index stores none."""
        return self._archive().unit_texts(ids)

    def hits(self, units: Iterable[FoundUnit], words: tuple[str, ...]) -> tuple[Hit, ...]:
        """Hits for found units, with snippets from the archive's text (one query for the page)."""
        units = list(units)
        texts = self.texts(u.id for u in units)
        return tuple(self._hit(u, words, texts.get(u.id, "")) for u in units)

    def version(self) -> str:
        """A token that changes whenever the index does (for caches of derived results)."""
        return self.backend.version()

    @property
    def reg_keys(self) -> frozenset[str]:
        """Short titles of the regulations in the index (for citation-aware queries)."""
        return self.backend.regulation_keys()

    def synonyms(self) -> dict[str, tuple[str, ...]]:
        """The curated synonyms plus the vocabulary mined into the current generation (indexer/vocabulary.py)."""
        files = self.backend.synonym_files()
        with self._lock:
            if self._synonyms is None or self._synonyms[0] != files:
                self._synonyms = (files, load_synonyms(str(SYNONYMS_PATH), str(COLLOQUIAL_PATH), *map(str, files)))
            return self._synonyms[1]

    def build(self, text: str, filters: Mapping[str, str]) -> BuiltQuery:
        """build_query with this index's regulation titles, word frequencies and the length cap."""
        return self.build_variants(text, filters)[0]

    def build_variants(self, text: str, filters: Mapping[str, str]) -> tuple[BuiltQuery, tuple[Variant, ...]]:
        """build(), and with options.variants the query simplified and ORed with its typo correction."""
        backend = self.backend

        @lru_cache(maxsize=None)  # per query: decompounding and the OR fallback ask about the same words
        def df(fieldname: str, word: str) -> int:
            return backend.doc_frequency(fieldname, word)

        def built(q: str) -> BuiltQuery:
            return build_query(q, filters, reg_keys=self.reg_keys, synonyms=self.synonyms(),
                               max_chars=self.options.max_query_chars, df=df,
                               max_df=int(backend.unit_count() * COMMON_SHARE), versions=backend.regulation_versions,
                               min_match=self.options.min_match, frame=self.options.frame)

        if self.options.variants is None:
            return built(text), ()
        if len(text) > self.options.max_query_chars:
            raise QueryTooLong(len(text), self.options.max_query_chars)
        rw = rewrite(text, df, self.options.variants)
        typed = built(rw.text)
        if rw.corrected is None:
            return typed, rw.variants
        alt, w = built(rw.corrected), self.options.variants.weight
        if alt.empty:
            return typed, rw.variants
        if typed.empty:
            typed = replace(alt, strict=T.NULL, relaxed=T.NULL, highlight=(), any_word=None, plain=None)
        either = (lambda a, b: b if a is None else a if b is None else combine(a, b, w))
        return replace(typed, strict=combine(typed.strict, alt.strict, w), relaxed=combine(typed.relaxed, alt.relaxed, w),
                       highlight=tuple(dict.fromkeys(typed.highlight + alt.highlight)),
                       any_word=either(typed.any_word, alt.any_word), plain=either(typed.plain, alt.plain),
                       citation=typed.citation or alt.citation, empty=False), rw.variants

    def search(self, text: str, filters: Mapping[str, str] | None = None, page: int = 1, per_page: int = 20,
               sort: str = "relevance", kind: str | None = None) -> Results:
        """Search at any grain with facet filters; AND first, OR when AND finds almost nothing.

        Answers come from a bounded cache keyed by the index generation when the same search ran before."""
        eff = validate(kind, filters or {}, page, per_page, sort)
        text = text.strip()
        key = (self.backend.version(), text, tuple(sorted(eff.items())), page, per_page, sort)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        results = self._search(text, eff, page, per_page, sort)
        if not results.missing_shards:  # a partial answer (a shard down) is never kept
            self._cache.put(key, results)
        return results

    def _search(self, text: str, eff: dict[str, str], page: int, per_page: int, sort: str) -> Results:
        try:
            built, variants = self.build_variants(text, eff)
        except QueryTooLong as exc:
            raise SearchError("q", "too_long", length=exc.length, limit=exc.limit) from exc
        if built.empty:
            if built.filters is None:
                return Results(text, 0, (), {}, page, per_page)
            # no words but filters: browse every unit the filters select (a statistics bar's link)
            built = replace(built, strict=T.Every(), relaxed=T.Every(), empty=False)
        # relevance pages are cut from the crowded top window, so that window is always collected
        limit = min(max(page * per_page, CROWD_WINDOW if sort == "relevance" else 0), MAX_WINDOW)
        fusion = self.options.fusion  # rank fusion (indexer/fusion.py): the backend is given the plain OR too
        plain = built.plain if fusion is not None and (built.citation is None or fusion.citations) else None
        if plain is not None and fusion is not None and fusion.fields:
            plain = T.restrict(plain, frozenset(fusion.fields))
            plain = None if plain is T.NULL else plain
        found = self.backend.search(SearchRequest(built.strict, built.relaxed, built.any_word, built.filters, limit,
                                                  Sort(sort), RELAX_BELOW, self.options.time_limit_s, plain=plain,
                                                  words=built.words))
        if self.options.cited is not None and built.citation is not None and built.citation.article and sort == "relevance":
            found = self._cited(built, found, limit)
        # the total counts the units matching the query as typed; partial matches are counted apart
        total, relaxed = found.full_matches, found.relaxed
        partial = max(0, found.matched - total) if relaxed else 0
        units = found.units
        if (self.options.feedback or self.options.related) is not None and sort == "relevance" and units:
            # units only the expansion words found are partial matches (totals and facets are the query's)
            units, fed = self._feedback(built.relaxed if relaxed else built.strict, built, found, limit)
            partial += fed
        partial_shown = min(partial, RELAXED_CAP)
        reach = min(total + partial_shown, MAX_WINDOW)
        first = (page - 1) * per_page
        page_units = ([units[i] for i in self._order(units, sort)[first: min(first + per_page, reach)]]
                      if first < reach else [])
        hits = self.hits(page_units, built.highlight)
        facets = {name: list(values) for name, values in found.facets.items()}
        return Results(text, total, hits, facets, page, per_page, relaxed, built.highlight, built.citation, total,
                       partial, partial_shown, tuple(found.missing_shards), variants)

    def _cited(self, built: BuiltQuery, found: Matched, limit: int) -> Matched:
        """The articles the cited article refers to in its own law added as scored candidates (indexer/citing.py);
        totals and facets stay the query's."""
        c, opts = built.citation, self.options.cited
        assert c is not None and opts is not None
        first = next((u for u in found.units[:10] if u.kind == "article" and u.fields().get("reg_key") == c.key
                      and u.fields().get("article_num") == c.article), None)
        if first is None:
            return found
        refs = references(self.texts([first.id]).get(first.id, ""), c.article or 0, opts.limit)
        extra = evidence(c.key, first.fields().get("version") or None, refs, opts.weight)
        if extra is None:
            return found
        again = self.backend.search(SearchRequest(T.Or((built.strict, extra)), T.Or((built.relaxed, extra)),
                                                  built.any_word, built.filters, limit, Sort.RELEVANCE, RELAX_BELOW,
                                                  self.options.time_limit_s))
        return replace(found, units=again.units)

    def _feedback(self, q: T.Node, built: BuiltQuery, found: Matched, limit: int) -> tuple[Sequence[FoundUnit], int]:
        """Query expansion after the first ranking: the words related to the query's in the archive
        (indexer/related.py) and pseudo-relevance feedback's (indexer/feedback.py) are added and the query
        run again; the first ranking when there are none. With the number of units the expansion alone found."""
        terms = dict(related_words(built.highlight, self.related(), self.options.related)
                     if self.options.related is not None else ())
        opts = self.options.feedback
        if opts is not None and (built.citation is None or opts.citations):
            for w, boost in self._feedback_words(built, found.units, opts):
                terms[w] = max(terms.get(w, 0.0), boost)
        if not terms:
            return found.units, 0
        rerank = all(o.rerank for o in (opts, self.options.related) if o is not None)
        expanded = with_expansion(q, tuple(terms.items()), rerank)
        fed = self.backend.search(SearchRequest(expanded, expanded, None, built.filters, limit, Sort.RELEVANCE,
                                                0, self.options.time_limit_s))
        return fed.units, max(0, fed.matched - found.matched)

    def _feedback_words(self, built: BuiltQuery, units: Sequence[FoundUnit],
                        opts: FeedbackOptions) -> tuple[tuple[str, float], ...]:
        """RM3's expansion words from the first results' top units of each grain (indexer/feedback.py)."""
        grains: dict[str, list[FoundUnit]] = {}
        for u in units[:CROWD_WINDOW]:
            if u.kind != "document" and len(grains.setdefault(u.kind, [])) < opts.docs:
                grains[u.kind].append(u)
        texts = self.texts(u.id for us in grains.values() for u in us)
        fed = {k: [FeedbackUnit(u.score, tuple(query_words(texts.get(u.id, "")))) for u in us]
               for k, us in grains.items()}
        return expand(built.highlight, fed, lambda w: self.backend.doc_frequency("body", w), self.backend.unit_count(),
                      opts, STOP)

    def related(self) -> dict[str, tuple[tuple[str, float], ...]]:
        """The words learned to co-occur in the current generation's texts (indexer/related.py), when used."""
        files = self.backend.generation_files(RELATED_FILE)
        with self._lock:
            if self._related is None or self._related[0] != files:
                self._related = (files, load_related(files[0]) if files else {})
            return self._related[1]

    @staticmethod
    def _order(units: Sequence[FoundUnit], sort: str) -> list[int]:
        """Positions of the ranked units in display order: relevance is crowded (crowding.py)."""
        n = len(units)
        if sort != "relevance":
            return list(range(n))
        ranked = []
        for i in range(min(n, CROWD_WINDOW)):
            kind = units[i].kind  # only problems and measures need their id
            ranked.append(Ranked(units[i].id if kind in ("problem", "measure") else "", kind, units[i].score))
        order = crowd(ranked, CROWD_WINDOW)
        return order + list(range(len(order), n))

    def _hit(self, r: FoundUnit, words: tuple[str, ...], body: str) -> Hit:
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

    def keep_tables(self) -> None:
        """What a new server process's first page would compute, computed now (after an index update)."""
        self.backend.warm()

    # suggestions (indexer/suggest.py): through the backend's interface, on any engine

    def searcher(self) -> Any:
        """The Whoosh backend's searcher of this thread (the engine's tests read it)."""
        searcher = getattr(self.backend, "searcher", None)
        if searcher is None:
            raise NotImplementedError(f"the {self.backend.name!r} backend has no whoosh searcher")
        return searcher()

    def suggestion_key(self) -> str:
        """The index state suggestions are kept for (indexer/checks.py), once per index version."""
        gen = self.backend.version()
        with self._lock:
            if self._suggest_key is None or self._suggest_key[0] != gen:
                self._suggest_key = (gen, index_key(self.backend))
            return self._suggest_key[1]

    def suggest_articles(self, topic: MeasureTopic, limit: int = 3) -> tuple[Suggestion, ...]:
        """Regulation articles on a measure's topic, in force, national and Party rules and the notice's own
        places first, each with its reason (indexer/suggest.py). The cross-check takes this as its Suggester.

        Kept in the archive per topic and index state (indexer/checks.py): computed once, then read."""
        key, archive = (topic_key(topic, limit), self.suggestion_key()), self._archive()
        kept = archive.suggestions(*key)
        if kept is not None:
            return kept
        model = model_of(archive)
        found = suggest(self.backend, topic, limit, self.reg_keys, self.texts, self._hit, model=model,
                        prior=prior_of(archive, model))
        with archive.transaction() as conn:
            store.put_suggestions(conn, *key, found)
        return found
