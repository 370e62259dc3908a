"""How units are scored: Whoosh's BM25F, with superseded versions of a regulation scaled down, and
the best of a word's other names (DisMax).

The search pass (indexer/backends/whoosh/docsets.py) reads the parameters of these scorers to score a term's postings
a block at a time; Whoosh's own matchers use them one posting at a time. Both give the same scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import log
from typing import Any

from whoosh import query as Q
from whoosh import scoring
from whoosh.matching.binary import DisjunctionMaxMatcher

from archive.kinds import VersionStatus

from .weights import doc_frequency

SUPERSEDED_FACTOR = 0.6  # an old version of a regulation ranks below the version in force


class Scaled(scoring.BaseScorer):
    """Wraps a term scorer: scores of documents whose status is 已修订 are scaled down."""

    def __init__(self, inner: scoring.BaseScorer, superseded: frozenset[int]) -> None:
        self.inner, self.superseded = inner, superseded

    def supports_block_quality(self) -> bool:
        return self.inner.supports_block_quality()

    def max_quality(self) -> float:
        return self.inner.max_quality()  # scaling only lowers scores, so the bound holds

    def block_quality(self, matcher: Any) -> float:
        return self.inner.block_quality(matcher)

    def score(self, matcher: Any) -> float:
        value = self.inner.score(matcher)
        if self.superseded and matcher.id() in self.superseded:
            return value * SUPERSEDED_FACTOR
        return value


def superseded_docs(reader: Any) -> frozenset[int]:
    """Document numbers of superseded versions in one segment reader, read once per reader from the
    status term's postings and kept on the reader (profiled: opening the status column afresh for every
    term of a query was the largest cost of a search, since a column reader loads every document's offset)."""
    docs = getattr(reader, "_xuncha_superseded", None)
    if docs is None:
        value = VersionStatus.SUPERSEDED.value
        docs = frozenset(reader.postings("status", value).all_ids()) \
            if "status" in reader.schema and reader.doc_frequency("status", value) else frozenset()
        reader._xuncha_superseded = docs
    return docs


@dataclass(frozen=True, slots=True)
class Bm25:
    """What a term's BM25F scores in one segment depend on besides each posting's weight and length."""

    idf: float
    avgfl: float
    B: float
    K1: float
    superseded: frozenset[int]  # documents whose scores are scaled by SUPERSEDED_FACTOR


class PreferInForce(scoring.BM25F):
    """BM25F as Whoosh ships it (B 0.4 and 0.2 measured no better), preferring versions in force."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> scoring.BaseScorer:
        inner = super().scorer(searcher, fieldname, text, qf)
        return Scaled(inner, superseded_docs(searcher.reader()))

    def bm25(self, searcher: Any, fieldname: str, text: bytes) -> Bm25 | None:
        """The parameters of the scorer `scorer` makes for a term of a scored field (None for another field),
        without the term-info lookup Whoosh's scorer makes for its quality bound (which docsets.py never asks)."""
        if not searcher.schema[fieldname].scorable:
            return None
        parent = searcher.get_parent()
        return Bm25(parent.idf(fieldname, text), parent.avg_field_length(fieldname) or 1,
                    self._field_B.get(fieldname, self.B), self.K1, superseded_docs(searcher.reader()))

    def idf(self, searcher: Any, fieldname: str, text: bytes) -> float:
        """Whoosh's idf, its document frequency read from the segments' weights files."""
        parent = searcher.get_parent()
        n = doc_frequency(parent, fieldname, text)
        return log(parent.doc_count_all() / (n + 1)) + 1


# a unit's list of cited regulations is not text: citing three of them is not a third of citing one
WEIGHTING = PreferInForce(B=0.75, K1=1.2, cites_B=0.0)


class _MaxMatcher(DisjunctionMaxMatcher):
    """DisjunctionMaxMatcher as documented: the larger score of the clauses at the current document.

    Whoosh 2.7's takes the larger of both clauses' scores whenever both are active, wherever they stand,
    so a document matching one synonym alone was scored with the next document's other synonym
    (tests/test_docsets.py shows it)."""

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        ida, idb = a.id(), b.id()
        if ida != idb:
            return a.score() if ida < idb else b.score()
        return max(a.score(), b.score())


class DisMax(Q.DisjunctionMax):
    """A document scores its best clause (synonyms and other names of one word are not added up)."""

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        r = searcher.reader()
        return self._tree_matcher(subs, _MaxMatcher, searcher, context, lambda q: q.estimate_size(r),
                                  tiebreak=self.tiebreak)


class AtLeast(Q.Or):
    """A document matching at least `minmatch` of the clauses (querytree.MinMatch), their scores summed, × the share
    matched with `coord`. docsets.py evaluates it; Whoosh's own matcher (past the time bound only) reads it as the
    plain Or of its clauses, the minimum not applied."""

    def __init__(self, subqueries: list[Any], minmatch: int, coord: bool, boost: float = 1.0) -> None:
        super().__init__(subqueries, boost=boost, minmatch=minmatch)
        self.coord = coord

    def __eq__(self, other: object) -> bool:
        return (type(other) is AtLeast and self.subqueries == other.subqueries and self.boost == other.boost
                and self.minmatch == other.minmatch and self.coord == other.coord)

    def __hash__(self) -> int:
        return hash((AtLeast, tuple(self.subqueries), self.boost, self.minmatch, self.coord))

    def normalize(self) -> Any:
        return AtLeast([q.normalize() for q in self.subqueries], self.minmatch, self.coord, self.boost)
