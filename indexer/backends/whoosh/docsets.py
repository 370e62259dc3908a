"""A query's matches and scores from term postings, term at a time, instead of Whoosh's matcher tree.

A search needs every unit the query matches (for the total, the facets and the relax decision) and
the best of them. Whoosh collects both by walking a tree of pure-Python matchers one posting at a
time (`UnionMatcher.next`, `IntersectionMatcher.skip_to`, a scorer call per posting): profiled on the
whole corpus, that walk was nearly all of a slow search (an OR fallback over common words: seconds),
and past the CPU deadline its totals and facets were cut short.

Here a term's postings are read whole (indexer/backends/whoosh/postings.py): from the segment's weights file as arrays,
scored in NumPy, or else a block at a time (one pickled tuple of delta-coded ids, one of weights), blocks
without a candidate passed unread and each posting's BM25F score looked up by (weight, length byte) in C.
This module is the algebra over them: Or sums over the union, And
over the intersection (clauses in the order of their estimated sizes, each later one read only where
the earlier ones matched), DisMax takes the best, phrases are the And of their words where the
positions chain. Clauses shared by one search's strict and relaxed forms are evaluated once (`memo`).

Measured on the 238 benchmark queries (whole corpus, one machine, one run): p50 95 → 47 ms, p95 885 →
353 ms, slowest 1.8 s → 0.47 s, none over 1 s (it was 9), and exact totals. The scores are Whoosh's:
the same formula on the same statistics (tests/test_docsets.py compares both on every quality query
and on segmented indexes with deletions). Query types not known here are matched and scored by
Whoosh's own matcher, restricted to the candidates when there are any.
"""

from __future__ import annotations

import operator
import time
from collections import Counter
from itertools import repeat
from collections.abc import Hashable
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.searching import TimeLimit

from . import dense
from .clauses import COMPOUND, boost_of, clause_key
from .execution import TermCache
from .postings import Counted, Postings, Scores, picked
from .weighting import SUPERSEDED_FACTOR, AtLeast, DisMax, Scaled
from .weights import open_weights

_INF = float("inf")
CHECK_EVERY = 16  # posting blocks or clauses between two reads of the CPU clock (the deadline)
# terms in at least this many units of a segment are kept across searches (TermCache): measured on the whole
# corpus, 238 queries each run once in a new process, p50 18.8 ms at 512, 17.3 at 64 (the words of staff
# queries recur across different queries), no better below; the cache's bound is in postings either way
KEEP_MIN_DF = 64

_INFOS = "term infos"  # the memo's entry of looked-up terms (its other keys are clause keys: tuples)


def evaluate(searcher: Any, q: Q.Query, deadline: float | None = None, memo: dict | None = None,
             terms: TermCache | None = None, generation: Hashable = None) -> Scores:
    """Every document number matching `q` (deleted documents left out) → its score, as Whoosh scores it.

    `memo` (a dict the caller keeps for one search) shares clauses between the queries of one search:
    the relaxed form repeats the strict one. `terms` keeps common terms' scores across searches of the
    index `generation`. Raises whoosh's TimeLimit once the thread's CPU time passes `deadline`
    (time.thread_time)."""
    out: Scores = {}
    for n, (sub, offset) in enumerate(searcher.leaf_searchers()):
        kept = (terms, (generation, n, offset)) if terms is not None else None
        found = Leaf(sub, deadline, None if memo is None else memo.setdefault(n, {}), kept).eval(q, None)
        if offset:
            out.update(zip(map(offset.__add__, found.keys()), found.values()))
        elif not out:
            out = found  # eval's answer is the caller's own (never a memo's): taken, not copied
        else:
            out.update(found)
    return out


class Leaf(Postings):
    """The evaluation of one query over one segment."""

    def __init__(self, searcher: Any, deadline: float | None, memo: dict | None = None,
                 kept: tuple[TermCache, Hashable] | None = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.weighting = searcher.weighting
        self.deadline = deadline
        self.memo = memo
        self.kept = kept
        self._ticks = 0
        # term infos, shared by the search's evaluations (strict, relaxed) through its memo
        self._infos: dict[tuple[str, Any], tuple[str, bytes, Any] | None] = \
            memo.setdefault(_INFOS, {}) if memo is not None else {}

    def check(self) -> None:
        # the first call, then one in CHECK_EVERY: a thread's CPU clock costs ~20 µs a read on this machine's
        # virtual cores (profiled: 4% of a median search when read before every block)
        self._ticks += 1
        if self.deadline is not None and self._ticks % CHECK_EVERY == 1 and time.thread_time() > self.deadline:
            raise TimeLimit

    def eval(self, q: Q.Query, cand: Scores | None) -> Scores:
        """The scores of `q`'s documents, among the keys of `cand` when it is given (a new dict: callers change it)."""
        self.check()
        memo, key, shared = self.memo, None, False
        if memo is not None and (key := clause_key(q)) is not None and key in memo:
            found = memo[key] if cand is None else among(memo[key], cand)
            shared = cand is None
        else:
            found = self._unboosted(q, cand)
            if memo is not None and key is not None and cand is None:
                memo[key], shared = found, True  # kept unchanged: what is returned is a copy
        boost = boost_of(q)
        if boost != 1.0:
            return _scaled(found, boost)
        return dict(found) if shared else found

    def _unboosted(self, q: Q.Query, cand: Scores | None) -> Scores:
        kind = type(q)
        if kind is Q.Term:
            return self._term(q, cand)
        if kind is AtLeast:
            return self._at_least(q, cand)
        if kind in COMPOUND and not getattr(q, "minmatch", 0) \
                and not getattr(q, "scale", None):
            subs = q.subqueries
            if not subs:
                return {}
            if len(subs) == 1:
                return self.eval(subs[0], cand)
            return self._and(subs, cand) if kind is Q.And else self._union(subs, cand, kind is not Q.Or)
        if kind is Q.AndMaybe:
            a = self.eval(q.a, cand)
            if a:
                for d, v in self.eval(q.b, a).items():
                    a[d] += v
            return a
        if kind is Q.AndNot:
            a = self.eval(q.a, cand)
            if a:
                for d in self.eval(q.b, a):
                    del a[d]
            return a
        if kind is Q.Phrase:
            return self._phrase(q, cand)
        if kind is Q.Every and q.fieldname is None:  # every live document, scored its boost (Whoosh's ListMatcher)
            docs = self.reader.all_doc_ids() if cand is None else (d for d in cand)
            return dict.fromkeys(docs, 1.0)
        if q is Q.NullQuery or kind is type(Q.NullQuery):
            return {}
        return self._whoosh(q, cand)

    # The merges below are written with map/zip over operator functions so that they run in C: a
    # Python loop per posting was most of an OR search's time (measured on the whole corpus).

    def _union(self, subs: list[Q.Query], cand: Scores | None, dismax: bool) -> Scores:
        if cand is None and len(subs) > 2:
            if dense.worth_it(self, subs):  # a long query's relaxed OR: summed in arrays
                return dense.union(self, subs, dismax)
        out: Scores = {}
        for child in subs:
            found = self.eval(child, cand)
            if not out:
                out = found
            elif found:
                if len(found) > len(out):
                    # the smaller merged into the larger: each sum is the same (addition and max commute)
                    out, found = found, out
                keys = found.keys()
                olds = map(out.get, keys, repeat(-_INF if dismax else 0.0))
                out.update(zip(keys, map(max if dismax else operator.add, olds, found.values())))
        return out

    def _and(self, subs: list[Q.Query], cand: Scores | None) -> Scores:
        acc: Scores | None = cand
        first = True
        for child in sorted(subs, key=self.size):
            found = self.eval(child, acc)
            if first:
                acc, first = found, False
            else:
                assert acc is not None  # found holds only documents of acc
                keys = found.keys()
                acc = dict(zip(keys, map(operator.add, map(acc.__getitem__, keys), found.values())))
            if not acc:
                return {}
        return acc or {}

    def _at_least(self, q: AtLeast, cand: Scores | None) -> Scores:
        """The documents matching at least `minmatch` of the clauses, their scores summed (× the share matched
        with `coord`). A document holding m of n clauses holds one of the n − m + 1 smallest: their union is
        the candidates, and the other clauses are read only there."""
        subs = sorted(q.subqueries, key=self.size)
        n = len(subs)
        need = q.minmatch  # 1..n: querytree.MinMatch holds it there
        out: Scores = {}
        counts: Counter[int] = Counter()
        for i, child in enumerate(subs):
            found = self.eval(child, cand if i <= n - need else out)
            if not found:
                continue
            counts.update(found.keys())
            keys = found.keys()
            out.update(zip(keys, map(operator.add, map(out.get, keys, repeat(0.0)), found.values())))
        if q.coord:
            return {d: out[d] * c / n for d, c in counts.items() if c >= need}
        return {d: out[d] for d, c in counts.items() if c >= need}

    def size(self, q: Q.Query) -> int:
        """Whoosh's estimate_size of a clause, its terms answered from the term infos _term reads too
        (Whoosh's own looked every term up again: a tenth of a median search on a small archive)."""
        kind = type(q)
        if kind is Q.Term:
            found = self.info(q)
            return found[2].doc_frequency() if found is not None else 0
        if kind is Q.Or or kind is Q.DisjunctionMax or kind is DisMax or kind is AtLeast:
            return min(sum(map(self.size, q.subqueries)), self.reader.doc_count())
        if kind is Q.And and q.subqueries:
            return min(map(self.size, q.subqueries))
        if kind is Q.Phrase and q.words:
            return min(self.size(Q.Term(q.fieldname, w)) for w in q.words)
        try:
            return q.estimate_size(self.reader)
        except (TermNotFound, KeyError):
            return 0

    def info(self, q: Q.Term) -> tuple[str, bytes, Any] | None:
        """(field, term bytes, term info) of a term in this segment, looked up once per search; None when absent."""
        key = (q.fieldname, q.text)
        if key in self._infos:
            return self._infos[key]
        found = None
        field = q.fieldname
        if field in self.reader.schema:
            try:
                text = self.reader.schema[field].to_bytes(q.text)
                store = open_weights(self.reader)
                n = store.doc_frequency(field, text) if store is not None else None
                if n is None:
                    found = (field, text, self.reader.term_info(field, text))
                elif n:  # the weights file lists every term of the fields it covers
                    found = (field, text, Counted(n))
            except (ValueError, TermNotFound):  # a value the field cannot hold, or a term not here
                pass
        self._infos[key] = found
        return found

    def _kept_key(self, found: tuple[str, bytes, Any]) -> Any:
        """The TermCache key of a term (its field, bytes and info) that is kept across searches, else None."""
        field, text, info = found
        if self.kept is None or info.doc_frequency() < KEEP_MIN_DF:
            return None
        return (self.kept[1], field, text)

    def arrays(self, found: tuple[str, bytes, Any]) -> tuple[Any, Any] | None:
        """A term's (field, bytes, info) unboosted scores over the whole segment as NumPy arrays (int32 document
        numbers ascending, float64 scores): kept across searches, or read from the weights file (and kept when
        the term is common); None when neither holds them (the term is read from its blocks)."""
        field, text, _ = found
        key = self._kept_key(found)
        if key is not None and (kept := self.kept[0].get(key)) is not None:  # type: ignore[index]
            return np.frombuffer(kept[0], dtype=np.intc), np.frombuffer(kept[1], dtype=np.float64)
        bm25 = getattr(self.weighting, "bm25", None)
        params = bm25(self.searcher, field, text) if bm25 is not None else None
        arrays = self._stored(field, text, params) if params is not None else None
        if arrays is not None and key is not None:
            self.kept[0].put_arrays(key, *arrays)  # type: ignore[index]
        return arrays

    def _term(self, q: Q.Term, cand: Scores | None) -> Scores:
        if cand is not None and not cand or (found := self.info(q)) is None:
            return {}
        if (arrays := self.arrays(found)) is not None:
            return picked(*arrays, cand)
        field, text, info = found  # one lookup of the term, not one per question asked
        key = self._kept_key(found)
        scorer = self.weighting.scorer(self.searcher, field, text)
        inner, superseded = (scorer.inner, scorer.superseded) if isinstance(scorer, Scaled) else (scorer, None)
        m = self._postings(field, text, info)
        # a term kept across searches is read whole once (later searches restrict it in C)
        blocks = self._blocks(m, None if key is not None else cand) \
            if isinstance(inner, (BM25FScorer, WeightScorer)) else None
        if blocks is None:  # another scorer or posting format: Whoosh's own matcher, one posting at a time
            m = self.reader.postings(field, text, scorer=scorer)
            return self._walk(m) if cand is None else self._probe(m, cand)
        out = self._score(blocks, inner, field, None if key is not None else cand)
        if superseded:
            for d in out.keys() & superseded:
                out[d] *= SUPERSEDED_FACTOR
        if key is not None:
            self.kept[0].put(key, out)  # type: ignore[index]
            return out if cand is None else among(out, cand)
        return out

    def _phrase(self, q: Q.Phrase, cand: Scores | None) -> Scores:
        """Whoosh's phrase: the documents with every word (scored as the And of its words, then boosted)
        where the words' positions chain in order, each 1 to `slop` after the one before."""
        field, schema = q.fieldname, self.reader.schema
        fmt = schema[field].format if field in schema else None
        if fmt is None or not fmt.supports("positions") or len(q.words) < 2:
            return self._whoosh(q, cand)
        words = [Q.Term(field, word) for word in q.words]
        infos = [self.info(w) for w in words]  # the And below and the positions read the same term infos
        if any(i is None for i in infos):
            return {}
        out = self.eval(Q.And(words), cand)
        if not out:
            return out
        store = open_weights(self.reader)
        stored = [store.positions(field, text) for _, text, _ in infos] if store is not None else []  # type: ignore[misc]
        if stored and all(p is not None for p in stored):
            return self._chained(out, stored, q.slop)
        positions = self._block_positions(field, infos, out)
        if positions is None:
            return self._whoosh(q, cand)
        decode, slop = fmt.decoder("positions"), q.slop
        for n, d in enumerate(list(out)):
            if not n & 1023:
                self.check()
            ends = set(decode(positions[0][d]))
            for found in positions[1:]:
                ends = {p for p in decode(found[d]) if any(p - k in ends for k in range(1, slop + 1))}
                if not ends:
                    break
            if not ends:
                del out[d]
        return out

    def _whoosh(self, q: Q.Query, cand: Scores | None) -> Scores:
        """A query type matched and scored by Whoosh's own matcher (phrases with positions, Every, ranges)."""
        if cand is not None and not cand:
            return {}
        m = q.matcher(self.searcher, self.searcher.context(needs_current=True))
        return self._walk(m) if cand is None else self._probe(m, cand)


def among(scores: Scores, docs: Scores | AbstractSet[int]) -> Scores:
    """The entries of `scores` whose documents are among `docs` (a set, or a dict's keys), intersected in C."""
    keys = scores.keys() & (docs.keys() if isinstance(docs, dict) else docs)
    return dict(zip(keys, map(scores.__getitem__, keys)))


def _scaled(scores: Scores, factor: float) -> Scores:
    return dict(zip(scores.keys(), map(operator.mul, scores.values(), repeat(factor))))
