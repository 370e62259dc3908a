"""The judged pairs' consistency audit (benchmarks/quality/links/audit.py): which triads it draws and how it merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.quality.links.audit import grades_of, merge, second, triads, undecided


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


def test_merge_takes_the_median_and_needs_another_regrade_where_the_grades_have_no_majority() -> None:
    judged = _judged(("p", "A", "B", 0), ("q", "A", "C", 2), ("r", "B", "C", 1), ("s", "B", "D", 2))
    record = {"flagged": ["p", "q"], "controls": ["r"], "disputed": ["s"], "earlier": {"s": 0}}
    first = {"p": 2, "q": 2, "r": 1, "s": 1}
    assert merge(record, first, {"p": 2}, judged) == {"p": 2, "q": 2, "r": 1, "s": 1}  # s: 2, 0, 1 -> 1
    assert merge(record, first, {"p": 1}, judged)["p"] == 1  # 0, 2, 1
    assert merge(record, first, {"p": 0}, judged)["p"] == 0
    with pytest.raises(SystemExit, match="pair p"):
        merge(record, first, {}, judged)
    assert grades_of("s", record, first, judged) == [2, 0, 1] and not undecided([2, 0, 1])
    assert undecided([0, 2]) and undecided([1, 2]) and not undecided([2, 2]) and not undecided([1, 1, 2, 2][1:])


def test_second_draws_only_the_pairs_without_a_majority(tmp_path: Path) -> None:
    judged = _judged(("p", "A", "B", 0), ("q", "A", "C", 2), ("s", "B", "C", 2))
    blind = {"a": {"title": "甲", "text": "甲"}, "b": {"title": "乙", "text": "乙"}}
    (tmp_path / "audit-1.jsonl").write_text("".join(json.dumps({"pair_id": p, **blind}, ensure_ascii=False) + "\n"
                                                    for p in ("q", "p")), encoding="utf-8")
    (tmp_path / "audit-1b.jsonl").write_text(json.dumps({"pair_id": "s", **blind}, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    record = {"flagged": ["p", "q"], "controls": [], "disputed": ["s"], "earlier": {"s": 1}}
    # p: 0 then 2, no majority; q: 2 and 2; s: 2, 1 (earlier) and 0: the median decides
    assert second(tmp_path, record, {"p": 2, "q": 2, "s": 0}, judged) == ["p"]
    rows = [json.loads(line) for line in (tmp_path / "audit-2.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == [{"pair_id": "p", **blind}]  # blind: no grade, no group
    with pytest.raises(SystemExit, match="lack 1"):
        second(tmp_path, record, {"p": 2, "q": 2}, judged)


def test_a_later_second_round_skips_the_pairs_it_already_has(tmp_path: Path) -> None:
    judged = _judged(("p", "A", "B", 0), ("t", "C", "D", 1))
    blind = {"a": {"title": "甲", "text": "甲"}, "b": {"title": "乙", "text": "乙"}}
    for name, pid in (("audit-1.jsonl", "p"), ("audit-3.jsonl", "t")):
        (tmp_path / name).write_text(json.dumps({"pair_id": pid, **blind}, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    record = {"flagged": ["p"], "controls": [], "rest": ["t"]}
    # both lack a majority; p has its second regrade already, so only t is drawn, from audit-3's texts
    assert second(tmp_path, record, {"p": 2, "t": 2}, judged, "audit-4.jsonl", frozenset({"p"})) == ["t"]
    assert [json.loads(l)["pair_id"] for l in (tmp_path / "audit-4.jsonl").read_text(encoding="utf-8").splitlines()] == ["t"]
    assert merge(record, {"p": 2, "t": 2}, {"p": 2, "t": 1}, judged) == {"p": 2, "t": 1}


def test_a_round_judged_twice_sends_only_its_disagreements_to_a_fresh_judge(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import benchmarks.quality.links.audit as audit
    monkeypatch.setattr(audit, "HERE", tmp_path)  # audit.json is written beside the module
    judged = _judged(("p", "A", "B", 2), ("u", "C", "D", 2), ("v", "C", "E", 1))
    blind = {"a": {"title": "甲", "text": "甲"}, "b": {"title": "乙", "text": "乙"}}
    pool = tmp_path / "pool-15.jsonl"
    pool.write_text("".join(json.dumps({"pair_id": p, **blind}, ensure_ascii=False) + "\n" for p in ("u", "v")),
                    encoding="utf-8")
    record = {"flagged": ["p"], "controls": [], "disputed": [], "earlier": {}}
    out = audit.extend(tmp_path, record, judged, {"u": 2, "v": 2, "p": 0}, pool, "audit-5.jsonl")
    assert out["earlier"] == {"u": 2, "v": 2} and out["disputed"] == ["v"]  # p was drawn already: not re-added
    assert [json.loads(l)["pair_id"] for l in (tmp_path / "audit-5.jsonl").read_text(encoding="utf-8").splitlines()] == ["v"]
    assert json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))["disputed"] == ["v"]
    # v: 1 (first), 2 (second), then the fresh judge's grade decides; u is decided by its two agreeing grades
    assert merge(out, {"p": 2, "v": 1}, {}, judged) == {"p": 2, "v": 1}
