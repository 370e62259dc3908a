"""Common problems (issue 30 §3): clusters of the same fault across units, from the scored pairs, each labelled by
the phrase most of its members' titles share. Pure: pairs in, clusters out."""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .faults import FRAME
from .linking import Scorer
from .linktypes import LinkProblem, Pair
from .titles import HAN, MORE_FRAME, core_title

UNIT = 10_000  # pair scores are rounded to 4 decimals (linking.Scorer.scores)

@dataclass(frozen=True, slots=True)
class Cluster:
    """One common fault across units: its label (from its members' titles) and members."""

    label: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Component:
    """A connected component of the pairs that join: its problems and its clusters."""

    members: tuple[str, ...]
    clusters: tuple[Cluster, ...]


def clusters(pairs: Sequence[Pair], unit_of: Mapping[str, str], scorer: Scorer) -> list[Cluster]:
    """Average- (or complete-) link clusters over the pairs at the common threshold; kept when they span two
    units or more (by_component's, in one list)."""
    return flat(by_component(pairs, unit_of, scorer))


def flat(groups: Mapping[str, Component]) -> list[Cluster]:
    """The clusters of every component in one list, the largest first."""
    return sorted((c for g in groups.values() for c in g.clusters), key=lambda c: (-len(c.members), c.label))


def by_component(pairs: Sequence[Pair], unit_of: Mapping[str, str], scorer: Scorer,
                 kept: Mapping[str, Component] | None = None) -> dict[str, Component]:
    """The clusters of each connected component of the pairs that join (a merge needs a pair between two clusters,
    so a component's clusters are those of its own pairs alone), keyed by a fingerprint of its pairs, their
    scores and its members' units and titles. `kept` are components the caller knows are unchanged (none of their
    problems gained, lost or changed a pair, a unit or a title since they were clustered, under the same fit:
    archive/links.py new_pairs): they are taken as they are, and only the pairs of the other problems are
    clustered. An incremental relink so clusters the components a new notice's problems touched, not the
    archive's: clustering every component was 11 s of its 16 s at 10×."""
    out: dict[str, Component] = dict(kept or {})
    skip = {m for c in out.values() for m in c.members}
    rest = [p for p in pairs if p.a not in skip and p.b not in skip] if skip else pairs
    joined = scorer.joining(rest, scorer.options.common)
    if not joined:
        return out
    # over row numbers (the problems' ids in order): the components by label propagation, each component's pairs
    # in id order, and in the order they are asked to merge (best first, then by ids), with NumPy's sorts (a
    # union-find and a sort per component over strings were a third of a full relink's clustering at 10×)
    ids = sorted({x for p in joined for x in (p.a, p.b)})
    row = {i: k for k, i in enumerate(ids)}
    ra = np.fromiter((row[p.a] for p in joined), np.int64, len(joined))
    rb = np.fromiter((row[p.b] for p in joined), np.int64, len(joined))
    score = np.fromiter((p.score for p in joined), np.float64, len(joined))
    comp = components(ra, rb, len(ids))[ra]  # a component's label: its lowest row, that of its first pair's a
    by_ids = np.lexsort((rb, ra, comp))
    by_merge = np.lexsort((rb, ra, -score, comp))
    cuts = np.flatnonzero(np.diff(comp[by_ids])) + 1
    units = np.rint(score * UNIT).astype(np.int64).tolist()  # round(x * UNIT): halves to even, as Python's round
    for part_ids, part_merge in zip(np.split(by_ids, cuts), np.split(by_merge, cuts)):
        part = [((joined[k].a, joined[k].b), units[k]) for k in part_ids.tolist()]
        ranked = [(joined[k].a, joined[k].b) for k in part_merge.tolist()]
        members = tuple(ids[k] for k in np.unique(np.concatenate((ra[part_ids], rb[part_ids]))).tolist())
        digest = hashlib.blake2b(digest_size=16)
        digest.update("\n".join(f"{a} {b} {x}" for (a, b), x in part).encode("utf-8"))
        digest.update("\n".join(f"{i} {unit_of.get(i, i)} {scorer.problems[i].title}" for i in members).encode("utf-8"))
        out[digest.hexdigest()] = Component(members, _greedy(part, ranked, unit_of, scorer))
    return out


def components(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Each of n nodes' component over the edges (a[k], b[k]): the lowest node of it (hooking each edge's two
    roots to the lower, then pointer jumping, until every edge has one root: a few rounds of whole-array steps)."""
    parent = np.arange(n)
    while True:
        pa, pb = parent[a], parent[b]
        if np.array_equal(pa, pb):
            return parent
        low = np.minimum(pa, pb)
        np.minimum.at(parent, pa, low)
        np.minimum.at(parent, pb, low)
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up


def _greedy(part: Sequence[tuple[tuple[str, str], int]], ranked: Sequence[tuple[str, str]],
            unit_of: Mapping[str, str], scorer: Scorer) -> tuple[Cluster, ...]:
    """The clusters of one component's joining pairs (`part`, in id order, each with its score in units of 1e-4;
    `ranked`, the same pairs best first and by ids after), kept when they span two units or more."""
    t = scorer.options.common
    # average (or complete) linkage kept per pair of clusters as (sum, count, min) of their members' similarities,
    # added up at each merge (Lance–Williams for a sparse graph): a merge costs the merged clusters' neighbours,
    # not the product of their sizes. Scores carry 4 decimals, so they are summed as integers (units of 1e-4):
    # exact and in any order, the clusters the direct computation over all member pairs gives
    members: dict[str, list[str]] = {}
    where: dict[str, str] = {}
    between: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for (a, b), x in part:
        for i in (a, b):
            if i not in where:
                where[i] = i
                members[i] = [i]
        between[a][b] = between[b][a] = [x, 1, x]  # one list for both directions
    complete = scorer.options.linkage == "complete"
    bar = round(t * UNIT)

    def linked(x: str, y: str) -> bool:
        """mean (or min, a missing pair counting 0) of the similarities between x's and y's members ≥ the bar"""
        total, count, low = between[x].get(y, (0, 0, 0))
        size = len(members[x]) * len(members[y])
        return (count == size and low >= bar) if complete else total >= bar * size

    for a, b in ranked:
        ca, cb = where[a], where[b]
        if ca == cb or not linked(ca, cb):
            continue
        keep, gone = (ca, cb) if len(members[ca]) >= len(members[cb]) else (cb, ca)
        for i in members[gone]:
            where[i] = keep
        members[keep].extend(members.pop(gone))
        for nb, (total, count, low) in between.pop(gone).items():
            del between[nb][gone]
            if nb == keep:
                continue
            cur = between[keep].get(nb)
            if cur is None:
                between[keep][nb] = between[nb][keep] = [total, count, low]
            else:
                cur[0] += total
                cur[1] += count
                cur[2] = min(cur[2], low)
    out = []
    for group in members.values():
        if len({unit_of.get(i, i) for i in group}) >= 2:
            ids = tuple(sorted(group))
            out.append(Cluster(label([scorer.problems[i] for i in ids], scorer), ids))
    return tuple(out)


def label(problems: Sequence[LinkProblem], scorer: Scorer) -> str:
    """The phrase (2–12 characters) that most of a cluster's titles share (at least two, and half of them): of
    the phrases no longer phrase shares as widely (自我批评辣味不足, not 自我批评辣味不), the most specific by the
    IDF of its bigrams, trimmed of a dangling 的/不/未 (a leading 在 or 对 begins a word: 在建工程): 无公函接待, 规避公开招标, 公车私用."""
    titles = [core_title(p.title) for p in problems]
    seen: Counter[str] = Counter()
    for t in titles:
        seen.update({run[i:j] for run in HAN.findall(t) for i in range(len(run))
                     for j in range(i + 2, min(len(run), i + 12) + 1)})
    need = max(2, math.ceil(len(titles) / 2))
    shared = {x for x, n in seen.items() if n >= need}
    closed = sorted(x for x in shared if not any(y != x and x in y and seen[y] == seen[x] for y in shared))

    def weight(x: str) -> float:
        g = [x[i:i + 2] for i in range(len(x) - 1)]
        return seen[x] * sum(scorer.idf.get(b, 0.0) for b in g if b not in FRAME and b not in MORE_FRAME)

    if not closed:
        return min(titles, key=len)[:12] if titles else ""
    best = max(closed, key=lambda x: (weight(x), -len(x), x))
    trimmed = best.lstrip("的和与及").rstrip("的和与及对在未不")  # not a leading 在 or 对: 在建工程, 对外投资
    return trimmed if len(trimmed) >= 2 else best
