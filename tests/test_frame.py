"""indexer/frame.py and its use in build_query: a long pasted title leaves out the words that frame a finding."""

from __future__ import annotations

import pytest

from indexer import querytree as T
from indexer.frame import FrameOptions, is_frame
from indexer.query import build_query

TITLE = "关于意识形态工作责任制落实不到位、阵地管理存在薄弱环节的问题"


def test_frame_words_are_all_frame_bigrams() -> None:
    assert all(is_frame(w) for w in ("落实", "不到位", "不规范", "存在", "问题", "管理"))
    assert not any(is_frame(w) for w in ("公车私用", "意识形态", "阵地", "环节", "程序", "发展党员", "落"))


def _words(tree: T.Node) -> set[str]:
    return {str(text) for field, text in T.terms(tree) if field == "body"}


def test_a_long_title_leaves_the_frame_out_and_a_short_query_keeps_it() -> None:
    plain, framed = build_query(TITLE), build_query(TITLE, frame=FrameOptions())
    assert {"落实", "存在", "问题"} <= _words(plain.relaxed)
    assert not {"落实", "存在", "问题", "到位", "管理"} & _words(framed.relaxed)
    assert {"阵地", "环节", "薄弱环节"} <= _words(framed.relaxed) and framed.words < plain.words
    short = "管理 不规范 问题"  # every word frame, and few: kept as typed
    assert build_query(short, frame=FrameOptions()).relaxed == build_query(short).relaxed
    assert build_query(TITLE, frame=FrameOptions(min_words=50)).relaxed == plain.relaxed


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        FrameOptions(min_words=0)
