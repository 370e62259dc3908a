"""What linking reads and writes (archive/linktypes.py): the hint phrase, the text a problem is read as, the options."""

from __future__ import annotations

import dataclasses

import pytest

from archive.linktypes import LinkOptions, LinkProblem, full_text, hint_of


def test_the_hint_is_read_from_the_title_or_the_start_of_the_text() -> None:
    assert hint_of(LinkProblem("p1", "d1", "关于公车私用问题反弹的问题", "")) == "反弹"
    assert hint_of(LinkProblem("p2", "d1", "关于公车私用的问题", "上轮巡察指出后仍然存在")) == "仍然"
    assert hint_of(LinkProblem("p3", "d1", "关于公车私用的问题", "节假日未封存。" * 40 + "再次")) is None  # past 200
    assert hint_of(LinkProblem("p4", "d1", "关于公务接待超标准的问题", "已完成整改")) is None


def test_a_problem_is_read_as_its_core_title_twice_and_its_text() -> None:
    text = full_text(LinkProblem("p1", "d1", "关于公车私用的问题", "1辆执法车节假日未封存"))
    first, second, rest = text.split("\n")
    assert first == second == "公车私用"  # the title names the fault: it weighs twice, without 关于…的问题
    assert rest == "1辆执法车节假日未封存"


def test_options_are_frozen_and_the_shipped_bars_are_the_documented_ones() -> None:
    o = LinkOptions()
    assert (o.same_round, o.recurring, o.recurring_explicit, o.common) == (0.24, 0.22, 0.06, 0.12)
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.recurring = 0.3  # type: ignore[misc]
