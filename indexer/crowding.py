"""Crowding: the top of a relevance ranking should not be one problem and all its measures.

A measure right below its own problem (or a problem below one of its measures, or a sibling
measure) repeats what the user has just read. Within a fixed window of the top hits such a hit's
score is scaled down, and the window is re-sorted greedily. Pure: it sees ids, grains and scores.
(Crowding articles of one regulation the same way was measured and lost: a regulation's
neighbouring articles are often all relevant.)
"""

from __future__ import annotations

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
    """The order (indexes into `hits`, best first) after crowding the top `window`."""
    head = list(range(min(window, len(hits))))
    order: list[int] = []
    problems: set[str] = set()
    while head:
        def adjusted(i: int) -> float:
            p = problem_of(hits[i])
            return hits[i].score * (SAME_UNIT if p is not None and p in problems else 1.0)

        # best adjusted score; ties keep the engine's order
        best = max(head, key=lambda i: (adjusted(i), -i))
        head.remove(best)
        order.append(best)
        if (p := problem_of(hits[best])) is not None:
            problems.add(p)
    return order + list(range(len(order), len(hits)))
