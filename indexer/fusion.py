"""Rank fusion of the engine's ranking with a plain BM25-OR ranking over the same index (issue 31), backend-neutral.

The engine ranks AND-first: the units holding every word of the query come first, the relaxed form's partial
matches after them. A long query (a pasted problem title, "what governs X", a staff question) rarely has all its
words in one unit, so the few units that happen to hold them all outrank the articles about the subject, which
plain BM25 over any of the words finds. Fusing the two rankings keeps what each is good at: a unit both rank
high stays high; a unit only one of them finds comes in at its rank there.

Two methods, set on the tune split only (benchmarks/quality/results_31.md):
- reciprocal rank fusion (Cormack et al. 2009): score(d) = Σ w_i / (k + rank_i(d)) over the lists holding d;
- CombSUM of max-normalised scores: score(d) = (1 - w) · s_engine(d) / max + w · s_plain(d) / max.

Gated by the query's shape: a query of fewer than `min_words` words (a short topic, an abbreviation, a number),
or one the strict form answered when `relaxed_only`, keeps the engine's ranking unchanged.

Length-adaptive (issue 31, third round): with `steepness` > 0 the plain list's weight grows with the query's
content words n as a logistic, weight / (1 + exp(−steepness · (n − midpoint))): a short query keeps nearly the
engine's ranking, a long one (a pasted title, a staff question) nearly plain BM25's. A large steepness is the
two-bucket rule (below the midpoint 0, above it `weight`).

Nothing here knows an index: rankings in, one ranking out (document numbers or ids, best first).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum


class Method(StrEnum):
    RRF = "rrf"
    SUM = "sum"


@dataclass(frozen=True, slots=True)
class FusionOptions:
    """How the plain OR ranking is fused into the engine's (SearchOptions.fusion; None: off)."""

    method: Method = Method.RRF
    k: float = 60.0  # RRF's rank offset
    weight: float = 1.0  # RRF: the plain list's weight (the engine's is 1); SUM: the plain list's share
    depth: int = 100  # ranks read from each list
    min_words: int = 1  # fewer words in the plain OR: the engine's ranking unchanged
    relaxed_only: bool = False  # fuse only when the relaxed form answered
    citations: bool = False  # fuse citation queries too (the engine's cited article is its strength)
    midpoint: float = 0.0  # length-adaptive: the content-word count at which the plain list has half its weight
    steepness: float = 0.0  # … and how fast its weight grows with each word; 0: a fixed weight, whatever the length
    fields: tuple[str, ...] = ()  # the plain OR scored over these fields only (("body",): as stock's parser); (): all

    def __post_init__(self) -> None:
        if self.k < 0 or self.weight < 0 or self.depth < 1 or self.min_words < 0 or self.steepness < 0:
            raise ValueError(f"fusion options out of range: {self}")
        object.__setattr__(self, "method", Method(self.method))
        object.__setattr__(self, "fields", tuple(self.fields))


def applies(options: FusionOptions, words: int, relaxed: bool) -> bool:
    """Whether a query of `words` plain-OR words, answered by the relaxed form or not, is fused."""
    return words >= options.min_words and (relaxed or not options.relaxed_only)


def weight_for(options: FusionOptions, words: int) -> float:
    """The plain list's weight for a query of `words` content words (the fixed weight unless length-adaptive)."""
    if options.steepness <= 0:
        return options.weight
    x = options.steepness * (words - options.midpoint)
    return options.weight / (1.0 + math.exp(-x)) if x > -700 else 0.0


def at_length(options: FusionOptions, words: int) -> FusionOptions:
    """The options with the weight a query of `words` content words gets."""
    return options if options.steepness <= 0 else replace(options, weight=weight_for(options, words))


def fuse(engine: Sequence[tuple[Hashable, float]], plain: Sequence[tuple[Hashable, float]],
         options: FusionOptions) -> list[tuple[Hashable, float]]:
    """The fused ranking of two rankings of (unit, score), best first; ties keep the engine's order first.

    Units past `depth` in the engine's list keep their order after the fused ones."""
    head, tail = list(engine[:options.depth]), list(engine[options.depth:])
    other = list(plain[:options.depth])
    fused: dict[Hashable, float] = {}
    if options.method is Method.RRF:
        for rank, (unit, _) in enumerate(head, 1):
            fused[unit] = 1.0 / (options.k + rank)
        for rank, (unit, _) in enumerate(other, 1):
            fused[unit] = fused.get(unit, 0.0) + options.weight / (options.k + rank)
    else:
        top_e = max((s for _, s in head), default=0.0) or 1.0
        top_p = max((s for _, s in other), default=0.0) or 1.0
        for unit, s in head:
            fused[unit] = (1.0 - options.weight) * s / top_e
        for unit, s in other:
            fused[unit] = fused.get(unit, 0.0) + options.weight * s / top_p
    order: dict[Hashable, int] = {}
    for unit, _ in head + other:
        order.setdefault(unit, len(order))
    ranked = sorted(fused.items(), key=lambda item: (-item[1], order[item[0]]))
    # the engine's units past the depth stay below every fused one, in the engine's order
    return ranked + [(u, 0.0) for u, _ in tail if u not in fused]
