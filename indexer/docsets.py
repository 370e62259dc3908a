"""A query's matches and scores from posting blocks, term at a time, instead of Whoosh's matcher tree.

A search needs every unit the query matches (for the total, the facets and the relax decision) and
the best of them. Whoosh collects both by walking a tree of pure-Python matchers one posting at a
time (`UnionMatcher.next`, `IntersectionMatcher.skip_to`, a scorer call per posting): profiled on the
whole corpus, that walk was nearly all of a slow search (an OR fallback over common words: seconds),
and past the CPU deadline its totals and facets were cut short.

Here a term's postings are read a block at a time (one pickled tuple of delta-coded ids, one of
weights; ids decoded with `itertools.accumulate`), blocks without a candidate are passed unread, and
each posting's BM25F score is looked up by (weight, length byte) in C. Or sums over the union, And
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
from bisect import bisect_left
from itertools import accumulate, repeat
from collections.abc import Hashable
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25FScorer, WeightScorer, bm25
from whoosh.searching import TimeLimit
from whoosh.util.numeric import byte_to_length

from .execution import TermCache
from .weights import bm25_arrays, open_weights
from .weighting import SUPERSEDED_FACTOR, Bm25, DisMax, Scaled

_LENGTHS = [byte_to_length(b) for b in range(256)]
_INF = float("inf")
CHECK_EVERY = 16  # posting blocks or clauses between two reads of the CPU clock (the deadline)
# terms in at least this many units of a segment are kept across searches (TermCache): measured on the whole
# corpus, 238 queries each run once in a new process, p50 18.8 ms at 512, 17.3 at 64 (the words of staff
# queries recur across different queries), no better below; the cache's bound is in postings either way
KEEP_MIN_DF = 64

Scores = dict[int, float]
# Or sums its clauses, And sums them where all match, the others take the best (Whoosh's DisMax as documented)
_INFOS = "term infos"  # the memo's entry of looked-up terms (its other keys are clause keys: tuples)
_COMPOUND = (Q.Or, Q.And, Q.DisjunctionMax, DisMax)


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
        found = _Leaf(sub, deadline, None if memo is None else memo.setdefault(n, {}), kept).eval(q, None)
        if offset:
            out.update(zip(map(offset.__add__, found.keys()), found.values()))
        elif not out:
            out = found  # eval's answer is the caller's own (never a memo's): taken, not copied
        else:
            out.update(found)
    return out


def _key(q: Q.Query) -> Any:
    """What a clause's unboosted scores depend on (None: not kept)."""
    kind = type(q)
    if kind is Q.Term:
        return (kind, q.fieldname, q.text)
    if kind is Q.Phrase:
        return (kind, q.fieldname, tuple(q.words), q.slop)
    if kind in _COMPOUND and len(q.subqueries) > 1:
        return (kind, tuple(q.subqueries), getattr(q, "minmatch", 0), getattr(q, "scale", None))
    return None


class _Leaf:
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

    def _check(self) -> None:
        # the first call, then one in CHECK_EVERY: a thread's CPU clock costs ~20 µs a read on this machine's
        # virtual cores (profiled: 4% of a median search when read before every block)
        self._ticks += 1
        if self.deadline is not None and self._ticks % CHECK_EVERY == 1 and time.thread_time() > self.deadline:
            raise TimeLimit

    def eval(self, q: Q.Query, cand: Scores | None) -> Scores:
        """The scores of `q`'s documents, among the keys of `cand` when it is given (a new dict: callers change it)."""
        self._check()
        memo, key, shared = self.memo, None, False
        if memo is not None and (key := _key(q)) is not None and key in memo:
            found = memo[key] if cand is None else among(memo[key], cand)
            shared = cand is None
        else:
            found = self._unboosted(q, cand)
            if memo is not None and key is not None and cand is None:
                memo[key], shared = found, True  # kept unchanged: what is returned is a copy
        boost = _boost(q)
        if boost != 1.0:
            return _scaled(found, boost)
        return dict(found) if shared else found

    def _unboosted(self, q: Q.Query, cand: Scores | None) -> Scores:
        kind = type(q)
        if kind is Q.Term:
            return self._term(q, cand)
        if kind in _COMPOUND and not getattr(q, "minmatch", 0) \
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
            from . import dense  # (imports this module)

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
        for child in sorted(subs, key=self._size):
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

    def _size(self, q: Q.Query) -> int:
        """Whoosh's estimate_size of a clause, its terms answered from the term infos _term reads too
        (Whoosh's own looked every term up again: a tenth of a median search on a small archive)."""
        kind = type(q)
        if kind is Q.Term:
            found = self._info(q)
            return found[2].doc_frequency() if found is not None else 0
        if kind is Q.Or or kind is Q.DisjunctionMax or kind is DisMax:
            return min(sum(map(self._size, q.subqueries)), self.reader.doc_count())
        if kind is Q.And and q.subqueries:
            return min(map(self._size, q.subqueries))
        if kind is Q.Phrase and q.words:
            return min(self._size(Q.Term(q.fieldname, w)) for w in q.words)
        try:
            return q.estimate_size(self.reader)
        except (TermNotFound, KeyError):
            return 0

    def _info(self, q: Q.Term) -> tuple[str, bytes, Any] | None:
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
                    found = (field, text, _Counted(n))
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

    def _term(self, q: Q.Term, cand: Scores | None) -> Scores:
        if cand is not None and not cand or (found := self._info(q)) is None:
            return {}
        field, text, info = found  # one lookup of the term, not one per question asked
        key = self._kept_key(found)
        if key is not None and (kept := self.kept[0].get(key)) is not None:  # type: ignore[index]
            return _from_arrays(*kept, cand)
        bm25 = getattr(self.weighting, "bm25", None)
        params = bm25(self.searcher, field, text) if bm25 is not None else None
        if params is not None and (arrays := self._stored(field, text, params)) is not None:
            if key is not None and (kept := self.kept[0].put_arrays(key, *arrays)) is not None:  # type: ignore[index]
                return _from_arrays(*kept, cand)
            return _picked(*arrays, cand)
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

    def _stored(self, field: str, text: bytes, p: Bm25) -> Any:
        """A term's live documents and scores (NumPy arrays, documents ascending) from the segment's weights
        file, scored as _score scores the blocks; None when the file does not hold the term's arrays."""
        store = open_weights(self.reader)
        found = store.get(field, text) if store is not None else None
        if found is None:
            return None
        ids, tf = found
        deleted = self._deleted()
        if deleted is not None:
            live = ~deleted[ids]
            ids, tf = ids[live], tf[live]
        lengths = np.frombuffer(self._lengths(field), dtype=np.uint8)
        scores = bm25_arrays(p.idf, tf, lengths[ids], p.avgfl, p.B, p.K1)
        if p.superseded:
            scores[self._mask("superseded", p.superseded)[ids]] *= SUPERSEDED_FACTOR
        return ids, scores

    def _deleted(self) -> Any:
        """A mask of this segment's deleted documents; None without deletions."""
        return self._mask("deleted", self.reader.deleted_docs_set) if self.reader.has_deletions() else None

    def _mask(self, name: str, docs: AbstractSet[int]) -> Any:
        """`docs` (one of the reader's own sets, fixed for its life) as a mask over the segment, made once per reader."""
        masks = getattr(self.reader, "_xuncha_masks", None)
        if masks is None:
            masks = self.reader._xuncha_masks = {}
        mask = masks.get(name)
        if mask is None:
            mask = masks[name] = np.zeros(self.reader.doc_count_all(), dtype=bool)
            mask[np.fromiter(docs, dtype=np.intp, count=len(docs))] = True
        return mask

    def _postings(self, field: str, text: bytes, info: Any) -> Any:
        """The term's postings from its term info (reader.postings would look the term up again), deleted
        documents filtered out as the reader does; the reader's own call for other kinds of reader."""
        if type(info) is _Counted:
            info = self.reader.term_info(field, text)
        terms, codec = getattr(self.reader, "_terms", None), getattr(self.reader, "_codec", None)
        postfile = getattr(terms, "_postfile", None)
        if codec is None or postfile is None:
            return self.reader.postings(field, text)
        m = codec.postings_reader(postfile, info, self.reader.schema[field].format, term=(field, text))
        deleted = self.reader.deleted_docs_set
        return FilterMatcher(m, deleted, exclude=True) if deleted else m

    def _blocks(self, m: Any, cand: Scores | None) -> Any:
        """(ids, weights, block data) of each posting block that may hold a candidate (every block without
        candidates), deleted documents left in (the caller keeps only live ones); None when the postings
        are not Whoosh 3's blocks."""
        deleted: Any = None
        if isinstance(m, FilterMatcher):
            if not m._exclude:  # an include filter (never made by the reader)
                return None
            deleted, m = m._ids, m.child
        if not isinstance(m, W3LeafMatcher) or m._byteids:
            return None
        return self._block_iter(m, None if cand is None else sorted(cand), deleted)

    def _block_iter(self, m: Any, cands: list[int] | None, deleted: Any) -> Any:
        j, low = 0, 0
        while m.is_active():
            self._check()
            if cands is not None:
                # the block holds ids in [low, maxid]: skipped unread when no candidate falls there
                j = bisect_left(cands, low, j)
                if j == len(cands):
                    return
                if cands[j] > m._maxid:
                    low = m._maxid + 1
                    m._next_block()
                    continue
            if m._data is None:
                m._read_data()
            data = m._data
            weights = data[1]
            ws: Any = weights if hasattr(weights, "__len__") else 1.0 if weights is None else float(weights)
            ids: Any = list(accumulate(data[0]))
            if deleted:
                wl = ws if not isinstance(ws, float) else repeat(ws)
                pairs = [(d, w) for d, w in zip(ids, wl) if d not in deleted]
                ids, ws = [d for d, _ in pairs], [w for _, w in pairs]
            yield ids, ws, data
            low = m._maxid + 1
            m._next_block()

    def _score(self, blocks: Any, inner: Any, field: str, cand: Scores | None) -> Scores:
        """A term's postings scored block by block: whoosh.scoring.bm25 with the same operations, computed once
        per (weight, length byte) and looked up in C for every posting."""
        out: Scores = {}
        if isinstance(inner, BM25FScorer):
            table = _BM25Table(inner)
            lengths = self._lengths(field)
        for ids, ws, _ in blocks:
            if isinstance(inner, BM25FScorer):
                lbs = map(lengths.__getitem__, ids)
                if isinstance(ws, float):
                    scores: Any = map(table.row(ws).__getitem__, lbs)
                else:
                    scores = map(table.__getitem__, zip(ws, lbs))
            else:  # an unscored field (WeightScorer): the weight is the score
                scores = repeat(ws) if isinstance(ws, float) else ws
            if cand is None:
                out.update(zip(ids, scores))
            else:
                block = dict(zip(ids, scores))
                keys = block.keys() & cand.keys()
                out.update(zip(keys, map(block.__getitem__, keys)))
        return out

    def _phrase(self, q: Q.Phrase, cand: Scores | None) -> Scores:
        """Whoosh's phrase: the documents with every word (scored as the And of its words, then boosted)
        where the words' positions chain in order, each 1 to `slop` after the one before."""
        field, schema = q.fieldname, self.reader.schema
        fmt = schema[field].format if field in schema else None
        if fmt is None or not fmt.supports("positions") or len(q.words) < 2:
            return self._whoosh(q, cand)
        words = [Q.Term(field, word) for word in q.words]
        infos = [self._info(w) for w in words]  # the And below and the positions read the same term infos
        if any(i is None for i in infos):
            return {}
        out = self.eval(Q.And(words), cand)
        if not out:
            return out
        store = open_weights(self.reader)
        stored = [store.positions(field, text) for _, text, _ in infos] if store is not None else []  # type: ignore[misc]
        if stored and all(p is not None for p in stored):
            return self._chained(out, stored, q.slop)
        decode = fmt.decoder("positions")
        positions: list[dict[int, Any]] = []
        for _, text, info in infos:  # type: ignore[misc]
            blocks = self._blocks(self._postings(field, text, info), out)
            if blocks is None:
                return self._whoosh(q, cand)
            found: dict[int, Any] = {}
            wanted = out.keys()
            for ids, _, data in blocks:  # the block's positions of the matches, picked in C
                block = dict(zip(accumulate(data[0]), data[2]))
                keys = block.keys() & wanted
                found.update(zip(keys, map(block.__getitem__, keys)))
            positions.append(found)
        slop = q.slop
        for n, d in enumerate(list(out)):
            if not n & 1023:
                self._check()
            ends = set(decode(positions[0][d]))
            for found in positions[1:]:
                ends = {p for p in decode(found[d]) if any(p - k in ends for k in range(1, slop + 1))}
                if not ends:
                    break
            if not ends:
                del out[d]
        return out

    def _chained(self, out: Scores, words: list[Any], slop: int) -> Scores:
        """The documents of `out` where the words' positions chain (as the blocks' loop in _phrase checks them),
        from the weights file's positions: each (document, position) is one int64 key, and a word's keys are
        kept where a key 1 to `slop` before is the previous word's."""
        docs = np.fromiter(out, dtype=np.int64, count=len(out))
        docs.sort()
        ends: Any = None
        for ids, counts, flat in words:
            self._check()
            at = np.searchsorted(ids, docs)  # every document of out has every word (the And matched it)
            n = counts[at].astype(np.int64)
            first = (np.cumsum(counts, dtype=np.int64) - counts)[at]  # where each document's positions start
            cum = np.cumsum(n)
            picked = flat[np.repeat(first - (cum - n), n) + np.arange(int(cum[-1]))].astype(np.int64)
            keys = (np.repeat(docs, n) << 32) | picked
            if ends is None:
                ends = keys
                continue
            after = ends + 1 if slop == 1 else np.unique(np.concatenate([ends + k for k in range(1, slop + 1)]))
            i = np.searchsorted(after, keys)
            i[i == len(after)] = 0
            ends = keys[after[i] == keys]
            if not len(ends):
                return {}
        matched = np.unique(ends >> 32).tolist()
        return dict(zip(matched, map(out.__getitem__, matched)))

    def _lengths(self, field: str) -> bytes:
        """Every document's length byte for `field` in this segment, read once per reader."""
        kept = getattr(self.reader, "_xuncha_lengths", None)
        if kept is None:
            kept = self.reader._xuncha_lengths = {}
        raw = kept.get(field)
        if raw is None:
            n = self.reader.doc_count_all()
            raw = b""
            perdoc = getattr(self.reader, "_perdoc", None)
            col = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc is not None else None
            if col is not None:
                raw = bytes(col._dbfile.get(col._basepos, col._count))
            raw = kept[field] = raw[:n] + bytes(n - len(raw)) if len(raw) < n else raw[:n]
        return raw

    def _walk(self, m: Any) -> Scores:
        """Every posting of a scoring matcher, one at a time (the general case)."""
        out: Scores = {}
        n = 0
        while m.is_active():
            n += 1
            if not n & 1023:
                self._check()
            out[m.id()] = m.score()
            m.next()
        return out

    def _whoosh(self, q: Q.Query, cand: Scores | None) -> Scores:
        """A query type matched and scored by Whoosh's own matcher (phrases with positions, Every, ranges)."""
        if cand is not None and not cand:
            return {}
        m = q.matcher(self.searcher, self.searcher.context(needs_current=True))
        return self._walk(m) if cand is None else self._probe(m, cand)

    def _probe(self, m: Any, cand: Scores) -> Scores:
        """The candidates this matcher matches, with its scores, found with skip_to (never reading what lies between)."""
        out: Scores = {}
        for n, doc in enumerate(sorted(cand)):
            if not m.is_active():
                break
            if not n & 255:
                self._check()
            if m.id() < doc:
                m.skip_to(doc)
                if not m.is_active():
                    break
            if m.id() == doc:
                out[doc] = m.score()
        return out


class _Counted:
    """The term info of a term known from the segment's weights file, which tells its number of postings
    only (_postings looks the full one up when the term's blocks are read)."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def doc_frequency(self) -> int:
        return self.n


def _boost(q: Q.Query) -> float:
    """The factor Whoosh applies to a clause's scores: its boost, except where its matcher ignores it
    (a one-clause compound gets its clause's matcher; binary queries push boosts into their clauses) or
    applies it itself (the query types Whoosh matches here)."""
    kind = type(q)
    if kind is Q.Term or kind is Q.Every and q.fieldname is None or kind is Q.Phrase and len(q.words) >= 2:
        return q.boost
    if kind in _COMPOUND and len(q.subqueries) > 1 and not getattr(q, "minmatch", 0) \
            and not getattr(q, "scale", None):
        return q.boost
    return 1.0


def among(scores: Scores, docs: Scores | AbstractSet[int]) -> Scores:
    """The entries of `scores` whose documents are among `docs` (a set, or a dict's keys), intersected in C."""
    keys = scores.keys() & (docs.keys() if isinstance(docs, dict) else docs)
    return dict(zip(keys, map(scores.__getitem__, keys)))


def _from_arrays(ids: Any, scores: Any, cand: Scores | None) -> Scores:
    """Kept scores (array.array: int document numbers ascending, float64 scores), among the candidates when
    there are any (as _picked picks them, on NumPy views of the same memory)."""
    if cand is None:
        return dict(zip(ids, scores))
    return _picked(np.frombuffer(ids, dtype=np.intc), np.frombuffer(scores, dtype=np.float64), cand)


def _picked(ids: Any, scores: Any, cand: Scores | None) -> Scores:
    """Scores from NumPy arrays (document numbers ascending) as a dict, among the candidates when there are any,
    found by bisection in C (measured against a bisection per candidate in Python and a dict intersection:
    2,000 candidates in 40,000 postings 1.9 → 0.26 ms)."""
    if cand is None:
        return dict(zip(memoryview(ids), memoryview(scores)))  # Python numbers, read in C (tolist: 40% slower)
    if not len(ids):
        return {}
    docs = np.fromiter(cand, dtype=ids.dtype, count=len(cand))
    at = np.searchsorted(ids, docs)
    at[at == len(ids)] = 0
    hit = ids[at] == docs
    return dict(zip(docs[hit].tolist(), scores[at[hit]].tolist()))


def _scaled(scores: Scores, factor: float) -> Scores:
    return dict(zip(scores.keys(), map(operator.mul, scores.values(), repeat(factor))))


class _BM25Table(dict):
    """A term's BM25F score by (weight, length byte), each computed on first use as whoosh.scoring.bm25 does."""

    def __init__(self, scorer: Any) -> None:
        super().__init__()
        self.idf, self.B, self.K1, self.avgfl = scorer.idf, scorer.B, scorer.K1, scorer.avgfl
        self._rows: dict[float, _Row] = {}

    def __missing__(self, key: tuple[float, int]) -> float:
        tf, lb = key
        value = self[key] = bm25(self.idf, tf, _LENGTHS[lb], self.avgfl, self.B, self.K1)
        return value

    def row(self, tf: float) -> _Row:
        """The scores of weight `tf` by length byte (a block whose postings all weigh `tf`), each computed on
        first use: filling all 256 for every term read was a tenth of a median search (profiled)."""
        row = self._rows.get(tf)
        if row is None:
            row = self._rows[tf] = _Row(self, tf)
        return row


class _Row(dict):
    """One weight's BM25F scores by length byte, computed on first use."""

    def __init__(self, table: _BM25Table, tf: float) -> None:
        super().__init__()
        self.table, self.tf = table, tf

    def __missing__(self, lb: int) -> float:
        t = self.table
        value = self[lb] = bm25(t.idf, self.tf, _LENGTHS[lb], t.avgfl, t.B, t.K1)
        return value
