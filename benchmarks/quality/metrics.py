"""Ranking metrics over graded judgments: nDCG@k, Recall@k, MRR@k, P@k.

A ranking is given as, for each hit in rank order, the set of judged units the hit covers
(empty for a hit that matches no judged unit). `score_ranking` dedupes it: each judged unit is
counted once, at the first hit that covers it; a later hit covering only units already counted
has gain 0 but keeps its rank (the user still sees it). A hit covering several judged units
(a problem whose judged measures roll up to it) gains the largest grade among the units it
covers that were not counted yet, and counts all of them as found.

Definitions (k = 10 unless stated; "relevant" = grade >= 1):

* nDCG@k: sum(gain_i / log2(i + 1)) over ranks i = 1..k, divided by the same sum for the
  judged grades sorted descending (the ideal ranking). Gain = grade (linear, 0/1/2).
* Recall@k: relevant judged units found in the top k / all relevant judged units.
* MRR@k: 1 / rank of the first hit with gain >= 1 in the top k, else 0 (binary relevance).
* P@5: hits with gain >= 1 among the top 5, divided by 5 (always 5, even with fewer hits).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

METRICS = ("ndcg@10", "recall@10", "mrr@10", "p@5")


def dcg(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first k gains (rank i discounted by log2(i + 1))."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]) if g)


def ndcg(gains: Sequence[float], grades: Iterable[float], k: int = 10) -> float:
    """DCG@k of the ranking over DCG@k of the judged grades sorted descending; 0 if nothing is judged."""
    ideal = dcg(sorted((g for g in grades if g > 0), reverse=True), k)
    return dcg(gains, k) / ideal if ideal > 0 else 0.0


def recall(found: int, relevant: int) -> float:
    """Share of the relevant judged units that were found; 0 when there are none."""
    return found / relevant if relevant else 0.0


def mrr(gains: Sequence[float], k: int = 10, threshold: float = 1) -> float:
    """Reciprocal rank of the first gain >= threshold within the top k, else 0."""
    for i, g in enumerate(gains[:k]):
        if g >= threshold:
            return 1.0 / (i + 1)
    return 0.0


def precision(gains: Sequence[float], k: int = 5, threshold: float = 1) -> float:
    """Hits with gain >= threshold among the top k, divided by k."""
    return sum(1 for g in gains[:k] if g >= threshold) / k


def dedupe(covers: Sequence[Iterable[Hashable]], grades: Mapping[Hashable, int]) -> tuple[list[int], list[set]]:
    """Per-rank gains and the units newly found at each rank, counting each judged unit once."""
    seen: set = set()
    gains: list[int] = []
    found: list[set] = []
    for cover in covers:
        new = {u for u in cover if u in grades} - seen
        seen |= new
        gains.append(max((grades[u] for u in new), default=0))
        found.append(new)
    return gains, found


def score_ranking(covers: Sequence[Iterable[Hashable]], grades: Mapping[Hashable, int],
                  k: int = 10) -> dict[str, float]:
    """All four metrics for one query: covers[i] = judged units the hit at rank i+1 covers."""
    gains, found = dedupe(list(covers)[:k], grades)
    relevant = {u for u, g in grades.items() if g >= 1}
    hit = set().union(*found) & relevant if found else set()
    return {"ndcg@10": ndcg(gains, grades.values(), k), "recall@10": recall(len(hit), len(relevant)),
            "mrr@10": mrr(gains, k), "p@5": precision(gains, 5)}


def mean(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Per-metric mean over queries (0 for an empty group)."""
    return {m: (sum(r[m] for r in rows) / len(rows) if rows else 0.0) for m in METRICS}
