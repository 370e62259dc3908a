"""The second phase of a distributed search: a window of candidates scored exactly as the Whoosh engine scores
the query tree (indexer/querytree.py), from each candidate's own tokens and the cluster's statistics.

An engine that retrieves and counts well but ranks by its own formula (Sphinx: each keyword counted once per
document whatever the query's structure, `|` summing where the tree asks for the best clause) returns its best
few hundred units with their tokens; this module orders them. It is the rescoring step of Lucene's
QueryRescorer / Elasticsearch's `rescore` with a `window_size` and of Vespa's second-phase ranking: the first
phase only has to find the units the exact score would put first.

What it mirrors (one implementation, written against the tree, not against Whoosh's objects):
- a Term in a scored field (title, body, context, cites): BM25F as the Whoosh engine configures it
  (indexer/backends/whoosh/weighting.py: K1 1.2, B 0.75, cites B 0, idf = log(N/(df+1)) + 1 with N every unit
  and df the units with the term in that field), with the unit's field length as Whoosh keeps it (one byte per
  unit and field: the smallest length of LENGTHS not below it) against the field's average length (all tokens
  / N); × its boost; × SUPERSEDED_FACTOR for a superseded version;
- a Term in an unscored exact field (reg_key, version, article_num): 1 × boost (× the superseded factor);
- Phrase: the And of its words where their positions chain, each 1..slop after the one before (sub-words share
  their word's position), × boost; a one-word phrase is its word;
- Or sums the clauses that match, And sums all (each must match), DisMax takes the best, AndMaybe adds the
  optional clause where it matches, AndNot keeps what the negative does not match, Every scores 1 × boost,
  MinMatch sums the clauses that match when at least `minimum` do (× matched / all with `coord`) × boost;
  a compound of one clause is that clause (its own boost is not applied: Whoosh matches it by its clause).
tests/test_rescore.py checks every score against the Whoosh backend's on the sample corpus.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from . import querytree as T
from .analysis import SEP, SUB, Segmented, encode

K1 = 1.2
B = {"title": 0.75, "body": 0.75, "context": 0.75, "cites": 0.0}  # the scored fields
SCORED = tuple(B)
EXACT = ("reg_key", "version", "article_num")  # matched whole, scored 1
SUPERSEDED_FACTOR = 0.6
# a field length as the index keeps it: the lengths one byte encodes, (1.033^n − 1)·27 rounded (Whoosh's
# length byte, from the formula its numeric utilities document); a length is stored as the first not below it
LENGTHS = tuple(int(round((1.033 ** n - 1) * 27)) for n in range(256))


def stored_length(n: int) -> int:
    """A field length as the index stores it (one byte: rounded up to the next length it encodes)."""
    if n >= LENGTHS[-1]:
        return LENGTHS[-1]
    lo, hi = 0, 255
    while lo < hi:  # the first LENGTHS[i] >= n
        mid = (lo + hi) // 2
        if LENGTHS[mid] < n:
            lo = mid + 1
        else:
            hi = mid
    return LENGTHS[lo]


@dataclass(frozen=True, slots=True)
class Statistics:
    """The collection a score is computed against: every unit, each scored field's tokens in all, and a
    document frequency lookup (field, term) → units."""

    units: int
    lengths: Mapping[str, float]
    df: Callable[[str, str], int]

    def average(self, name: str) -> float:
        return (float(self.lengths.get(name, 0)) / self.units if self.units else 0.0) or 1.0

    def idf(self, name: str, term: str) -> float:
        return math.log(self.units / (self.df(name, term) + 1)) + 1


@dataclass(slots=True)
class UnitTokens:
    """One candidate's fields: each scored text field's tokens by position (sub-words at their word's position),
    its cites, and its exact keys. Built from `payload()`'s mapping (encoded text as indexer/analysis.encode
    writes it)."""

    superseded: bool
    positions: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    length: dict[str, int] = field(default_factory=dict)
    exact: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, values: Mapping[str, Any], superseded: bool, wanted: AbstractSet[str] | None = None) -> UnitTokens:
        """A unit's tokens; with `wanted` (a query's words: query_terms), the positions of those alone."""
        unit = cls(superseded)
        for name in ("title", "body", "context"):
            by_term: dict[str, list[int]] = {}
            n, pos = 0, -1
            for tok in (values.get(name) or "").split(SEP):
                if not tok:
                    continue
                if tok[0] == SUB:
                    tok = tok[1:]
                else:
                    pos += 1
                n += 1
                tok = tok.lower()
                if wanted is None or tok in wanted:
                    by_term.setdefault(tok, []).append(pos)
            unit.positions[name], unit.length[name] = by_term, n
        cites: dict[str, list[int]] = {}
        for i, part in enumerate(p.strip() for p in str(values.get("cites") or "").split(",")):
            if part:
                cites.setdefault(part, []).append(i)
        unit.positions["cites"], unit.length["cites"] = cites, sum(map(len, cites.values()))
        unit.exact = {k: str(values[k]) for k in EXACT if values.get(k) not in (None, "")}
        return unit


def query_terms(node: T.Node) -> frozenset[str]:
    """Every word a tree's terms and phrases ask for (what UnitTokens.of needs to keep)."""
    out: set[str] = set()
    for n in T.walk(node):
        if isinstance(n, T.Term):
            out.add(str(n.text))
        elif isinstance(n, T.Phrase):
            out.update(str(w) for w in n.words)
    return frozenset(out)


def payload(record: Mapping[str, Any]) -> dict[str, str]:
    """What a unit's second-phase score needs from its grain record (text fields encoded, keys as text)."""
    out: dict[str, str] = {}
    for name in ("title", "body", "context"):
        value = record.get(name)
        if value:
            enc = str(value) if type(value) is Segmented else encode(str(value))  # as the Whoosh tokenizer reads it
            out[name] = enc or ""
    for name in ("cites", *EXACT):
        if record.get(name) not in (None, ""):
            out[name] = str(record[name])
    return out


class Scorer:
    """Scores query trees over units against one collection's statistics (idf and averages kept per term)."""

    def __init__(self, stats: Statistics) -> None:
        self.stats = stats
        self._idf: dict[tuple[str, str], float] = {}

    def _term(self, node: T.Term, unit: UnitTokens) -> float | None:
        name, text = node.field, node.text
        scale = node.boost * (SUPERSEDED_FACTOR if unit.superseded else 1.0)
        if name in B:
            at = unit.positions.get(name, {}).get(str(text))
            if not at:
                return None
            return self._bm25(name, str(text), len(at), unit) * scale
        if name in EXACT:
            have = unit.exact.get(name)
            if have is None:
                return None
            same = have == str(text) if name != "article_num" else _int(have) == _int(text)
            return scale if same else None
        return None

    def _bm25(self, name: str, text: str, tf: int, unit: UnitTokens) -> float:
        key = (name, text)
        idf = self._idf.get(key)
        if idf is None:
            idf = self._idf[key] = self.stats.idf(name, text)
        b = B[name]
        fl = stored_length(unit.length.get(name, 0))
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - b) + b * fl / self.stats.average(name))))

    def _phrase(self, node: T.Phrase, unit: UnitTokens) -> float | None:
        words = [str(w) for w in node.words]
        if not words:
            return None
        if len(words) == 1:
            one = self._term(T.Term(node.field, words[0]), unit)
            return None if one is None else one * node.boost
        at = unit.positions.get(node.field, {})
        if any(not at.get(w) for w in words):
            return None
        ends = set(at[words[0]])
        for w in words[1:]:
            ends = {p for p in at[w] if any(p - k in ends for k in range(1, node.slop + 1))}
            if not ends:
                return None
        total = 0.0
        for w in words:
            total += self._term(T.Term(node.field, w), unit) or 0.0
        return total * node.boost

    def score(self, node: T.Node, unit: UnitTokens) -> float | None:
        """The unit's score for the tree, None when the tree does not match it."""
        kind = type(node)
        if kind is T.Term:
            return self._term(node, unit)  # type: ignore[arg-type]
        if kind is T.Phrase:
            return self._phrase(node, unit)  # type: ignore[arg-type]
        if kind is T.Or or kind is T.DisMax or kind is T.And:
            clauses = node.clauses  # type: ignore[union-attr]
            if not clauses:
                return None
            if len(clauses) == 1:
                return self.score(clauses[0], unit)
            found = [self.score(c, unit) for c in clauses]
            if kind is T.And:
                if any(v is None for v in found):
                    return None
                return sum(found) * node.boost  # type: ignore[arg-type, union-attr]
            kept = [v for v in found if v is not None]
            if not kept:
                return None
            return (max(kept) if kind is T.DisMax else sum(kept)) * node.boost  # type: ignore[union-attr]
        if kind is T.MinMatch:
            found = [v for c in node.clauses if (v := self.score(c, unit)) is not None]  # type: ignore[union-attr]
            n = len(node.clauses)  # type: ignore[union-attr]
            if not found or len(found) < node.minimum:  # type: ignore[union-attr]
                return None
            return sum(found) * (len(found) / n if node.coord else 1.0) * node.boost  # type: ignore[union-attr]
        if kind is T.AndMaybe:
            req = self.score(node.required, unit)  # type: ignore[union-attr]
            if req is None:
                return None
            opt = self.score(node.optional, unit)  # type: ignore[union-attr]
            return req + (opt or 0.0)
        if kind is T.AndNot:
            pos = self.score(node.positive, unit)  # type: ignore[union-attr]
            if pos is None or self.score(node.negative, unit) is not None:  # type: ignore[union-attr]
                return None
            return pos
        if kind is T.Every:
            return node.boost  # type: ignore[union-attr]
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
