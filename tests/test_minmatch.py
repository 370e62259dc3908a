"""minimum_should_match for a long query's relaxed form (indexer/minmatch.py): Elasticsearch's spec, the gate on the
query's length, and the search it changes on a small fictional archive (SearchOptions.min_match)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer import querytree as T
from indexer.minmatch import MinMatchOptions, clause, required
from indexer.query import build_query


@pytest.mark.parametrize("spec, n, need", [
    ("3", 5, 3), ("3", 2, 2), ("-2", 5, 3), ("75%", 4, 3), ("75%", 10, 7), ("-25%", 7, 6), ("-25%", 4, 3),
    ("3<90%", 3, 3), ("3<90%", 4, 3), ("3<90%", 10, 9), ("2<-25% 9<-3", 2, 2), ("2<-25% 9<-3", 8, 6),
    ("2<-25% 9<-3", 12, 9), ("0", 4, 1), ("-9", 4, 1), ("100%", 4, 4),
])
def test_required_is_elasticsearchs_minimum_should_match(spec: str, n: int, need: int) -> None:
    # the examples of Elasticsearch's reference: percentages round down, never below 1 or above n
    assert required(spec, n) == need


@pytest.mark.parametrize("spec", ["", "x%", "7 5", "3<", "<75%", "3<75% 2<50%", "75% 50%", "3.5"])
def test_a_spec_that_does_not_parse_is_refused_naming_it(spec: str) -> None:
    with pytest.raises(ValueError, match="minimum_should_match"):
        MinMatchOptions(spec=spec)


def test_the_clause_applies_only_above_the_word_count() -> None:
    groups = tuple(T.Term("body", w) for w in "甲乙 丙丁 戊己 庚辛".split())
    assert clause(groups[:3], MinMatchOptions("75%", above=3)) is None
    mm = clause(groups, MinMatchOptions("75%", above=3, weight=2.0))
    assert mm == T.MinMatch(groups, 3, True, 2.0)


def test_the_relaxed_form_holds_one_group_per_content_word_and_none_when_off() -> None:
    text = "公务用车 定点维修 结算 公开"
    off = build_query(text)
    assert off.words == 5 and not any(isinstance(n, T.MinMatch) for n in T.walk(off.relaxed))
    on = build_query(text, min_match=MinMatchOptions("75%", above=3))
    (mm,) = [n for n in T.walk(on.relaxed) if isinstance(n, T.MinMatch)]
    assert len(mm.clauses) == 5 and mm.minimum == 3  # 定点维修 is 定点 + 维修
    assert on.strict == off.strict and on.plain == off.plain  # only the relaxed form changes
    # keep_or False: the plain OR's partial matches are gone from the relaxed form
    only = build_query(text, min_match=MinMatchOptions("75%", above=3, keep_or=False)).relaxed
    assert isinstance(only, T.Or) and [type(c) for c in only.clauses] == [T.And, T.MinMatch]


# --- the search it changes, on an archive of one fictional regulation ---------------------------------------

RULES = """# 示例县机关事务管理办法

2021年5月1日 示例县机关事务局印发

自印发之日起施行

（示例文本，虚构，仅供测试）

<!-- INFO END -->

第一条 为了规范公务用车管理，根据有关规定，制定本办法。

第二条 公务用车实行定点维修，维修费用按照标准结算，各单位应当建立车辆使用登记制度，如实记录用车事由、时间、里程和驾驶人员，按月汇总报送机关事务局备查，不得虚报或者漏报。

第三条 公务用车维修费用每季度结算一次，定点维修单位由机关事务局确定，确定时应当综合考虑服务质量、价格水平、响应速度和距离远近等因素，并听取用车单位的意见。

第四条 定点加油实行统一结算。

第五条 车辆保险实行定点投保，统一结算。

第六条 车辆维修应当事先报批。

第七条 公示：用车情况每年公示，公示结果存档。

第八条 本办法自印发之日起施行。
"""
QUERY = "公务用车 定点维修 结算 公示"  # five words (定点维修: 定点, 维修); no article holds all; 第二条, 第三条 four


@pytest.fixture(scope="module")
def cars(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.conftest import build_archive

    folder = tmp_path_factory.mktemp("minmatch-corpus")
    (folder / "示例县机关事务管理办法(2021-05-01).md").write_text(RULES, encoding="utf-8")
    return build_archive(tmp_path_factory.mktemp("minmatch") / "home", [str(folder)])


def _articles(settings, min_match: MinMatchOptions | None) -> list[str]:  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    service = SearchService(replace(settings.search_options(), min_match=min_match, result_cache=0))
    results = service.search(QUERY, per_page=20)
    assert results.relaxed  # no unit holds every word
    return [h.article for h in results.hits if h.kind == "article"]


def test_min_match_is_on_by_default_with_the_measured_options(cars) -> None:  # type: ignore[no-untyped-def]
    # results_31.md, round 3 after pool 3: `mm` ahead of the engine on every split
    assert cars.search_options().min_match == MinMatchOptions(spec="50%", above=2, weight=0.6)


def test_units_holding_three_of_five_words_are_found_with_min_match_and_not_only_them_without(cars) -> None:  # type: ignore[no-untyped-def]
    held = {"第二条", "第三条"}  # four of the five words each; the other articles one or two
    without = _articles(cars, None)
    assert held <= set(without) and len(without) > len(held)  # the plain OR: any word will do
    only = _articles(cars, MinMatchOptions("75%", above=3, keep_or=False))
    assert set(only) == held  # only units meeting the minimum (3 of 5)
    ranked = _articles(cars, MinMatchOptions("75%", above=3, weight=3.0))
    assert set(ranked[:2]) == held and set(ranked) == set(without)  # the OR's partial matches follow
    # a lower minimum (2 of 5) lets in the units with two: 定点 and 结算 (第四条, 第五条); 用车 (a sub-word of
    # 公务用车, counted for it) and 公示 (第七条)
    assert set(_articles(cars, MinMatchOptions("40%", above=3, keep_or=False))) == held | {"第四条", "第五条", "第七条"}
    # the gate: a query of five words is not above 5, so it keeps the engine's ranking
    assert _articles(cars, MinMatchOptions("75%", above=5, keep_or=False)) == without
