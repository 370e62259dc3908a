"""The search-quality benchmark: metrics on hand-made rankings, and a small end-to-end smoke run."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from benchmarks.quality import metrics
from benchmarks.quality.pool import pool
from benchmarks.quality.report import compare
from benchmarks.quality.runner import SYSTEMS, Judged, load_queries, quick_paths, run, unit_key
from tests.conftest import SHARED, needs_shared

LUOHU = "notices/luohu-canlian-2021.txt"
NANKAI = "notices/中共南开大学委员会关于十九届中央第七轮巡视整改进展情况的通报.txt"


def test_ndcg_perfect_and_empty() -> None:
    grades = {"a": 2, "b": 1}
    assert metrics.score_ranking([{"a"}, {"b"}], grades)["ndcg@10"] == pytest.approx(1.0)
    assert metrics.score_ranking([], grades) == {"ndcg@10": 0.0, "recall@10": 0.0, "mrr@10": 0.0, "p@5": 0.0}


def test_ndcg_known_value() -> None:
    s = metrics.score_ranking([set(), {"a"}, {"b"}], {"a": 2, "b": 1})
    dcg = 2 / math.log2(3) + 1 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    assert s["ndcg@10"] == pytest.approx(dcg / ideal)
    assert s["recall@10"] == 1.0 and s["mrr@10"] == pytest.approx(0.5) and s["p@5"] == pytest.approx(0.4)


def test_ideal_is_cut_at_k() -> None:
    grades = {i: 2 for i in range(12)}
    assert metrics.score_ranking([{i} for i in range(10)], grades)["ndcg@10"] == pytest.approx(1.0)
    assert metrics.score_ranking([{i} for i in range(10)], grades)["recall@10"] == pytest.approx(10 / 12)


def test_each_unit_counts_once() -> None:
    grades = {"m1": 2, "m3": 1}
    # a problem hit covering both judged measures gains the larger grade and finds both
    gains, found = metrics.dedupe([{"m1", "m3"}, {"m3"}, {"m1"}], grades)
    assert gains == [2, 0, 0] and found == [{"m1", "m3"}, set(), set()]
    s = metrics.score_ranking([{"m1", "m3"}, {"m3"}], grades)
    assert s["recall@10"] == 1.0 and s["p@5"] == pytest.approx(0.2)
    # the same unit seen first at a measure, then its problem: the problem gains what is left
    assert metrics.dedupe([{"m3"}, {"m1", "m3"}], grades)[0] == [1, 2]


def test_mrr_and_precision_thresholds() -> None:
    assert metrics.mrr([0, 0, 1, 2]) == pytest.approx(1 / 3)
    assert metrics.mrr([0] * 10 + [2]) == 0.0  # beyond k
    assert metrics.precision([2, 1]) == pytest.approx(0.4)  # fewer than 5 hits still divides by 5
    assert metrics.precision([0, 0, 0, 0, 0, 2]) == 0.0


def test_mean_by_metric() -> None:
    rows = [{"ndcg@10": 1.0, "recall@10": 0.5, "mrr@10": 1.0, "p@5": 0.2},
            {"ndcg@10": 0.0, "recall@10": 0.5, "mrr@10": 0.0, "p@5": 0.0}]
    assert metrics.mean(rows) == {"ndcg@10": 0.5, "recall@10": 0.5, "mrr@10": 0.5, "p@5": 0.1}
    assert metrics.mean([])["ndcg@10"] == 0.0


def test_unit_keys_and_rollup() -> None:
    q = {"judgments": [
        {"doc": LUOHU, "category": 1, "problem": 5, "measure": 2, "grade": 2},
        {"doc": LUOHU, "category": 4, "problem": 14, "grade": 1},
        {"doc": NANKAI, "category": 0, "section": 3, "problem": 2, "measure": 3, "grade": 1},
        {"doc": NANKAI, "category": 3, "grade": 1},
        {"doc": "related/中国共产党章程(2017-10-24).txt", "article": "第八条", "grade": 2}]}
    j = Judged.of(q)
    p5 = ("notice", LUOHU, 1, None, 5, None)
    assert j.covers(p5, "problem") == {p5[:5] + (2,)}  # an unjudged problem rolls up its judged measures
    assert j.covers(p5[:5] + (1,), "measure") == set()
    p14 = ("notice", LUOHU, 4, None, 14, None)
    assert j.covers(p14[:5] + (3,), "measure") == {p14}  # a measure of a judged problem gets the problem
    assert j.covers(("notice", NANKAI, 0, 3, 2, 3), "measure") == {("notice", NANKAI, 0, 3, 2, 3)}
    assert j.covers(("notice", NANKAI, 0, 1, 2, 3), "measure") == set()  # section matters when category is 0
    assert j.covers(("article", "related/中国共产党章程(2017-10-24).txt", "第八条"), "article")
    reachable = {p5, p14, ("notice", NANKAI, 0, 3, 2, None)}
    assert j.unreachable(reachable) == [unit_key(q["judgments"][3])]
    # a category's own 一是 list is indexed as its problem 0, which the archive map reads as the category
    cat3 = ("notice", NANKAI, 3, None, None, None)
    assert j.covers(cat3, "problem") == {cat3}
    assert j.covers(cat3[:5] + (1,), "measure") == {cat3}
    assert j.unreachable(reachable | {cat3}) == []
    assert j.target == "mixed"


SMOKE = ("q012", "q033", "q036", "q054", "q069", "q004")


@needs_shared
def test_smoke_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries = load_queries(only=SMOKE)
    paths = quick_paths(queries, SHARED, distractors=0)
    result = run(queries, paths, tmp_path / "home", corpus=SHARED, mode="smoke", log=lambda _: None)
    assert len(result["per_query"]) == len(SMOKE)
    for system in SYSTEMS:
        for group, row in result["summary"][system].items():
            assert all(0.0 <= row[m] <= 1.0 for m in metrics.METRICS), (system, group, row)
        for q in result["per_query"]:
            assert all(0.0 <= q["systems"][system][m] <= 1.0 for m in metrics.METRICS)
            assert len(q["systems"][system]["top"]) <= 10
    top = next(q for q in result["per_query"] if q["id"] == "q012")["systems"]["xuncha"]["top"]
    assert any((t["unit"] or "").startswith("luohu c1 p5") for t in top), top
    assert result["meta"]["build_s"]["xuncha"] > 0 and result["meta"]["build_s"]["stock"] > 0
    # the sample corpus is ingested and judged: 示例区党组议事规则 第五条 defines 三重一大
    assert any(t["unit"] == "示例区党组议事规则(2019-05-20) 第五条" and t["gain"] == 2 for t in top), top
    assert result["meta"]["stock_reused"] is False
    out = tmp_path / "r.json"
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    compare(out, out)
    assert "+0.000" in capsys.readouterr().out
    # pooling lists only units no judgment (grade 0 included) covers, each with its text
    conn = sqlite3.connect(tmp_path / "home" / "archive.sqlite3")
    conn.row_factory = sqlite3.Row
    pooled = pool(result, conn)
    conn.close()
    assert sorted(p["id"] for p in pooled) == sorted(SMOKE)
    for p in pooled:
        read = {unit_key(j) for j in next(q for q in queries if q["id"] == p["id"])["judgments"]}
        for u in p["to_judge"]:
            assert u["text"] and unit_key({**u, "grade": 0}) not in read, u
    # a second run over the same home reuses the stock index
    again = run(queries, paths, tmp_path / "home", corpus=SHARED, mode="smoke", log=lambda _: None)
    assert again["meta"]["stock_reused"] is True
    assert again["summary"]["stock-OR"] == result["summary"]["stock-OR"]


def test_grade_zero_is_read_not_relevant() -> None:
    j = Judged.of({"judgments": [{"doc": LUOHU, "category": 1, "problem": 5, "grade": 2},
                                 {"doc": LUOHU, "category": 1, "problem": 5, "measure": 1, "grade": 0}]})
    p5 = ("notice", LUOHU, 1, None, 5, None)
    assert j.grades == {p5: 2}
    assert j.covers(p5[:5] + (1,), "measure") == {p5}  # the 0-graded measure still rolls up to its problem


def test_merge_adds_a_judges_grades_and_zero_for_the_rest() -> None:
    from benchmarks.quality.pool import merge

    queries = [{"id": "q1", "judgments": [{"doc": "a.md", "article": "第一条", "grade": 2}]}, {"id": "q2", "judgments": []}]
    pooled = [{"id": "q1", "to_judge": [{"doc": "a.md", "article": "第二条", "text": "…"},
                                        {"doc": "n.txt", "category": 1, "problem": 2, "measure": 3, "text": "…"}]},
              {"id": "q2", "to_judge": []}]
    judged = [{"id": "q1", "judgments": [{"doc": "n.txt", "category": 1, "problem": 2, "measure": 3, "grade": 1,
                                          "why": "related"}]}, {"id": "q2", "judgments": []}]
    assert merge(queries, pooled, judged) == 2
    assert queries[0]["judgments"][1:] == [{"doc": "a.md", "article": "第二条", "grade": 0},
                                           {"doc": "n.txt", "category": 1, "problem": 2, "measure": 3, "grade": 1,
                                            "why": "related"}]
    assert merge(queries, pooled, judged) == 0  # units already read are not added twice
    stray = [{"id": "q2", "judgments": [{"doc": "x.md", "article": "第九条", "grade": 2}]}]
    with pytest.raises(ValueError, match="q2"):
        merge(queries, pooled, stray)
