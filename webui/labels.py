"""Chinese labels for grains, document types, facets, figures and citation outcomes."""

from __future__ import annotations

KIND_LABELS: dict[str, str] = {"document": "文件", "problem": "问题", "measure": "整改措施", "article": "法规条文"}
# the grain selector: value sent as ?kind=, label shown
GRAINS: tuple[tuple[str, str], ...] = (("", "全部"),) + tuple(KIND_LABELS.items())
DOC_TYPES: dict[str, str] = {"notice": "整改通报", "regulation": "法规", "other": "其他文件"}
FACET_LABELS: dict[str, str] = {
    "kind": "粒度", "doc_type": "文件类型", "publisher": "发布单位", "year": "年份", "category": "问题类别/章",
    "reg_category": "法规类别", "region": "地区", "status": "效力状态",
    "rectification": "整改状态", "recurring": "屡改屡犯", "common": "共性问题",
}
RECTIFICATION: dict[str, str] = {"done": "已完成", "in_progress": "正在整改", "not_done": "未完成", "ongoing": "长期坚持"}
# a notice's stated summary figures (archive.models.Progress), in the order the notice page lists them
PROGRESS_LABELS: tuple[tuple[str, str, str], ...] = (
    ("problems_total", "反馈问题", "个"), ("problems_done", "已完成整改", "个"), ("problems_in_progress", "正在整改", "个"),
    ("completion_rate", "整改完成率", "%"), ("money_recovered_yuan", "追缴/清退/挽回资金", "元"),
    ("people_disciplined", "党纪政务处分", "人"), ("people_handled", "组织处理", "人"), ("people_admonished", "诫勉", "人"),
    ("rules_made", "建章立制", "项"))
FACET_ORDER: tuple[str, ...] = ("doc_type", "kind", "year", "publisher", "category", "reg_category", "region", "status",
                                "rectification", "recurring", "common")
# a problem's recurring / common facet (issue 30): yes | no
YES_NO: dict[str, str] = {"yes": "是", "no": "否"}
# where a notice sits in its unit's round (archive.kinds.ReportStage)
STAGE_LABELS: dict[str, str] = {"feedback": "反馈意见", "rectification": "整改情况报告", "progress": "整改进展报告",
                                "revisit": "“回头看”报告"}
SORTS: dict[str, str] = {"relevance": "相关度", "date": "日期"}
FIGURE_KINDS: dict[str, str] = {"date": "日期", "period": "时间", "money": "金额", "percent": "比例", "count": "数量"}
EXAMPLES: tuple[str, ...] = ("三重一大", "公车管理", "因私出国(境)", '"主体责任"', "政府采购法 第二十六条")


def facet_value_label(facet: str, value: str) -> str:
    """How a facet value is shown (grains and document types in Chinese, the rest as stored)."""
    if facet == "kind":
        return KIND_LABELS.get(value, value)
    if facet == "doc_type":
        return DOC_TYPES.get(value, value)
    if facet == "rectification":
        return RECTIFICATION.get(value, value)
    if facet in ("recurring", "common"):
        return YES_NO.get(value, value)
    return value


def figure(value: float) -> str:
    """A notice's figure as people write it: 16,800,000 and 4,200 (not 1.68e+07), 2.5, 0.35."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
