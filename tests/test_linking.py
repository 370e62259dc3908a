"""Pair scoring and link derivation (archive/linking.py), pure: specific shared terms link, shared words in another
sense do not, a heading is no link to a finding under it, hints mark a recurrence explicit, labels come from
the members' own titles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from archive.clustering import clusters
from archive.database import Archive
from archive.linking import Scorer
from archive.linktypes import LinkOptions, LinkProblem, hint_of
from archive.pairlinks import Place, recurring
from archive.pipeline import ingest
from archive.titles import core_title
from xuncha.settings import Settings

ROUND = Path(__file__).resolve().parent / "fixtures" / "links-r14"

# a small archive of problems: two same faults across units, distractors sharing a word, and a heading
PROBLEMS = [
    LinkProblem("a-p1", "a", "针对公务接待超标准、无公函接待的问题", "一是清理接待费用，退还超标准费用。二是无公函一律不予接待。"),
    LinkProblem("b-p1", "b", "针对公务接待管理不严，存在无公函接待和超标准用餐的问题", "一是清理公务接待费用。二是严格执行公函接待制度。"),
    LinkProblem("c-p1", "c", "针对组织生活会质量不高，批评与自我批评辣味不足的问题", "一是重新召开组织生活会。二是会前开展谈心谈话。"),
    LinkProblem("d-p1", "d", "针对会议费超标准列支，会议费用中列支餐费的问题", "一是清理会议费支出，退回超标准列支的会议费。"),
    LinkProblem("e-p1", "e", "针对安全生产检查流于形式，办公楼消防隐患整改不到位的问题", "一是开展消防安全检查。二是明确安全生产责任人。"),
    LinkProblem("f-p1", "f", "针对工程项目化整为零规避公开招标的问题", "一是清查工程项目合同，查明拆分合同。二是修订工程招标管理办法。"),
    LinkProblem("g-p1", "g", "针对校舍维修工程化整为零，拆分发包规避公开招标的问题", "一是梳理维修工程，查明拆分发包工程。二是严格执行招标规定。"),
    LinkProblem("h-p1", "h", "针对因私出国(境)证照管理不规范的问题", "一是收缴证照。二是建立证照台账。"),
    LinkProblem("i-p1", "i", "针对因私出国(境)管理不规范问题", "一是完善因私出国(境)审批。"),
    LinkProblem("a-p2", "a2", "针对公务接待问题反弹，仍然存在超标准接待和无公函接待的问题", "一是全面清理接待费用。二是接待审批双签。"),
]


# ten problems are too few to learn related terms from (related_min_problems): the plain cosine, at the bars
# LINKS_VERSION 10 chose for it; the soft cosine is tested on the fixtures' rounds (tests/test_links.py)
PLAIN = LinkOptions(same_round=0.18, recurring=0.28, recurring_explicit=0.26, common=0.14)


def _scorer() -> Scorer:
    return Scorer(PROBLEMS, PLAIN)


def test_core_title_and_hints() -> None:
    assert core_title("针对“第一议题”学习制度落实不到位的问题。") == "“第一议题”学习制度落实不到位"
    assert hint_of(PROBLEMS[-1]) == "反弹"
    assert hint_of(PROBLEMS[0]) is None


def test_the_same_fault_scores_above_words_shared_in_another_sense() -> None:
    s = _scorer()
    same = s.pair("a-p1", "b-p1")
    assert s.passes(same, s.options.common) and same.same_kind
    assert "公务接待" in same.reason or "无公函接待" in same.reason
    words = same.reason.split("；")[0].removeprefix("共同词：").split("、")
    assert words and not any(set(w) & set("的和与及") for w in words), words  # words, not the particles between
    tender = s.pair("f-p1", "g-p1")
    assert s.passes(tender, s.options.common)
    for a, b in (("c-p1", "d-p1"), ("e-p1", "f-p1"), ("d-p1", "a-p1")):  # 会议, 工程, 超标准 in another sense
        assert not s.passes(s.pair(a, b), s.options.common), (a, b, s.pair(a, b))


def test_a_heading_is_no_link_to_a_finding_under_it() -> None:
    s = _scorer()
    assert s.broader("h-p1", "i-p1") and not s.passes(s.pair("h-p1", "i-p1"), s.options.common)
    assert not s.broader("a-p1", "b-p1")
    # across units the heading and the finding under it may share a common cluster (LINKS_VERSION 19:
    # broader_common off; the other cluster gates off here: both are broad and of the catch-all kind)
    # a link (recurring, same round) still needs the gate
    across = Scorer(PROBLEMS, dataclasses.replace(PLAIN, broader_common=False, broad_common=0, business_common=False))
    pair = across.pair("h-p1", "i-p1")
    assert across.joins(pair, across.options.common) and not across.passes(pair, across.options.common)
    gated = dataclasses.replace(across.options, broader_common=True)  # as to LINKS_VERSION 18
    assert not Scorer(PROBLEMS, gated).joins(pair, gated.common)


def test_a_broad_finding_is_no_link_to_a_specific_one() -> None:
    """An area + a general verdict (公务接待管理不严格) is broad; a finding that says what happened is not; the two do
    not link (the judges grade them related), two specific findings of the fault still do."""
    extra = [LinkProblem("j-p1", "j", "针对公务接待管理不严格的问题", "一是修订公务接待管理办法。二是清理接待费用。"),
             LinkProblem("k-p1", "k", "针对发展党员工作把关不严的问题", "一是开展发展党员材料自查。")]
    s = Scorer(PROBLEMS + extra, PLAIN)
    assert s.broad("j-p1") and s.broad("k-p1") and s.broad("i-p1")
    assert not any(s.broad(i) for i in ("a-p1", "b-p1", "a-p2", "f-p1", "c-p1"))  # a detail, or a named fault
    broad_specific = s.pair("a-p1", "j-p1")
    assert broad_specific.score >= s.options.common and not s.passes(broad_specific, s.options.common)
    assert s.passes(s.pair("a-p1", "b-p1"), s.options.common)
    off = Scorer(PROBLEMS + extra, dataclasses.replace(PLAIN, broad_chars=0))  # the gate is what keeps them apart
    assert off.passes(off.pair("a-p1", "j-p1"), off.options.common)
    # within one unit across its rounds (a later round heading a restated fault broadly) the gate is not applied
    assert s.passes(broad_specific, s.options.common, within_unit=True)
    strict = Scorer(PROBLEMS + extra, dataclasses.replace(PLAIN, broad_recurring=False))
    assert not strict.passes(strict.pair("a-p1", "j-p1"), strict.options.common, within_unit=True)


def test_a_title_that_states_no_fault_is_a_heading() -> None:
    extra = [LinkProblem("l-p1", "l", "在落实中央八项规定精神上下功夫",
                         "一是清理公务接待费用，退还超标准费用。二是无公函一律不予接待。"),
             LinkProblem("m-p1", "m", "加强组织领导，压实整改责任", "成立整改工作领导小组。")]
    s = Scorer(PROBLEMS + extra, PLAIN)
    assert not s.states_fault("l-p1") and not s.states_fault("m-p1")
    assert all(s.states_fault(p.id) for p in PROBLEMS)
    anykind = dataclasses.replace(PLAIN, other_kind=0.0, headings=False)  # the heading's kind is 八项规定, the finding's 公务接待
    open_, gated = Scorer(PROBLEMS + extra, anykind), Scorer(PROBLEMS + extra, dataclasses.replace(anykind, headings=True))
    assert open_.passes(open_.pair("a-p1", "l-p1"), 0.2) and not gated.passes(gated.pair("a-p1", "l-p1"), 0.2)


def test_candidates_read_no_weights() -> None:
    s, t = _scorer(), Scorer(PROBLEMS[:5], PLAIN)
    assert ("a-p1", "b-p1") in s.candidates(["a-p1"])
    assert s.candidates(["a-p1"], ["a-p1", "b-p1", "c-p1", "d-p1", "e-p1"]) == t.candidates(["a-p1"])
    assert all("c-p1" not in pair or "d-p1" not in pair for pair in s.candidates(s.vectors))


def test_pairs_as_row_numbers_score_as_pairs_of_ids() -> None:
    """The relink's path (candidate_rows → scored_rows, a floor per pair, in (a, b) order) gives the pairs the
    path over id tuples gives."""
    s = _scorer()
    cands = s.candidates(s.vectors)
    ra, rb = s.candidate_rows(s.vectors)
    assert len(ra) == len(cands) and set(zip((s.sorted_ids[k] for k in ra), (s.sorted_ids[k] for k in rb))) == cands
    every = s.scored_rows(ra, rb)
    assert every == sorted(s.scored(cands), key=lambda p: (p.a, p.b))
    floors = np.where(np.arange(len(ra)) % 2 == 0, s.lowest_bar, 0.3)
    by_row = {(s.sorted_ids[a], s.sorted_ids[b]): f for a, b, f in zip(ra.tolist(), rb.tolist(), floors.tolist())}
    assert s.scored_rows(ra, rb, floor=floors) == [p for p in every if p.score >= by_row[(p.a, p.b)]]
    few = Scorer(PROBLEMS, PLAIN, pack=False)
    few.pack(["a-p1", "b-p1"])
    assert few.scored_rows(*few.rows_of([("a-p1", "b-p1")])) == [p for p in every if (p.a, p.b) == ("a-p1", "b-p1")]
    with pytest.raises(ValueError, match="not packed"):
        few.scored_rows(*few.rows_of([("a-p1", "c-p1")]))


def test_paired_is_the_rule_of_candidates() -> None:
    """An incremental relink asks `paired` of a stored pair (links.new_pairs): it must say what `candidates`
    would, pair by pair, over every pair of the sample."""
    cited = [LinkProblem("x-p1", "x", "针对公车使用登记不全的问题", "", ("党政机关公务用车管理办法",)),
             LinkProblem("y-p1", "y", "针对车辆派遣单缺失的问题", "", ("党政机关公务用车管理办法", "预算法")),
             LinkProblem("z-p1", "z", "针对预算执行进度慢的问题", "", ("预算法",))]
    s = Scorer(PROBLEMS + cited, PLAIN)
    cands = s.candidates(s.vectors)
    ids = sorted(s.vectors)
    assert {(a, b) for k, a in enumerate(ids) for b in ids[k + 1:] if s.paired(a, b)} == cands
    assert ("x-p1", "y-p1") in cands and ("y-p1", "z-p1") in cands and ("x-p1", "z-p1") not in cands


def test_scored_keeps_what_can_link_and_scores_as_one_pair_at_a_time() -> None:
    """The relink scores candidates in batches of problems and keeps those at its lowest bar: the same
    scores as `score` pair by pair, the same links as from every pair, whichever way round a pair is given."""
    s = _scorer()
    cands = s.candidates(s.vectors)
    every = s.scored(cands)
    assert len(every) == len(cands) and all(p.a < p.b for p in every)
    assert {(p.a, p.b): p.score for p in every} == {(a, b): s.score(a, b) for a, b in cands}
    assert set(s.scored({(b, a) for a, b in cands})) == set(every)
    kept = s.scored(cands, floor=s.lowest_bar)
    assert set(kept) == {p for p in every if p.score >= s.lowest_bar} and len(kept) < len(every)
    place = {d: Place(f"U-{d}", "r1", 0) for d in "abcdefghi"} | {"a2": Place("U-a", "r5", 1)}
    place["a"] = Place("U-a", "r2", 0)
    doc_of = {p.id: p.doc_id for p in PROBLEMS}
    unit_of = {p.id: place[p.doc_id].unit for p in PROBLEMS}
    assert recurring(kept, place, doc_of, s) == recurring(every, place, doc_of, s) != []
    assert clusters(kept, unit_of, s) == clusters(every, unit_of, s) != []


def test_scores_in_numpy_equal_the_scalar_cosines() -> None:
    """Scorer.scores (one problem against many, packed arrays) is the soft cosine and the title cosine weighed
    0.8 : 0.2 plus the citation bonus, pair by pair, and a problem with no terms scores 0 against anything."""
    from archive.faults import cosine
    from archive.linking import TEXT_WEIGHT

    extra = [LinkProblem("z-p1", "z", "。", ""), LinkProblem("y-p1", "y", "针对公务接待超标准的问题", "清理接待费用。",
                                                              cited=("党政机关国内公务接待管理规定",)),
             LinkProblem("x-p1", "x", "针对无公函接待的问题", "无公函不予接待。", cited=("党政机关国内公务接待管理规定",))]
    s = Scorer(PROBLEMS + extra, PLAIN)
    ids = sorted(s.problems)
    for a in ids:
        others = [b for b in ids if b != a]
        for b, got in zip(others, s.scores(a, others)):
            bonus = s.options.cite_bonus if set(s.problems[a].cited) & set(s.problems[b].cited) else 0.0
            want = round(TEXT_WEIGHT * s.soft_cosine(a, b)
                         + (1 - TEXT_WEIGHT) * cosine(s.title_vectors[a], s.title_vectors[b]) + bonus, 4)
            assert got == want, (a, b)
    assert s.scores("z-p1", ["a-p1", "y-p1"]) == [0.0, 0.0]
    assert s.score("x-p1", "y-p1") > s.score("a-p1", "c-p1")  # the title and the shared citation count


def test_two_broad_findings_join_a_cluster_only_at_the_other_kind_bar() -> None:
    """关于公务接待管理不严格 and 关于公务接待管理不规范 name an area and a verdict, no fault: the judges grade them related,
    so their pair joins no common cluster below other_kind (LinkOptions.broad_common); two specific findings still do."""
    extra = [LinkProblem("j-p1", "j", "针对公务接待管理不严格的问题", "一是修订公务接待管理办法。二是清理接待费用。"),
             LinkProblem("n-p1", "n", "关于公务接待管理不规范的问题", "严格执行审批单制度，每月通报一次。")]
    s = Scorer(PROBLEMS + extra, PLAIN)
    both = s.pair("j-p1", "n-p1")
    assert s.area("j-p1") and s.area("n-p1") and s.options.common <= both.score < s.options.other_kind
    assert s.passes(both, s.options.common) and not s.joins(both, s.options.common)
    off = Scorer(PROBLEMS + extra, dataclasses.replace(PLAIN, broad_common=0))
    assert off.joins(off.pair("j-p1", "n-p1"), off.options.common)
    assert s.joins(s.pair("a-p1", "b-p1"), s.options.common)


@pytest.mark.parametrize("change", [{}, {"broad_chars": 0}, {"business_common": False}, {"broad_common": 0},
                                    {"headings": False}, {"broader_common": True}, {"other_kind": 0.3}])
def test_joining_over_arrays_decides_as_joins_pair_by_pair(settings: Settings, change: dict) -> None:
    with Archive.open(settings.db_path) as a:
        ingest(a, settings.ingest_options(), [str(ROUND)])
        problems = a.link_problems()
    options = dataclasses.replace(LinkOptions(), **change)
    s = Scorer(problems, options)
    pairs = s.scored(s.candidates({p.id for p in problems}))
    for t in (0.0, options.common, 0.3):
        want = [p for p in pairs if s.joins(p, t)]
        assert s.joining(pairs, t) == want and 0 < len(want) < len(pairs)


def test_lazy_vectors_are_made_once_and_only_when_read() -> None:
    from archive.linking import Lazy

    made: list[str] = []
    lazy = Lazy({"a": 1, "b": 2}, lambda k: made.append(k) or k * 2)
    assert list(lazy) == ["a", "b"] and len(lazy) == 2 and "a" in lazy and "c" not in lazy and made == []
    assert lazy["b"] == "bb" and lazy["b"] == "bb" and made == ["b"]
    with pytest.raises(KeyError):
        lazy["c"]
    # a scorer over a kept fit scores as the one that fitted it, reading only what it is asked
    fitted = _scorer()
    kept = Scorer(PROBLEMS, PLAIN, fitted.fit)
    assert [kept.score("a-p1", "b-p1"), kept.score("f-p1", "g-p1")] == [fitted.score("a-p1", "b-p1"),
                                                                        fitted.score("f-p1", "g-p1")]
