"""Pseudo-relevance feedback (RM3), backend-neutral: terms and weights in, weighted expansion terms out.

A search's first results are read as if they were relevant: the words they share and the query lacks
(the rule's own words for what the user typed in theirs) are added to the query with small weights.
RM3 (Lavrenko and Croft's relevance model, interpolated with the original query):

    P(w|R) = sum over feedback units d of P(w|d) * P(d|Q)      P(d|Q): the unit's share of the scores
    final  = (1 - λ) P(w|Q) + λ P(w|R)

Under a scoring that adds up its terms, multiplying the whole model by |Q| / (1 - λ) keeps every
original word at weight 1 and gives expansion word w the weight λ |Q| P(w|R) / (1 - λ): `expand`
returns those weights, so the caller adds the words to the query as it stands.

Feedback is per grain (articles, problems, measures): each grain's top units make its own model,
and a grain is left out when its units disagree (the mean overlap of their top words is low) or
when its score curve is flat (the first unit is barely ahead of the k-th: the query named nothing
the units tell apart). With no grain left the query is not expanded.

Nothing here knows an index: the caller gives each unit's words (segmented as the index spells
them), its score, and a document frequency for the words (indexer/search.py does, from Whoosh).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True, slots=True)
class FeedbackOptions:
    """RM3's settings (set on the tune split only: benchmarks/quality/results_31.md)."""

    docs: int = 5  # k: feedback units per grain
    terms: int = 10  # expansion words kept
    weight: float = 0.05  # λ: the expansion's share of the interpolated model
    min_overlap: float = 0.05  # gate: mean pairwise Jaccard of the units' top words (0: never gated)
    max_flat: float = 0.98  # gate: k-th score / first score above this is a flat curve (1: never gated)
    max_df_share: float = 0.05  # words in more than this share of units are not expansion words
    top_words: int = 20  # words per unit compared by the overlap gate
    citations: bool = True  # expand citation queries too
    rerank: bool = False  # only reorder the units the query finds (True) or let the words bring new ones


@dataclass(frozen=True, slots=True)
class FeedbackUnit:
    """One feedback unit: its retrieval score and its words (repeated as often as they occur)."""

    score: float
    words: tuple[str, ...]


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class _Vocabulary:
    """Which words may count, and their idf, from the caller's document frequencies (asked once each)."""

    def __init__(self, df: Callable[[str], int], n: int, max_df_share: float, skip: Collection[str]) -> None:
        self.df, self.n, self.cap, self.skip = df, max(1, n), max_df_share * max(1, n), skip
        self._idf: dict[str, float | None] = {}

    def idf(self, word: str) -> float | None:
        """The word's idf, or None when it may not be an expansion word (too common, too short, skipped)."""
        if word not in self._idf:
            f = self.df(word) if len(word) > 1 and not word.isdigit() and word not in self.skip else 0
            self._idf[word] = _idf(f, self.n) if 0 < f <= self.cap else None
        return self._idf[word]


def _unit_model(unit: FeedbackUnit, vocab: _Vocabulary) -> dict[str, float]:
    """P(w|d) for the words that may count, tf·idf-weighted and normalised (common words say nothing)."""
    counts = Counter(unit.words)
    weights = {w: c * i for w, c in counts.items() if (i := vocab.idf(w)) is not None}
    total = sum(weights.values())
    return {w: v / total for w, v in weights.items()} if total else {}


def overlap(models: Sequence[Mapping[str, float]], top: int = 20) -> float:
    """Mean pairwise Jaccard of the units' `top` heaviest words (1.0 for fewer than two units)."""
    tops = [set(sorted(m, key=lambda w: (-m[w], w))[:top]) for m in models if m]
    pairs = list(combinations(tops, 2))
    if not pairs:
        return 1.0
    return sum(len(a & b) / len(a | b) for a, b in pairs) / len(pairs)


def flat(scores: Sequence[float]) -> float:
    """The last score over the first (1.0: a flat curve; 0.0: no scores or a first score of zero)."""
    return scores[-1] / scores[0] if scores and scores[0] > 0 else 0.0


def relevance_model(units: Sequence[FeedbackUnit], vocab: _Vocabulary) -> tuple[dict[str, float], list[dict[str, float]]]:
    """P(w|R) over the units, each weighted by its share of the scores; and the units' own models."""
    models = [_unit_model(u, vocab) for u in units]
    total = sum(max(0.0, u.score) for u in units)
    if not total:
        return {}, models
    rm: dict[str, float] = {}
    for u, m in zip(units, models):
        share = max(0.0, u.score) / total
        for w, p in m.items():
            rm[w] = rm.get(w, 0.0) + share * p
    return rm, models


def expand(query_words: Sequence[str], grains: Mapping[str, Sequence[FeedbackUnit]], df: Callable[[str], int],
           n: int, options: FeedbackOptions, skip: Collection[str] = ()) -> tuple[tuple[str, float], ...]:
    """The expansion words and their weights (an original word weighs 1), heaviest first; () when gated.

    `grains` maps a grain to its units in rank order (the first `options.docs` are read); `df(word)` is
    the number of the `n` units holding the word; `skip` are words never added (stop words)."""
    original = {w for w in query_words if w}
    if not original or options.terms <= 0 or options.weight <= 0:
        return ()
    vocab = _Vocabulary(df, n, options.max_df_share, skip)
    kept: list[tuple[float, dict[str, float]]] = []
    best = max((u.score for units in grains.values() for u in units[:1]), default=0.0)
    for units in grains.values():
        units = list(units[: options.docs])
        if len(units) < 2 or best <= 0:
            continue
        if flat([u.score for u in units]) > options.max_flat:
            continue
        rm, models = relevance_model(units, vocab)
        if not rm or overlap(models, options.top_words) < options.min_overlap:
            continue
        kept.append((units[0].score / best, rm))  # a grain counts as much as its first unit's score
    if not kept:
        return ()
    total = sum(w for w, _ in kept)
    combined: dict[str, float] = {}
    for w, rm in kept:
        for word, p in rm.items():
            combined[word] = combined.get(word, 0.0) + p * w / total
    # a word already in the query, or a part of one, is not new evidence
    fresh = {w: p for w, p in combined.items() if not any(w in q or q in w for q in original)}
    picked = sorted(fresh.items(), key=lambda kv: (-kv[1], kv[0]))[: options.terms]
    mass = sum(p for _, p in picked)
    if not mass:
        return ()
    lam = min(options.weight, 0.95)
    scale = lam * len(original) / (1 - lam)
    return tuple((w, round(scale * p / mass, 4)) for w, p in picked)


def words_of(texts: Iterable[str], segment: Callable[[str], list[str]]) -> list[tuple[str, ...]]:
    """Each text's words, segmented by the caller's segmenter (the index's, so that they are its terms)."""
    return [tuple(segment(t)) for t in texts]
