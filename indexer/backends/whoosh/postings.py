"""A term's postings read from one segment: from its weights file (indexer/backends/whoosh/weights.py) when it holds the
term's arrays, else from Whoosh's posting blocks; and the scores made of them.

`Postings` is the reading half of docsets.py's `Leaf` (which holds the query algebra): it uses the leaf's
`reader` and its deadline check `_check`. Both sources give the same documents and scores, to the bit
(tests/test_weights.py): the arrays are scored in NumPy with whoosh's bm25 operation by operation, the blocks
by a (weight, length byte) table of the same function.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Set as AbstractSet
from itertools import accumulate, repeat
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer, bm25

from .weighting import SUPERSEDED_FACTOR, Bm25
from .weights import LENGTHS, bm25_arrays, open_weights

_LENGTHS = LENGTHS.tolist()  # a length byte's field length, as a Python number (bm25 is called per value)
Scores = dict[int, float]


class Postings:
    """How a segment's postings are read (mixed into docsets.Leaf, which sets `reader`)."""

    reader: Any

    def check(self) -> None:
        raise NotImplementedError

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
        if type(info) is Counted:
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
            self.check()
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

    def _block_positions(self, field: str, infos: list[Any], out: Scores) -> list[dict[int, Any]] | None:
        """Each word's encoded positions in the documents of `out`, read from the posting blocks that hold
        them; None when the postings are not Whoosh 3's blocks."""
        positions: list[dict[int, Any]] = []
        for _, text, info in infos:
            blocks = self._blocks(self._postings(field, text, info), out)
            if blocks is None:
                return None
            found: dict[int, Any] = {}
            wanted = out.keys()
            for ids, _, data in blocks:  # the block's positions of the matches, picked in C
                block = dict(zip(accumulate(data[0]), data[2]))
                keys = block.keys() & wanted
                found.update(zip(keys, map(block.__getitem__, keys)))
            positions.append(found)
        return positions

    def _chained(self, out: Scores, words: list[Any], slop: int) -> Scores:
        """The documents of `out` where the words' positions chain (as the blocks' loop in _phrase checks them),
        from the weights file's positions: each (document, position) is one int64 key, and a word's keys are
        kept where a key 1 to `slop` before is the previous word's."""
        docs = np.fromiter(out, dtype=np.int64, count=len(out))
        docs.sort()
        ends: Any = None
        for ids, counts, flat in words:
            self.check()
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
                self.check()
            out[m.id()] = m.score()
            m.next()
        return out

    def _probe(self, m: Any, cand: Scores) -> Scores:
        """The candidates this matcher matches, with its scores, found with skip_to (never reading what lies between)."""
        out: Scores = {}
        for n, doc in enumerate(sorted(cand)):
            if not m.is_active():
                break
            if not n & 255:
                self.check()
            if m.id() < doc:
                m.skip_to(doc)
                if not m.is_active():
                    break
            if m.id() == doc:
                out[doc] = m.score()
        return out


class Counted:
    """The term info of a term known from the segment's weights file, which tells its number of postings
    only (_postings looks the full one up when the term's blocks are read)."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def doc_frequency(self) -> int:
        return self.n


def picked(ids: Any, scores: Any, cand: Scores | None) -> Scores:
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
