"""Common clusters (archive/clustering.py): the running linkage per pair of clusters gives exactly the clusters of
the direct computation over all member pairs (missing pairs counting 0), for average and complete linkage."""

from __future__ import annotations

import dataclasses
import random

import pytest

from archive.clustering import clusters
from archive.linking import LinkOptions, LinkProblem, Pair, Scorer


def _direct(pairs: list[Pair], t: float, how: str) -> set[frozenset[str]]:
    """The clustering as first written: the mean (or min) over every member pair at each merge attempt."""
    sim = {(p.a, p.b): p.score for p in pairs if p.score >= t}
    where = {i: i for ab in sim for i in ab}
    members = {i: [i] for i in where}

    def linkage(x: list[str], y: list[str]) -> float:
        scores = [sim.get((i, j) if i < j else (j, i), 0.0) for i in x for j in y]
        return min(scores) if how == "complete" else sum(scores) / len(scores)

    for (a, b), _ in sorted(sim.items(), key=lambda kv: (-kv[1], kv[0])):
        ca, cb = where[a], where[b]
        if ca == cb or linkage(members[ca], members[cb]) < t - 1e-12:
            continue
        keep, gone = (ca, cb) if len(members[ca]) >= len(members[cb]) else (cb, ca)
        members[keep].extend(members.pop(gone))
        for i in members[keep]:
            where[i] = keep
    return {frozenset(m) for m in members.values()}


class _Open(Scorer):
    """Every pair passes the gates: the test is about the clustering alone."""

    def passes(self, pair: Pair, threshold: float) -> bool:
        return pair.score >= threshold


@pytest.mark.parametrize("how", ["average", "complete"])
def test_running_linkage_equals_the_direct_computation(how: str) -> None:
    rng = random.Random(30)
    ids = [f"{c}-p1" for c in "abcdefghijklmnopqrstuvwxyz"]
    problems = [LinkProblem(i, i[0], "针对问题", "") for i in ids]
    for trial in range(300):
        n = rng.randint(3, len(ids))
        chosen = ids[:n]
        pairs = [Pair(a, b, round(rng.choice([rng.random(), 0.1, 0.2, 0.3]), 4), True, "")
                 for k, a in enumerate(chosen) for b in chosen[k + 1:] if rng.random() < 0.5]
        t = rng.choice([0.1, 0.2, 0.25, 0.3])
        scorer = _Open(problems, LinkOptions(common=t, linkage=how, related_weight=0.0))
        unit_of = {i: i for i in ids}  # every problem its own unit: every cluster of two or more is kept
        got = {frozenset(c.members) for c in clusters(pairs, unit_of, scorer)}
        want = {m for m in _direct(pairs, t, how) if len(m) >= 2}
        assert got == want, (trial, how, t)


def test_a_cluster_needs_two_units() -> None:
    problems = [LinkProblem(i, i[0], "针对问题", "") for i in ("a-p1", "a-p2", "b-p1")]
    scorer = _Open(problems, dataclasses.replace(LinkOptions(), common=0.2, related_weight=0.0))
    pairs = [Pair("a-p1", "a-p2", 0.9, True, "")]
    assert clusters(pairs, {"a-p1": "a", "a-p2": "a", "b-p1": "b"}, scorer) == []
    pairs.append(Pair("a-p2", "b-p1", 0.9, True, ""))
    assert [c.members for c in clusters(pairs, {"a-p1": "a", "a-p2": "a", "b-p1": "b"}, scorer)] == \
        [("a-p1", "a-p2", "b-p1")]
