"""Property tests of the notice parser: what it extracts is text of the document, and no input raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.ledger import ledger_categories
from archive.models import Problem, Table
from archive.normalize import normalize
from archive.numerals import cn_to_int
from archive.notice import parse_notice

# the pieces notices are made of, so generated texts hit the layout rules and not only plain prose
PIECES = ["一、", "二、", "(一)", "(二)", "1.", "2.", "1、", "(1)", "(2)", "①", "②", "一是", "二是", "第一，", "第二，",
          "关于", "针对", "问题", "方面", "的整改", "整改情况：", "整改措施：", "已完成整改。", "正在整改，2023年12月底前完成。",
          "长期坚持。", "未完成。", "。", "；", "，", "\n", "\n", "\n", "《示例办法》第三条", "巡察", "追缴12万元",
          "处分2人", "中共示例县委", "2023年5月6日", "“", "”", "落实", "制度", "学习", "审核", "的通报", "报告"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=6)), max_size=80).map("".join)


def _all(problems: tuple[Problem, ...]):  # type: ignore[no-untyped-def]
    for p in problems:
        yield p
        yield from _all(p.subproblems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_problems_and_measures_are_substrings_and_nothing_raises(raw: str) -> None:
    text = normalize(raw)
    notice = parse_notice(text)
    for cat in notice.categories:
        for p in _all(cat.problems):
            assert p.text in text
            for m in p.measures:
                assert m.text in text
    assert notice.categories or any(w.startswith("structure not recognised") for w in notice.warnings)


cells = st.lists(st.lists(st.one_of(st.sampled_from(["序号", "反馈问题", "整改措施", "责任单位", "整改时限", "完成情况",
                                                     "问题类别", "已完成", "正在整改", "2023年12月底前", "长期坚持",
                                                     "一是落实；二是审核。", "1.学习；2.整改。", ""]),
                                       st.text(max_size=8)), min_size=1, max_size=8), max_size=8)


@settings(max_examples=300, deadline=None)
@given(cells)
def test_ledgers_never_raise_and_keep_cell_text(rows: list[list[str]]) -> None:
    table = Table(rows=tuple(tuple(normalize(c) for c in r) for r in rows), caption="台账")
    categories, warnings = ledger_categories((table,), 2023)
    flat = "\n".join(" | ".join(r) for r in table.rows)
    for cat in categories:
        for p in cat.problems:
            assert p.text in flat and all(m.text in flat for m in p.measures)
    assert categories or warnings or not rows


def test_a_superscript_number_cell_is_no_number() -> None:
    """'¹' is a digit to str.isdigit but not to int(): the ledger numbers that row itself (found by the property above)."""
    categories, _ = ledger_categories((Table(rows=(("反馈问题", "反馈问题", "序号", "整改措施"), ("序号", "序号", "¹")),
                                             caption="台账"),), 2023)
    assert isinstance(categories, list)
    assert cn_to_int("¹") is None and cn_to_int("12") == 12
