"""Links from scored pairs (archive/pairlinks.py), pure: a unit's rounds pair up whatever their titles share, a
hint marks a recurrence explicit, one report of a round is no same-round link, reviews hold; over tests/test_linking.py's small
archive of problems."""

from __future__ import annotations

from archive.clustering import clusters
from archive.linking import Scorer
from archive.linkreviews import Reviewed
from archive.linktypes import LinkOptions, LinkProblem
from archive.pairlinks import Place, recurring, round_pairs, same_round
from tests.test_linking import PLAIN, PROBLEMS, _scorer


def test_recurring_same_round_and_clusters_from_pairs() -> None:
    s = _scorer()
    pairs = s.scored(s.candidates(s.vectors))
    place = {"a": Place("U1", "r2", 0), "a2": Place("U1", "r5", 1)}
    place.update({d: Place(f"U-{d}", "r1", 0) for d in "bcdefghi"})
    doc_of = {p.id: p.doc_id for p in PROBLEMS}
    links = recurring(pairs, place, doc_of, s)
    assert [(l.a, l.b, l.explicit) for l in links] == [("a-p1", "a-p2", True)]
    assert "提示语：反弹" in links[0].reason
    assert same_round(pairs, place, doc_of, s) == []  # no two reports of one round
    unit_of = {p.id: place[p.doc_id].unit for p in PROBLEMS}
    got = clusters(pairs, unit_of, s)
    reception = next(c for c in got if "a-p1" in c.members)
    assert {"a-p1", "b-p1"} <= set(reception.members) and "接待" in reception.label
    assert not any({"c-p1", "d-p1"} <= set(c.members) for c in got)


def test_a_units_rounds_pair_up_whatever_their_titles_share() -> None:
    """A fault restated at the next round in other words (公车私用 → 车辆…由个人使用) is no title-term candidate; the
    pairs of two rounds of one unit are candidates all the same (round_pairs), and score and alignment decide."""
    later = LinkProblem("j-p1", "j", "关于用车仍不规范的问题", "经查，公务车辆节假日未封存，仍被个人私用，出车未审批登记。")
    first = LinkProblem("k-p1", "k", "针对公车私用、节假日车辆未封存的问题", "一是公务车辆节假日一律封存。二是出车审批登记。")
    s = Scorer(PROBLEMS + [later, first], PLAIN)
    assert ("j-p1", "k-p1") not in s.candidates(s.vectors)  # titles share one term at most
    place = {"j": Place("U9", "r2", 1), "k": Place("U9", "r1", 0), "a": Place("U1", "r1", 0), "a2": Place("U1", "r1", 1)}
    doc_of = {p.id: p.doc_id for p in PROBLEMS + [later, first]}
    assert round_pairs(place, doc_of) == {("j-p1", "k-p1")}  # a-p1 / a-p2 share a round; b…i have no place
    pairs = s.scored(s.candidates(s.vectors) | round_pairs(place, doc_of))
    assert [(l.a, l.b) for l in recurring(pairs, place, doc_of, s)] == [("k-p1", "j-p1")]


def test_reviews_take_a_pair_out_of_the_alignment_or_put_one_in() -> None:
    """A rejected pair leaves the rounds' alignment, so the later problem may align with another earlier one; a
    confirmed pair is the link in place of its problems' links to each other's round (archive/linkreviews.py)."""
    cars = LinkProblem("m-p1", "m", "针对公车私用、节假日车辆未封存的问题", "公务车辆节假日未封存，被个人私用。")
    fuel = LinkProblem("m-p2", "m", "针对公务车辆加油卡管理不严的问题", "公务车辆加油卡未专人保管，加油登记不全。")
    back = LinkProblem("n-p1", "n", "针对公车私用问题反弹、车辆节假日未封存的问题", "公务车辆节假日仍未封存，出现私用。")
    low = LinkOptions(same_round=0.18, recurring=0.02, recurring_explicit=0.02, common=0.14)
    s = Scorer(PROBLEMS + [cars, fuel, back], low)
    place = {"m": Place("U7", "r1", 0), "n": Place("U7", "r2", 1)}
    doc_of = {p.id: p.doc_id for p in PROBLEMS + [cars, fuel, back]}
    pairs = s.scored(s.candidates(s.vectors) | round_pairs(place, doc_of))
    assert [(l.a, l.b) for l in recurring(pairs, place, doc_of, s)] == [("m-p1", "n-p1")]
    rejected = recurring(pairs, place, doc_of, s, Reviewed(different=frozenset({("m-p1", "n-p1")})))
    assert [(l.a, l.b) for l in rejected] == [("m-p2", "n-p1")]  # the later problem's next best, both ways
    confirmed = recurring(pairs, place, doc_of, s, Reviewed(same=frozenset({("m-p2", "n-p1")})))
    assert [(l.a, l.b, l.explicit) for l in confirmed] == [("m-p2", "n-p1", True)]
    assert confirmed[0].reason.endswith("；提示语：反弹；经人工核定为同一问题")
    assert confirmed[0].score == next(p.score for p in pairs if (p.a, p.b) == ("m-p2", "n-p1"))
    other_unit = recurring(pairs, {**place, "n": Place("U8", "r2", 1)}, doc_of, s,
                           Reviewed(same=frozenset({("m-p2", "n-p1")})))
    assert other_unit == []  # no longer of one unit's two rounds: nothing to confirm


def test_a_finding_restated_under_a_shorter_title_in_its_rounds_progress_report_is_a_same_round_link() -> None:
    """LINKS_VERSION 24: a progress report shortens the finding's title; the heading gate, which keeps a heading
    and a finding under it apart, no longer applies between two reports of one round (the one-to-one matching does)."""
    first = LinkProblem("r-p1", "r", "针对执法罚没款票据管理不规范，罚没收据领用、核销登记不完整的问题",
                        "一是清理罚没收据，逐本登记领用和核销。二是明确专人管理罚没款票据。")
    later = LinkProblem("s-p1", "s", "针对执法罚没款票据管理不规范的问题", "已清理罚没收据，逐本登记领用、核销，专人管理票据。")
    problems = PROBLEMS + [first, later]
    place = {"r": Place("U5", "r3", 0), "s": Place("U5", "r3", 1)}
    doc_of = {p.id: p.doc_id for p in problems}
    for gates, expected in ((False, [("r-p1", "s-p1")]), (True, [])):
        s = Scorer(problems, LinkOptions(same_round=0.18, recurring=0.28, recurring_explicit=0.26, common=0.14,
                                         same_round_gates=gates))
        assert s.broader("r-p1", "s-p1")  # the shorter title is what the heading gate looks for
        pairs = s.scored(s.candidates(s.vectors))
        assert [(l.a, l.b) for l in same_round(pairs, place, doc_of, s)] == expected, gates
