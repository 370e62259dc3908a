"""The judged pairs' consistency audit (benchmarks/quality/links/audit.py): which triads it draws and how it merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.quality.links.audit import merge, second, triads


def _judged(*rows: tuple[str, str, str, int]) -> dict[str, dict]:
    return {pid: {"pair_id": pid, "a": a, "b": b, "grade": g, "group": "common"} for pid, a, b, g in rows}


def test_a_triad_is_two_same_faults_and_a_third_grade_below() -> None:
    judged = _judged(("ab", "A", "B", 2), ("bc", "B", "C", 2), ("ac", "A", "C", 1),
                     ("cd", "C", "D", 2), ("ad", "A", "D", 2), ("bd", "B", "D", 0), ("de", "D", "E", 1))
    found = triads(judged)
    # A-C below 2 against A-B, B-C and against A-D, C-D; B-D against A-B, A-D and B-C, C-D; D-E has no third pair
    assert sorted(found) == sorted([("ac", "ab", "bc"), ("ac", "ad", "cd"), ("bd", "ab", "ad"), ("bd", "bc", "cd")])
    consistent = _judged(("ab", "A", "B", 2), ("bc", "B", "C", 1), ("ac", "A", "C", 1))
    assert triads(consistent) == []  # one same fault and two related ones say nothing contradictory


def test_merge_takes_the_median_and_needs_the_second_regrade_where_the_first_two_differ() -> None:
    judged = _judged(("p", "A", "B", 0), ("q", "A", "C", 2), ("r", "B", "C", 1))
    record = {"flagged": ["p", "q"], "controls": ["r"]}
    first = {"p": 2, "q": 2, "r": 1}
    assert merge(record, first, {"p": 2}, judged) == {"p": 2, "q": 2, "r": 1}
    assert merge(record, first, {"p": 1}, judged) == {"p": 1, "q": 2, "r": 1}
    assert merge(record, first, {"p": 0}, judged)["p"] == 0
    with pytest.raises(SystemExit, match="pair p"):
        merge(record, first, {}, judged)


def test_second_draws_only_the_pairs_regraded_otherwise(tmp_path: Path) -> None:
    judged = _judged(("p", "A", "B", 0), ("q", "A", "C", 2))
    blind = {"a": {"title": "甲", "text": "甲"}, "b": {"title": "乙", "text": "乙"}}
    (tmp_path / "audit-1.jsonl").write_text("".join(json.dumps({"pair_id": p, **blind}, ensure_ascii=False) + "\n"
                                                    for p in ("q", "p")), encoding="utf-8")
    record = {"flagged": ["p", "q"], "controls": []}
    assert second(tmp_path, record, {"p": 2, "q": 2}, judged) == ["p"]
    rows = [json.loads(line) for line in (tmp_path / "audit-2.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == [{"pair_id": "p", **blind}]  # blind: no grade, no group
    with pytest.raises(SystemExit, match="lack 1"):
        second(tmp_path, record, {"p": 2}, judged)
