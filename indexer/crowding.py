"""Crowding: the top of a relevance ranking should not be one problem and all its measures.

A measure right below its own problem (or a problem below one of its measures, or a sibling
measure) repeats what the user has just read. Within a fixed window of the top hits such a hit's
score is scaled down, and the window is re-sorted greedily. Pure: it sees ids, grains and scores.
(Crowding articles of one regulation the same way was measured and lost: a regulation's
neighbouring articles are often all relevant.)
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from archive import ids

WINDOW = 100  # only the top hits are re-ranked, so every page of one query sees the same order
SAME_UNIT = 0.5  # a measure under a problem already shown, or a problem with a measure shown


@dataclass(frozen=True, slots=True)
class Ranked:
    """What crowding needs of a hit."""

    id: str
    kind: str
    score: float


def problem_of(hit: Ranked) -> str | None:
    """The problem a problem or measure belongs to."""
    return ids.problem_of(hit.id) if hit.kind in ("problem", "measure") else None


def crowd(hits: Sequence[Ranked], window: int = WINDOW) -> list[int]:
    """The order (indexes into `hits`, best first) after crowding the top `window`.

    Greedy: the best adjusted score next, ties in the engine's order. A hit's score only ever drops
    (once, when its problem is shown), so a heap with lazy re-scoring gives the same order in
    n log n (profiled: the quadratic scan was a tenth of a query's time)."""
    n = min(window, len(hits))
    problems = [problem_of(h) for h in hits[:n]]
    heap = [(-h.score, i, False) for i, h in enumerate(hits[:n])]  # (-adjusted score, position, demoted)
    heapq.heapify(heap)
    shown: set[str] = set()
    order: list[int] = []
    while heap:
        neg, i, demoted = heapq.heappop(heap)
        p = problems[i]
        if p is not None and p in shown and not demoted:
            heapq.heappush(heap, (-hits[i].score * SAME_UNIT, i, True))
            continue
        order.append(i)
        if p is not None:
            shown.add(p)
    return order + list(range(n, len(hits)))
