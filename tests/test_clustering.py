"""Common clusters (archive/clustering.py): the running linkage per pair of clusters gives exactly the clusters of
the direct computation over all member pairs (missing pairs counting 0), for average and complete linkage."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from archive.clustering import Cluster, Component, by_component, clusters, components, flat
from archive.linking import Scorer
from archive.linktypes import LinkOptions, LinkProblem, Pair


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

    def joins(self, pair: Pair, threshold: float) -> bool:
        return pair.score >= threshold

    def joining(self, pairs: list[Pair], threshold: float) -> list[Pair]:
        return [p for p in pairs if p.score >= threshold]


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


_BUSINESS = [
    ("a-p1", "针对安全生产执法检查频次不足，消防隐患整改不到位的问题", "行业监管执法检查频次不足，消防通道堵塞，隐患台账未销号。"),
    ("b-p1", "针对特种设备安全生产监管存在薄弱环节的问题", "辖区电梯、锅炉等特种设备安全生产行业监管执法检查频次不足，消防隐患排查不细。"),
    ("c-p1", "针对在建工程安全生产监管执法不严的问题", "在建工程安全生产行业监管执法不严，消防设施配备不足，隐患整改滞后。"),
    ("a-p2", "针对公务接待超标准、无公函接待的问题", "公务接待无公函，超标准安排用餐，陪餐人数超过规定。"),
    ("b-p2", "针对公务接待无公函、陪餐人员超出规定人数的问题", "接待无公函，陪餐人员超出规定，接待清单不全。"),
    ("c-p2", "针对接待陪餐人数超标、无公函即安排公务接待的问题", "公务接待超标准用餐，无公函接待，陪餐人数超标。"),
]


def _business(options: LinkOptions) -> tuple[Scorer, list[Pair], dict[str, str]]:
    problems = [LinkProblem(i, i[0], t, x) for i, t, x in _BUSINESS]
    scorer = Scorer(problems, options)
    pairs = scorer.scored(scorer.candidates({p.id for p in problems}))
    return scorer, pairs, {p.id: p.id[0] for p in problems}


def test_a_units_own_business_clusters_only_at_the_other_kind_bar() -> None:
    """Three units' 安全生产 findings share an area, not a fault (the judges grade them related): with
    business_common they form no common cluster, while the three units' 公务接待 findings still do."""
    scorer, pairs, unit_of = _business(LinkOptions())
    assert {scorer.kinds[i] for i in ("a-p1", "b-p1", "c-p1")} == {"专项业务"}
    business = [p for p in pairs if p.a.endswith("p1") and p.b.endswith("p1")]
    assert business and all(LinkOptions().common <= p.score < LinkOptions().other_kind for p in business)
    got = {c.members for c in clusters(pairs, unit_of, scorer)}
    assert got == {("a-p2", "b-p2", "c-p2")}
    scorer, pairs, unit_of = _business(dataclasses.replace(LinkOptions(), business_common=False))
    assert {c.members for c in clusters(pairs, unit_of, scorer)} >= {("a-p1", "b-p1", "c-p1")}


def test_a_label_keeps_a_leading_character_that_begins_a_word() -> None:
    """在建工程 is a word: the label trims dangling particles at its ends, not the 在 it begins with."""
    from archive.clustering import label

    problems = [LinkProblem(f"{u}-p1", u, t, "") for u, t in (
        ("a", "针对在建工程安全生产责任落实不到位的问题"), ("b", "针对在建工程安全生产检查走过场的问题"))]
    assert label(problems, Scorer(problems, LinkOptions(related_weight=0.0))).startswith("在建工程")


def test_kept_components_are_taken_as_they_are_and_the_others_clustered() -> None:
    ids = ["a-p1", "b-p1", "c-p1", "x-p1", "y-p1"]
    problems = [LinkProblem(i, i[0], f"针对问题{i[0]}", "") for i in ids]
    scorer = _Open(problems, LinkOptions(common=0.2, related_weight=0.0))
    unit_of = {i: i[0] for i in ids}
    pairs = [Pair("a-p1", "b-p1", 0.5, True, ""), Pair("b-p1", "c-p1", 0.4, True, ""), Pair("x-p1", "y-p1", 0.6, True, "")]
    parts = by_component(pairs, unit_of, scorer)
    assert sorted(g.members for g in parts.values()) == [("a-p1", "b-p1", "c-p1"), ("x-p1", "y-p1")]
    assert sorted(c.members for c in flat(parts)) == [("a-p1", "b-p1", "c-p1"), ("x-p1", "y-p1")]
    first = next(k for k, g in parts.items() if "a-p1" in g.members)
    marked = {first: Component(parts[first].members, (Cluster("kept", parts[first].members),))}
    again = by_component(pairs, unit_of, scorer, marked)
    assert again[first] == marked[first] and sorted(c.label for c in flat(again)) == sorted(["kept", flat(parts)[1].label])
    # the kept component's pairs are not read again: a pair of its members changed here changes nothing
    moved = [Pair("a-p1", "b-p1", 0.1, True, ""), *pairs[1:]]
    assert flat(by_component(moved, unit_of, scorer, marked)) == flat(again)
    assert len(flat(by_component(moved, unit_of, scorer))) == 2  # clustered afresh: b and c alone, x and y
    # the fingerprint of a component follows its pairs' scores, units and titles
    keys = set(parts)
    assert set(by_component(moved, unit_of, scorer)) != keys
    assert set(by_component(pairs, {**unit_of, "y-p1": "x"}, scorer)) != keys
    retitled = _Open([*problems[:4], LinkProblem("y-p1", "y", "针对另一问题", "")], scorer.options)
    assert set(by_component(pairs, unit_of, retitled)) != keys


def test_components_label_each_node_by_the_lowest_node_it_reaches() -> None:
    # a chain given from its far end (the worst order for hooking), an isolated node, two nodes joined twice
    a, b = np.array([8, 7, 6, 5, 2, 2]), np.array([9, 8, 7, 6, 3, 3])
    assert components(a, b, 10).tolist() == [0, 1, 2, 2, 4, 5, 5, 5, 5, 5]
    rng = random.Random(4)
    for _ in range(20):
        n = rng.randint(1, 60)
        edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, 80))]
        root = list(range(n))

        def find(x: int) -> int:
            while root[x] != x:
                x = root[x]
            return x

        for x, y in edges:
            rx, ry = find(x), find(y)
            root[max(rx, ry)] = min(rx, ry)
        want = [min(k for k in range(n) if find(k) == find(i)) for i in range(n)]
        got = components(np.array([x for x, _ in edges], np.int64), np.array([y for _, y in edges], np.int64), n)
        assert got.tolist() == want
