"""Property-based tests (hypothesis) of the parsers and the query builder: no exception on any input, and
the invariants hold (a problem's text is in the document, dates are real dates, snippet marks are in the text)."""

from __future__ import annotations

import datetime as dt
import os
import html
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.citations import _short_title, find_citations, short_title, title_key
from archive.figures import find_dates, find_figures, find_money, parse_date, year_of
from archive.normalize import FOLD, fold_chars, normalize
from archive.notice import parse_notice
from archive.numerals import cn_to_int
from archive.regulation import parse_regulation, title_from_name, version_from_name
from indexer.query import QueryTooLong, build_query
from indexer.snippets import best_window, match_spans, one_line, snippet

PIECES = ["一、整改工作开展情况", "二、反馈问题整改落实情况", "（一）关于落实主体责任方面", "(二)关于作风建设方面",
          "1.针对“公务用车管理不严”问题。", "2．关于“三重一大”决策不规范问题", "一是", "二是", "三是", "统一是",
          "《示例市公务用车管理办法》第八条", "《条例》", "第十二条", "2021年6月10日", "2021年3月至5月", "6月30日",
          "二〇二一年七月一日", "2月30日", "2021-02-29", "13月1日", "1.2万元", "3亿元", "36项", "45%", "。", "；",
          "\n", "\n\n", "第一章 总则", "第一条 为了规范管理，制定本办法。", "第二条", "中共示例区委巡察组",
          "联系电话：12345", "示例区委员会", "2021年9月1日", "巡察", "巡视", " ", "　", "\t", "<!-- x -->", "#"]
notice_like = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map("".join)
anything = st.one_of(notice_like, st.text(max_size=400))
FAST = settings(max_examples=int(os.environ.get("XUNCHA_HYPOTHESIS_EXAMPLES", "150")), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _real_date(value: str) -> bool:
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return 1 <= int(value[5:]) <= 12
    try:
        dt.date.fromisoformat(value)
        return True
    except ValueError:
        return False


@FAST
@given(anything)
def test_parse_notice_never_raises_and_problems_are_in_the_text(raw: str) -> None:
    text = normalize(raw)
    notice = parse_notice(text)
    assert notice.title
    for cat in notice.categories:
        for p in cat.problems:
            for line in p.text.split("\n"):
                assert line in text, (line, text)
            for m in p.measures:
                assert m.number >= 1
    for value in (notice.published, notice.header.feedback_date, notice.header.inspection_start,
                  notice.header.inspection_end):
        assert value is None or _real_date(value), value


@FAST
@given(anything, st.text(max_size=40))
def test_parse_regulation_never_raises_and_articles_are_in_order(raw: str, name: str) -> None:
    text = normalize(raw)
    reg = parse_regulation(text, file_name=name)
    assert isinstance(reg.title, str)
    for a in reg.articles:
        assert a.number >= 1 and a.label.startswith("第")
        for line in a.text.split("\n"):
            assert line in text
    title_from_name(name)
    version = version_from_name(name)
    assert version is None or _real_date(version), version


@FAST
@given(anything)
def test_citations_are_quoted_in_the_text(text: str) -> None:
    for c in find_citations(text):
        assert f"《{c.title}" in text
        assert c.article_number is None or c.article_number >= 1
        title_key(c.title), short_title(c.title)


@FAST
@given(anything, st.one_of(st.none(), st.integers(min_value=1800, max_value=2200)))
def test_dates_and_figures_are_valid(text: str, year: int | None) -> None:
    for f in find_dates(text, year):
        assert _real_date(f.value), f
        assert f.text in text
    for f in find_figures(text, year):
        assert f.text in text
        if f.kind in ("date", "period"):
            assert _real_date(f.value), f
        else:
            float(f.value)
    for f in find_money(text):
        assert float(f.value) >= 0
    parsed = parse_date(text)
    assert parsed is None or _real_date(parsed)
    y = year_of(text)
    assert y is None or 1900 <= y <= 2100


@FAST
@given(st.text(alphabet="零〇一二两三四五六七八九十百千万亿0123456789", max_size=20))
def test_numerals_never_raise(text: str) -> None:
    n = cn_to_int(text)
    assert n is None or n >= 0


@FAST
@given(st.text(max_size=250), st.dictionaries(st.sampled_from(["year", "region", "doc_type", "x"]),
                                              st.text(max_size=20), max_size=3))
def test_build_query_raises_only_query_too_long(text: str, filters: dict[str, str]) -> None:
    try:
        built = build_query(text, filters, reg_keys=("公务用车管理办法",), synonyms={}, max_chars=200)
    except QueryTooLong:
        assert len(text) > 200
        return
    assert len(text) <= 200
    for word in built.highlight:
        assert word and word.strip()


@FAST
@given(st.text(max_size=600), st.lists(st.text(min_size=1, max_size=6), max_size=5),
       st.integers(min_value=10, max_value=300))
def test_snippet_marks_land_inside_the_text(text: str, words: list[str], width: int) -> None:
    for s, e in match_spans(text, words):
        assert 0 <= s < e <= len(text)
    out = snippet(text, words, width)
    flat = re.sub(r"\s*\n\s*", " ", text)
    plain = html.unescape(out.replace("<mark>", "").replace("</mark>", "")).strip("…")
    assert plain in flat
    assert out.count("<mark>") == out.count("</mark>")
    assert "<" not in re.sub(r"</?mark>", "", out)  # everything else is escaped


def _best_window_by_rescoring(text: str, spans: list[tuple[int, int]], width: int) -> int:
    best, best_score = 0, -1
    for i, (s, _) in enumerate(spans):
        window = [(a, b) for a, b in spans[i:] if b <= s + width]
        score = len({text[a:b] for a, b in window}) * 10 + len(window)
        if score > best_score:
            best, best_score = i, score
    return best


@FAST
@given(st.text(alphabet="甲乙丙丁 ab1", max_size=400), st.lists(st.sampled_from(["甲", "乙丙", "丁丁", "a", "b1", "甲 乙"]),
                                                               min_size=1, max_size=4),
       st.integers(min_value=1, max_value=12))
@example("甲1甲甲1甲", ["甲", "b1"], 1)  # a merged span wider than the window, then more spans
def test_best_window_is_the_one_rescoring_every_window_finds(text: str, words: list[str], width: int) -> None:
    spans = match_spans(text, words)
    assert best_window(text, spans, width) == _best_window_by_rescoring(text, spans, width)


@FAST
@given(st.text(alphabet=st.sampled_from("ab中 \n\t\r\u3000\x1c\x85"), max_size=40))
def test_one_line_is_the_regex_it_replaces(text: str) -> None:
    assert one_line(text) == re.sub(r"\s*\n\s*", " ", text)


@FAST
@given(st.text(alphabet=st.sampled_from("中文ab1（）％Ａ１⾼　\u00a0") | st.characters(), max_size=30))
def test_fold_chars_is_the_table_applied(text: str) -> None:
    assert fold_chars(text) == text.translate(FOLD)


@FAST
@given(st.text(alphabet=st.sampled_from("中华人民共和国全国大常委会关于党章程法条例试行暂行修订2019年()（）〈〉<>《》“” \"\n政府采购"),
               max_size=24) | st.text(max_size=24))
@example("全国人大常委会关于加强法制宣传教育的决议")
@example("中华人民共和国政府采购法")
@example("中国共产党纪律处分条例")
@example("保密法(试行)")
@example("政府采购法（2014年修正）")
@example("〈政府采购法〉")
def test_short_title_shortcut_is_the_full_rule(text: str) -> None:
    assert short_title(text) == _short_title(text)
