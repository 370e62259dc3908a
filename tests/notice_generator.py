"""Synthetic notices (issue 29 §2): a tree of categories → problems → measures with statuses, drawn by hypothesis,
rendered in one of the layouts with its markers and field labels recombined, so property tests can ask whether
the parser recovers the tree it was written from. All wording is made up here."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from archive.numerals import int_to_cn

SUBJECTS = ["财务报销", "公务用车", "干部选拔", "合同审查", "档案管理", "项目资金", "政府采购", "公务接待", "信访办理",
            "安全生产", "党费收缴", "会议记录", "资产登记", "工程变更", "专项资金", "请休假审批"]
DEFECTS = ["审核不严", "管理不规范", "落实不到位", "执行不严格", "监督不力", "推进缓慢", "把关不严"]
VERBS = ["修订", "开展", "建立", "完善", "组织", "印发", "落实"]
OBJECTS = ["管理办法", "专项检查", "工作台账", "审批流程", "培训课程", "责任清单", "月度通报制度"]
AREAS = ["政治建设", "作风建设", "组织建设", "纪律建设", "制度建设"]
STATUS_WORDS = {"done": ["已完成整改。", "已整改到位。"], "in_progress": ["正在整改。", "正在整改，2024年6月底前完成。"],
                "ongoing": ["长期坚持。"]}
# issue 29 §2 kinds a, b, c, d; family 1; county sites (family 2: each category one problem of sub-problems)
STYLES = ["paragraphs", "top", "ledger", "lines", "seed", "county"]


@dataclass(frozen=True)
class GenProblem:
    subject: str
    defect: str
    measures: tuple[str, ...]
    status: str  # done / in_progress / ongoing


@dataclass(frozen=True)
class GenNotice:
    style: str
    categories: tuple[tuple[str, tuple[GenProblem, ...]], ...]  # (area, problems); one unnamed for top/ledger
    measure_marker: str  # 一是 / 第一， / ①
    measure_label: str  # 整改情况 / 整改措施 / 整改进展
    status_label: str  # 整改进展 / 销号情况 / "" (the status closes the text)
    opener: str  # 关于 / 针对 / 对于
    run_on: bool = False  # county: the sub-problems run on in one paragraph


measure = st.builds(lambda v, s, o: f"{v}{s}{o}", st.sampled_from(VERBS), st.sampled_from(SUBJECTS), st.sampled_from(OBJECTS))
problem = st.builds(GenProblem, st.sampled_from(SUBJECTS), st.sampled_from(DEFECTS),
                    st.lists(measure, min_size=2, max_size=4).map(tuple), st.sampled_from(sorted(STATUS_WORDS)))


@st.composite
def notices(draw: st.DrawFn) -> GenNotice:
    style = draw(st.sampled_from(STYLES))
    flat = style in ("top", "ledger")
    n_cats = 1 if flat else draw(st.integers(1, 3))
    areas = draw(st.lists(st.sampled_from(AREAS), min_size=n_cats, max_size=n_cats, unique=True))
    cats = tuple((area, tuple(draw(st.lists(problem, min_size=1, max_size=5 if flat else 3)))) for area in areas)
    return GenNotice(style=style, categories=cats, measure_marker=draw(st.sampled_from(["一是", "第一，", "①"])),
                     measure_label=draw(st.sampled_from(["整改情况", "整改措施", "整改进展"])),
                     status_label=draw(st.sampled_from(["整改进展", "销号情况", ""])),
                     opener=draw(st.sampled_from(["关于", "针对", "对于"])), run_on=draw(st.booleans()))


def _marker(kind: str, i: int) -> str:
    if kind == "一是":
        return f"{int_to_cn(i)}是"
    if kind == "第一，":
        return f"第{int_to_cn(i)}，"
    return chr(0x2460 + i - 1)


def _listed(g: GenNotice, p: GenProblem) -> str:
    return "；".join(f"{_marker(g.measure_marker, i)}{m}" for i, m in enumerate(p.measures, 1)) + "。"


def _status(g: GenNotice, p: GenProblem, i: int) -> str:
    words = STATUS_WORDS[p.status][i % len(STATUS_WORDS[p.status])]
    if g.status_label == "销号情况" and p.status == "done":
        words = "已销号"
    return words


def _closing(g: GenNotice, p: GenProblem, i: int) -> list[str]:
    """The status closing a paragraph (…。已完成整改。), or on a labelled line of its own (销号情况：已销号)."""
    return [f"{g.status_label}：{_status(g, p, i)}"] if g.status_label else []


def _inline(g: GenNotice, p: GenProblem, i: int) -> str:
    return "" if g.status_label else _status(g, p, i)


def _title(g: GenNotice, p: GenProblem) -> str:
    return f"{g.opener}{p.subject}{p.defect}{'的' if g.opener == '关于' else ''}问题"


def render(g: GenNotice) -> str:
    out = ["中共示例单位党组关于巡察整改情况的通报",
           "2023年3月6日至4月28日，市委第二巡察组对示例单位党组进行了巡察，2023年6月2日反馈了巡察意见。现将整改情况通报如下。"]
    label = g.status_label or "整改进展"
    if g.style == "seed":
        out += ["一、整改工作的组织开展情况", "党组召开专题会议研究部署整改工作。", "二、巡察反馈问题的整改落实情况"]
    number = 0
    for c, (area, problems) in enumerate(g.categories, 1):
        if g.style == "paragraphs":
            out.append(f"{int_to_cn(c)}、{area}方面")
        elif g.style == "lines":
            out.append(f"{int_to_cn(c)}、{area}")
        elif g.style == "seed":
            out.append(f"({int_to_cn(c)})关于{area}方面的问题")
        elif g.style == "county":
            out.append(f"({int_to_cn(c)})在“{area}”方面")
            out.append(f"{c}.关于“{area}工作有差距”问题的整改")
            subs = [f"({i})关于“{p.subject}{p.defect}”问题。{g.measure_label}：{_listed(g, p)}{_status(g, p, i)}"
                    for i, p in enumerate(problems, 1)]
            out += ["".join(subs)] if g.run_on else subs
            continue
        for i, p in enumerate(problems, 1):
            number += 1
            status = _status(g, p, i)
            if g.style == "paragraphs":
                out += [f"({int_to_cn(i)}){_title(g, p)}", f"{g.measure_label}：{_listed(g, p)}", f"{label}：{status}"]
            elif g.style == "top":
                out += [f"{int_to_cn(i)}、{_title(g, p)}", _listed(g, p) + _inline(g, p, i), *_closing(g, p, i)]
            elif g.style == "ledger":
                out += [f"【问题{int_to_cn(i)}】", f"问题描述：{p.subject}{p.defect}。", "责任领导：分管副局长",
                        "完成时限：2024年6月底", f"{g.measure_label}：{_listed(g, p)}", f"销号情况：{status}"]
            elif g.style == "lines":
                out.append(f"({int_to_cn(i)}){_title(g, p)}")
                out += [f"{k}.{m}；" for k, m in enumerate(p.measures, 1)]
                out += _closing(g, p, i) or [status]
            elif g.style == "seed":  # 1. problems numbered on through the categories, measures in one paragraph
                out += [f"{number}.{_title(g, p)}", _listed(g, p) + _inline(g, p, i), *_closing(g, p, i)]
    out += ["中共示例单位党组", "2023年12月20日"]
    return "\n".join(out)
