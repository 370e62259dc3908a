"""minimum_should_match for the relaxed form of a long query (issue 31, third round), backend-neutral.

The engine ranks AND-first: the units holding every content word come first, the relaxed form's OR after them.
A pasted problem title or a staff question of six or more words rarely has all of them in one unit, so the
relaxed form answers, and its plain OR ranks a unit holding two rare words of ten above one holding seven
ordinary ones. Elasticsearch and Lucene answer such queries with a BooleanQuery of should-clauses and a
`minimum_should_match`: a unit must hold a share of the words, ranked by BM25 times a coordination factor.

The spec is Elasticsearch's (reference, "minimum_should_match parameter"), over the query's n content words:
- an integer `3`: that many; a negative one `-2`: all but that many;
- a percentage `75%`: that share of n, rounded down; a negative one `-25%`: that share may be missing (rounded
  down, then taken from n);
- a combination `3<75%`: n up to 3, all of them; above 3, the spec after `<`; several `2<-25% 9<-3`, each valid
  above its integer;
- whatever it computes, at least 1 and at most n.

Here the spec applies only above `above` words (shorter queries keep the AND-first ranking unchanged): the
relaxed form becomes Or(the strict form boosted, MinMatch(one clause per content word, minimum) × weight, and,
with `keep_or`, the plain OR's partial matches after them). Nothing here knows an index.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from . import querytree as Q

_PART = re.compile(r"^(-?)(\d+)(%?)$")


@dataclass(frozen=True, slots=True)
class MinMatchOptions:
    """How many of a long query's words a relaxed answer must hold (SearchOptions.min_match; None: off)."""

    spec: str = "75%"  # Elasticsearch's minimum_should_match over the content words
    above: int = 3  # queries of at most this many content words: unchanged (the AND-first ranking)
    weight: float = 1.0  # the min-match clause's boost in the relaxed form
    coord: bool = True  # scores × the share of words matched (Lucene's classic coordination factor)
    keep_or: bool = True  # the plain OR's partial matches still follow; False: only units meeting the minimum

    def __post_init__(self) -> None:
        required(self.spec, 1)  # a spec that does not parse fails here, naming itself
        if self.above < 0 or self.weight <= 0:
            raise ValueError(f"min_match options out of range: {self}")


def _one(part: str, n: int) -> int:
    m = _PART.match(part)
    if m is None:
        raise ValueError(f"minimum_should_match: cannot read {part!r} (e.g. 3, -1, 75%, -25%, 3<75%)")
    negative, value, percent = m.group(1) == "-", int(m.group(2)), m.group(3) == "%"
    count = math.floor(n * value / 100) if percent else value
    return n - count if negative else count


def required(spec: str, n: int) -> int:
    """The clauses of `n` a unit must match under an Elasticsearch minimum_should_match `spec` (1 to n)."""
    parts = spec.split()
    if not parts:
        raise ValueError("minimum_should_match: empty spec")
    need = n
    if all("<" not in p for p in parts):
        if len(parts) > 1:
            raise ValueError(f"minimum_should_match: several specs need N< conditions: {spec!r}")
        need = _one(parts[0], n)
    else:
        bound = -1
        for part in parts:
            limit, sep, rest = part.partition("<")
            if not sep or not limit.isdecimal() or int(limit) <= bound:
                raise ValueError(f"minimum_should_match: {part!r} in {spec!r} is not N<SPEC with N increasing")
            bound = int(limit)
            count = _one(rest, n)  # parsed whatever n is, so that a bad spec fails at once
            if n > bound:
                need = count
    return max(1, min(n, need))


def clause(groups: tuple[Q.Node, ...], options: MinMatchOptions) -> Q.MinMatch | None:
    """The min-match clause over the query's word groups, or None when the query is too short for it."""
    n = len(groups)
    if n <= options.above or n < 2:
        return None
    return Q.MinMatch(groups, required(options.spec, n), options.coord, options.weight)
