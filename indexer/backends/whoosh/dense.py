"""Large unions summed in arrays: the relaxed OR of a long query, whose words' postings cover much of a segment.

docsets.py merges a union's clauses dict into dict, 100–150 ns a posting in C; over the 300,000 postings a
relaxed OR may read (the 40 common words of a long query, three fields each) that merging, with turning kept
terms' arrays into dicts and scaling them by their boosts, was most of the query. Here each clause's
postings come as NumPy arrays (a kept term's straight from the TermCache, without a dict) and are added
into one dense accumulator over the segment's documents, a few ns a posting; one dict is built at the end.

The sums are Whoosh's to the bit: each document's clauses are added in the clause order, as the dict merge
adds them (0.0 + x is x; a + b is b + a), and boosts multiply the same float64 values. Only the order of
the returned dict's keys differs (ascending), which no caller depends on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as Q

from .clauses import boost_of, clause_key
from .postings import Scores
from .weighting import DisMax

DENSE_SHARE = 8  # a union whose clauses hold at least 1/DENSE_SHARE of a segment's documents' postings
DENSE_MIN = 20_000  # … and at least this many postings is summed in arrays
# a union inside one (a word's fields) is summed in arrays too from 1/INNER_SHARE of the segment: a dict of its
# postings would only be turned into arrays again
INNER_SHARE = 64
_UNIONS = (Q.Or, Q.DisjunctionMax, DisMax)
Arrays = tuple[Any, Any]  # document numbers (intp), scores (float64)
# `leaf` below: a docsets.Leaf (the evaluation of one query over one segment), which calls this module


def worth_it(leaf: Any, subs: list[Q.Query], inner: bool = False) -> bool:
    """Whether a union over the whole segment (no candidates) is large enough to be summed in arrays; `inner`:
    a union inside one that is."""
    size = sum(map(leaf.size, subs))
    if inner:
        return size * INNER_SHARE >= leaf.reader.doc_count_all()
    return size >= DENSE_MIN and size * DENSE_SHARE >= leaf.reader.doc_count_all()


def union(leaf: Any, subs: list[Q.Query], dismax: bool) -> Scores:
    """The union of `subs` over the whole segment (Or: the sum; DisMax: the best), as docsets computes it."""
    ids, values = _union_arrays(leaf, subs, dismax)
    return dict(zip(ids.tolist(), values.tolist()))


def _union_arrays(leaf: Any, subs: list[Q.Query], dismax: bool) -> Arrays:
    n = leaf.reader.doc_count_all()
    acc = np.zeros(n)
    present = np.zeros(n, dtype=bool)
    for child in subs:
        ids, values = _clause(leaf, child)
        if not len(ids):
            continue
        if dismax:
            acc[ids] = np.where(present[ids], np.maximum(acc[ids], values), values)
        else:
            acc[ids] += values  # 0.0 where the document was not matched yet: its first score, unchanged
        present[ids] = True
    docs = np.flatnonzero(present)
    return docs, acc[docs]


def _clause(leaf: Any, q: Q.Query) -> Arrays:
    """One clause's documents and scores (boost applied) over the whole segment."""
    leaf.check()
    memo = leaf.memo
    key = clause_key(q) if memo is not None else None
    if key is not None and key in memo:  # evaluated before in this search (the strict form): read, not copied
        ids, values = _from_dict(memo[key])
    elif type(q) is Q.Term and (found := _term(leaf, q)) is not None:
        ids, values = found
    elif type(q) in _UNIONS and _is_plain(q) and worth_it(leaf, q.subqueries, inner=True):
        ids, values = _union_arrays(leaf, q.subqueries, type(q) is not Q.Or)
    else:
        return _from_dict(leaf.eval(q, None))  # eval applies the boost
    boost = boost_of(q)
    return (ids, values * boost) if boost != 1.0 else (ids, values)


def _is_plain(q: Q.Query) -> bool:
    return len(q.subqueries) > 1 and not getattr(q, "minmatch", 0) and not getattr(q, "scale", None)


def _term(leaf: Any, q: Q.Term) -> Arrays | None:
    """A term's unboosted scores as arrays, kept or from the weights file (docsets.Leaf.arrays); None when the term is
    read from its blocks."""
    found = leaf.info(q)
    if found is None:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    arrays = leaf.arrays(found)
    return None if arrays is None else (arrays[0].astype(np.intp), arrays[1])


def _from_dict(scores: Scores) -> Arrays:
    n = len(scores)
    return np.fromiter(scores.keys(), dtype=np.intp, count=n), np.fromiter(scores.values(), dtype=np.float64, count=n)
