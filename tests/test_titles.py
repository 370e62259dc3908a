"""How a title reads (archive/titles.py): a direction of the work states no fault, a bare fault's name does; a
broad finding is an area and a general verdict alone; shared phrases are words, not particles."""

from __future__ import annotations

from archive.titles import broad_area, core_title, phrases, states_fault


def test_a_direction_of_the_work_states_no_fault() -> None:
    for heading in ("在落实中央八项规定精神上下功夫", "加强组织领导，压实整改责任", "持续提升基层党建工作质量",
                    "突出系统集成，务求全面整改", "细化整改方案，健全推进机制"):
        assert not states_fault(heading), heading
    # bare names of faults, with no 问题 and no negation, are findings
    for finding in ("挪用公款", "收受礼品礼金", "截留挪用专项资金", "小金库", "扶贫资金闲置", "公车私用",
                    "以会议名义列支接待费用", "针对公务接待超标准的问题", "加强党风廉政建设不到位"):
        assert states_fault(finding), finding


def test_a_broad_finding_is_an_area_and_a_general_verdict() -> None:
    assert broad_area("针对公务接待管理不严格的问题") == 4  # 公务接待
    assert broad_area("针对发展党员工作把关不严的问题") == 4
    assert broad_area("针对“三重一大”决策制度执行不严格的问题") == 6
    for specific in ("针对公务接待超标准、无公函接待的问题", "针对公车私用的问题",
                     "针对发展党员程序不规范，入党积极分子未经培养考察即列为发展对象的问题"):
        assert broad_area(specific) == 0, specific


def test_shared_phrases_are_words() -> None:
    text = core_title("针对采购的问题整改不彻底、化整为零采购办公设备的问题")
    weights = {g: 1.0 for g in ("采购", "购的", "的问", "化整", "整为", "为零")}
    found = phrases(text, weights)
    assert "化整为零" in found and "采购" in found
    assert not any("的" in p for p in found)
