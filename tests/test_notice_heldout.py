"""Held-out layouts (issue 29): fictional samples written apart from archive/hierarchy.py, by an engineer who
built another parser for the same kinds, and never tuned on by it — text ledgers (【问题一】 + labelled lines),
problem-only 一、 sections, 一、 categories over （一） problems, county sub-problems, and per-problem statuses
checked against the summary. Every problem's title, status, deadline, measures and citations asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.normalize import normalize
from archive.notice import parse_notice

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def rows(name: str) -> tuple[list, list[str]]:
    n = parse_notice(normalize((LAYOUTS / name).read_text(encoding="utf-8")))
    out = [(p.number, p.title, p.status.value if p.status else None, p.deadline, p.responsible,
            [m.text for m in p.measures], [c.title for c in p.citations]) for c in n.categories for p in c.problems]
    return out, list(n.warnings)


CASES = {
    "ledger-text-a.txt": ([
        (1, "农村公路养护资金使用不规范", "done", "2023-10", "局党组书记",
         ["制定农村公路养护资金管理细则", "对三个乡镇资金使用情况逐笔核查。"], []),
        (2, "工程招投标监管存在漏洞", "in_progress", "2023-12", "分管副局长",
         ["修订《县交通运输局工程建设项目招标投标管理办法》。", "正在推进专家库更新工作。"],
         ["县交通运输局工程建设项目招标投标管理办法"]),
        (3, "安全生产责任落实不到位", "ongoing", None, "分管副局长", ["每季度开展一次客运站安全生产专项检查。"], []),
    ], []),
    "ledger-text-b.txt": ([
        (1, "统计数据质量核查机制不健全", "done", "2024-09-30", "综合科", ["建立基层报表三级审核制度。"], []),
        (2, "意识形态工作责任制落实有差距", "done", "2024-08", "办公室", [], []),
        (3, "干部教育培训针对性不强", "ongoing", None, "人事科", ["按季度组织业务骨干轮训", "编写统计业务培训手册。"], []),
        (4, "公务用车管理不规范", "done", "2024-07", "办公室", ["清理公务用车使用登记台账", "严格执行派车审批制度。"], []),
    ], []),
    "sections-a.txt": ([
        (1, "关于河道日常巡查不到位的问题", "done", None, None,
         ["一是建立河湖长巡河工作日志制度，实行每周巡查", "二是对辖区12条河道设置公示牌。"], []),
        (2, "关于防汛物资管理混乱的问题", "done", None, None, ["开展防汛物资仓库清查，建立出入库登记台账。"], []),
        (3, "关于项目资金拨付滞后的问题", "in_progress", None, None,
         ["第一，制定水利项目资金拨付流程图", "第二，依照《示例区财政资金支付管理办法》按月通报拨付进度。"],
         ["示例区财政资金支付管理办法"]),
    ], []),
    "sections-b.txt": ([
        (2, "关于村级财务监管薄弱的问题", "done", None, None,
         ["全面推行村级财务委托代理制度", "开展村集体“三资”清理，收回被占用资金3.2万元。"], []),
        (3, "关于惠民政策落实不精准的问题", "ongoing", None, None, ["逐户复核低保对象，清退不符合条件对象6户。"], []),
        (4, "关于基层党组织活动不规范的问题", "done", None, None, ["规范“三会一课”记录，每季度抽查一次。"], []),
        (5, "关于干部作风不实的问题", "in_progress", None, None, ["开展作风建设专项整治，约谈干部5人。"], []),
    ], ["statuses do not add up to the summary: 3 stated done, 2 marked done of 4"]),
    "fields-status-a.txt": ([
        (1, "关于审计发现问题移送不及时的问题", "done", None, None, ["建立审计移送事项台账，明确移送时限。"], []),
        (2, "关于审计质量控制不严的问题", "done", None, None, ["一是修订审计项目三级复核办法", "二是开展审计底稿专项检查。"], []),
        (3, "关于干部轮岗交流不够的问题", "ongoing", None, None, ["制定干部轮岗交流计划，分两批实施。"], []),
    ], []),
}


CATEGORIES = {
    "cat-paren-a.txt": [("政治建设方面", [
        (1, "关于学习贯彻上级部署不及时的问题", "done", ["修订支部理论学习计划，每月开展一次专题学习。"], []),
        (2, "关于意识形态阵地管理薄弱的问题", "done", ["对馆内展陈内容逐项审读", "建立展览内容三审制度。"], []),
    ]), ("业务管理方面", [
        (1, "关于档案数字化进度缓慢的问题", "in_progress", ["制定数字化加工三年计划，引入第三方加工团队。"], []),
        (2, "关于库房安全隐患排查不彻底的问题", "done", ["开展库房消防安全大检查，更换老化灭火器20具。"], []),
        (3, "关于档案利用服务不便民的问题", "ongoing", ["开通线上查档预约服务。"], []),
    ])],
    "cat-paren-b.txt": [("党的建设", [
        (1, "关于“三重一大”决策制度执行不严的问题", "done",
         ["1.修订党组议事规则，明确集体决策事项清单。", "2.对近三年重大事项决策记录逐一复核。"], []),
        (2, "关于党员教育管理松散的问题", "in_progress", ["1.建立党员积分管理制度", "2.按月通报党员参加组织生活情况。"], []),
    ]), ("业务工作", [
        (1, "关于养老机构安全监管缺位的问题", "done",
         ["1.依据《养老机构管理办法》开展全县养老机构安全大排查。", "2.建立养老机构安全风险分级台账。"], ["养老机构管理办法"]),
    ])],
}


def tree(name: str) -> tuple[list, list[str]]:
    n = parse_notice(normalize((LAYOUTS / name).read_text(encoding="utf-8")))
    return [(c.title, [(p.number, p.title, p.status.value if p.status else None, [m.text for m in p.measures],
                        [x.title for x in p.citations]) for p in c.problems]) for c in n.categories], list(n.warnings)


@pytest.mark.parametrize("name", sorted(CATEGORIES))
def test_category_level_above_paren_problems(name: str) -> None:
    """一、 categories with (一) problems: the (一) lines are problems (they were taken for categories, or gave none)."""
    assert tree(name) == (CATEGORIES[name], [])


@pytest.mark.parametrize("name", sorted(CASES))
def test_layout_sample(name: str) -> None:
    assert rows(name) == CASES[name]


def test_every_held_out_sample_is_asserted() -> None:
    held_out = {p.name for p in LAYOUTS.glob("*.txt")} - {p.name for p in LAYOUTS.glob("[a-f]*-[0-9]*.txt")}
    held_out -= {p.name for p in LAYOUTS.glob("[a-f]-*.txt")} | {p.name for p in LAYOUTS.glob("f2-*.txt")}
    assert sorted(held_out) == sorted([*CASES, *CATEGORIES, *SUBPROBLEMS])


SUBPROBLEMS = {
    "county-sub-a.txt": [[
        ("关于“村级林长巡林记录缺失”问题", "done", ["一是印发村级林长巡林手册", "二是每月抽查巡林记录。"], []),
        ("关于“护林员管理松散”问题", "done", ["一是依据《示例县护林员管理办法》重新签订管护协议", "二是建立护林员考勤制度",
                                   "三是对不履职的护林员解聘4人。"], ["示例县护林员管理办法"]),
        ("关于“林长制考核走过场”问题", "in_progress", ["一是修订《示例县林长制考核细则》", "二是将考核结果与评优挂钩。"],
         ["示例县林长制考核细则"]),
    ]],
    "county-sub-b.txt": [[
        ("关于“村级林长巡林记录缺失”问题", "done", ["一是印发村级林长巡林手册", "二是每月抽查巡林记录。"], []),
        ("关于“护林员管理松散”问题", "done", ["一是依据《示例县护林员管理办法》重新签订管护协议", "二是建立护林员考勤制度。"],
         ["示例县护林员管理办法"]),
    ], [
        ("关于“瞭望塔设备失修”问题", "done", ["一是更换瞭望塔监控设备", "二是依据《森林防火条例》制定维护计划。"], ["森林防火条例"]),
    ]],
}


@pytest.mark.parametrize("name", sorted(SUBPROBLEMS))
def test_county_subproblems_keep_their_measures(name: str) -> None:
    """The second and later (2) sub-problems, also when written on in the (1)'s paragraph, keep measures and 《…》."""
    n = parse_notice(normalize((LAYOUTS / name).read_text(encoding="utf-8")))
    got = [[(s.title, s.status.value if s.status else None, [m.text for m in s.measures],
             [c.title for m in s.measures for c in m.citations]) for s in p.subproblems]
           for c in n.categories for p in c.problems]
    assert (got, list(n.warnings)) == (SUBPROBLEMS[name], [])
