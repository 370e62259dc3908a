"""Links from scored pairs (issue 30 §3), pure: where each problem's notice sits in its unit's rounds, the pairs of
a unit's rounds (candidates whatever their titles share), *same round* links (one problem in two reports of a
round, matched one to one) and *recurring* links (a later round's problem that is an earlier round's fault, each
the other's best match between the two rounds). The pairs are scored by archive/linking.py's Scorer; common
clusters are archive/clustering.py's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .linking import Scorer
from .linkreviews import Reviewed
from .linktypes import Link, Pair, hint_of


@dataclass(frozen=True, slots=True)
class Place:
    """Where a problem's notice sits: its unit, round and order in the unit's history."""

    unit: str
    round_key: str
    order: int
    revisit: bool = False


def round_pairs(place: Mapping[str, Place], doc_of: Mapping[str, str]) -> set[tuple[str, str]]:
    """Every pair (a < b) of problems of two rounds of one unit: candidates whatever their titles share. A fault
    restated at the next round or the 回头看 is often worded anew (关于公车使用仍不规范的问题 for 公务用车管理松散，
    …长期由一名副镇长个人使用), and within a unit the pairs are few (its rounds' problems, not the archive's), so the
    scores and the rounds' alignment decide them, not the title-term rule. Recomputed at every refresh: which
    problems share a unit moves with the units, not with the titles."""
    by_unit: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i, d in doc_of.items():
        if d in place:
            by_unit[place[d].unit].append((place[d].round_key, i))
    out: set[tuple[str, str]] = set()
    for members in by_unit.values():
        for k, (ra, a) in enumerate(members):
            for rb, b in members[k + 1:]:
                if ra != rb:
                    out.add((a, b) if a < b else (b, a))
    return out


def same_round(pairs: Sequence[Pair], place: Mapping[str, Place], doc_of: Mapping[str, str],
               scorer: Scorer) -> list[Link]:
    """Each pair of reports of one round: problems matched one to one, best first, above the threshold."""
    groups: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for p in pairs:
        pa, pb = place.get(doc_of[p.a]), place.get(doc_of[p.b])
        if pa and pb and doc_of[p.a] != doc_of[p.b] and pa.unit == pb.unit and pa.round_key == pb.round_key \
                and scorer.passes(p, scorer.options.same_round, restated=not scorer.options.same_round_gates):
            groups[tuple(sorted((doc_of[p.a], doc_of[p.b])))].append(p)  # type: ignore[arg-type]
    out = []
    for group in groups.values():
        used: set[str] = set()
        for p in sorted(group, key=lambda p: (-p.score, p.a, p.b)):
            if p.a in used or p.b in used:
                continue
            used.update((p.a, p.b))
            a, b = sorted((p.a, p.b), key=lambda i: (place[doc_of[i]].order, i))
            out.append(scorer.explained(Link("same_round", a, b, p.score, False, "")))
    return sorted(out, key=lambda l: (l.a, l.b))


def mutual_best(pairs: Sequence[Pair], list_of: Mapping[str, object], scorer: Scorer) -> set[tuple[str, str]]:
    """The pairs (a, b) in which each problem is the other's best match in the other's list (a round of a unit:
    the alignment of one problem list against another), among the pairs that pass the gates. A later round's
    finding restated is its earlier round's best match both ways; a sibling finding of the same area is
    usually not, since the restated one is there too."""
    best: dict[tuple[str, object], float] = {}
    passing = [p for p in pairs if p.a in list_of and p.b in list_of and scorer.passes(p, 0.0, within_unit=True)]
    for p in passing:
        for x, y in ((p.a, p.b), (p.b, p.a)):
            k = (x, list_of[y])
            best[k] = max(best.get(k, 0.0), p.score)
    return {(p.a, p.b) for p in passing if p.score >= best[(p.a, list_of[p.b])] and p.score >= best[(p.b, list_of[p.a])]}


def recurring(pairs: Sequence[Pair], place: Mapping[str, Place], doc_of: Mapping[str, str],
              scorer: Scorer, reviewed: Reviewed = Reviewed()) -> list[Link]:
    """A later round's problem → the best-matching problem of each earlier round of its unit; the two must be
    each other's best match between the two rounds (mutual_best), and score the recurring bar (lower when the
    later problem says it came back). Reviewers' verdicts (archive/linkreviews.py) hold: a rejected pair takes no
    part in the alignment, a confirmed one is a link in place of its problems' others to each other's round."""
    best: dict[tuple[str, str], Link] = {}
    rounds = {i: (place[d].unit, place[d].round_key) for i, d in doc_of.items() if d in place}
    # pairs of two rounds of one unit: the only ones that can be recurring links, nor does any other pair move the
    # alignment of two rounds (mutual_best keys a problem's best by the other's round)
    pairs = [p for p in pairs if (ra := rounds.get(p.a)) and (rb := rounds.get(p.b)) and ra[0] == rb[0] and ra != rb
             and (p.a, p.b) not in reviewed.different]
    aligned = mutual_best(pairs, rounds, scorer)
    for p in pairs:
        pa, pb = place.get(doc_of[p.a]), place.get(doc_of[p.b])
        if not pa or not pb or pa.unit != pb.unit or pa.round_key == pb.round_key or (p.a, p.b) not in aligned:
            continue
        early, late = (p.a, p.b) if (pa.order, p.a) < (pb.order, p.b) else (p.b, p.a)
        hint = hint_of(scorer.problems[late])
        threshold = scorer.options.recurring_explicit if hint else scorer.options.recurring
        if not scorer.passes(p, threshold, within_unit=True):
            continue
        link = Link("recurring", early, late, p.score, hint is not None, f"；提示语：{hint}" if hint else "")
        key = (late, place[doc_of[early]].round_key)
        if key not in best or (link.score, link.a) > (best[key].score, best[key].a):
            best[key] = link
    if reviewed.same:
        confirmed(best, reviewed, pairs, rounds, place, doc_of, scorer)
    return sorted((scorer.explained(l) for l in best.values()), key=lambda l: (l.a, l.b))


def confirmed(best: dict[tuple[str, str], Link], reviewed: Reviewed, pairs: Sequence[Pair],
              rounds: Mapping[str, tuple[str, str]], place: Mapping[str, Place], doc_of: Mapping[str, str],
              scorer: Scorer) -> None:
    """Put the confirmed pairs of two rounds of one unit into `best` (later problem, earlier round → link), each
    in place of the links its two problems have to each other's round; its score is the pair's when it was kept
    (0 below the lowest bar: the reviewer, not the score, makes it a link)."""
    score = {(p.a, p.b): p.score for p in pairs}
    for a, b in sorted(reviewed.same):
        ra, rb = rounds.get(a), rounds.get(b)
        if not ra or not rb or ra[0] != rb[0] or ra == rb:
            continue  # no longer of one unit's two rounds (a split, a notice placed anew): nothing to confirm
        early, late = (a, b) if (place[doc_of[a]].order, a) < (place[doc_of[b]].order, b) else (b, a)
        early_round, late_round = rounds[early][1], rounds[late][1]
        for key in [k for k, l in best.items() if (l.b == late and k[1] == early_round)
                    or (l.a == early and rounds[l.b][1] == late_round)]:
            del best[key]
        hint = hint_of(scorer.problems[late])
        best[(late, early_round)] = Link("recurring", early, late, score.get((a, b), 0.0), hint is not None,
                                         (f"；提示语：{hint}" if hint else "") + "；经人工核定为同一问题")
