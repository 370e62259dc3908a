"""The fictional multi-round notices of corpus/rounds/ (issue 30) against their author's key,
tests/fixtures/rounds_key.json: every notice ingests as a notice with the header, unit, problems and statuses
the key gives, every problem the key names is there under its id, and the key itself is what issue 30 asks
for (five units, common faults over three units, recurring pairs explicit and not, distractors).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.database import Archive
from archive.extract import extract
from archive.kinds import ReportStage
from tests.conftest import ROOT, SAMPLES
from xuncha.cli import main
from xuncha.settings import load_settings

ROUNDS = SAMPLES / "rounds"
KEY = json.loads((ROOT / "tests" / "fixtures" / "rounds_key.json").read_text(encoding="utf-8"))
DOCS = [d for u in KEY["units"] for d in u["documents"]]
UNIT_OF = {d["file"]: u for u in KEY["units"] for d in u["documents"]}
HEADER = ("published", "round_no", "round_label", "revisit", "stage", "as_of", "inspected_unit")


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """corpus/rounds/ ingested into a new archive: each file's `xuncha show --json`, by file name."""
    from archive.pipeline import ingest

    s = load_settings(environ={}, home=tmp_path_factory.mktemp("rounds") / "home", workers=1)
    with Archive.open(s.db_path) as a:
        report = ingest(a, s.ingest_options(), [str(ROUNDS)])
        assert not report.failures, report.failures
        yield {Path(d.source_path).name: a.detail(d).to_json() for d in a.documents()}


def _problems(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for c in doc["categories"] for p in c["problems"]]


def _refs() -> Iterator[dict[str, str]]:
    for r in KEY["recurring"]:
        yield from (r["earlier"], r["later"], *r["also_earlier"])
    for s in KEY["same_round"]:
        yield from (s["a"], s["b"])
    for g in KEY["common"]:
        yield from g["members"]
    for d in KEY["distractors"]:
        yield from (d["a"], d["b"])


def test_the_key_names_every_file_and_no_other(shown) -> None:
    assert sorted(shown) == sorted(p.name for p in ROUNDS.iterdir()) == sorted(d["file"] for d in DOCS)


@pytest.mark.parametrize("expected", DOCS, ids=[d["file"] for d in DOCS])
def test_each_notice_parses_as_the_key_says(shown, expected: dict[str, Any]) -> None:
    doc = shown[expected["file"]]
    assert doc["doc_type"] == "notice"
    assert {k: doc[k] for k in HEADER} == {k: expected[k] for k in HEADER}
    assert doc["stage"] in set(ReportStage)
    problems = _problems(doc)
    assert len(problems) == expected["problems"]
    assert [p["status"] for p in problems] == expected["statuses"]
    assert all(p["measures"] for p in problems), "every problem states its measures"
    # the decoder's note on the GB18030 file is the only warning: no structure warnings, no missing signature
    assert [w for w in doc["warnings"] if not w.startswith("decoded as")] == []
    unit = UNIT_OF[expected["file"]]
    assert doc["publisher"] in unit["aliases"] and doc["inspected_unit"] in unit["aliases"]


def test_units_go_by_several_names_and_notices_are_in_round_order(shown) -> None:
    assert len(KEY["units"]) >= 5
    assert {u["kind"] for u in KEY["units"]} >= {"党政机关", "国有企业", "高校", "医院", "乡镇街道"}
    for unit in KEY["units"]:
        docs = [shown[d["file"]] for d in unit["documents"]]
        assert 2 <= len(docs) <= 4
        assert len({d["inspected_unit"] for d in docs} | {d["publisher"] for d in docs}) >= 3, unit["key"]
        dates = [d["published"] for d in docs]
        assert dates == sorted(dates), unit["key"]
        assert unit["documents"][0]["stage"] == "rectification"
    revisits = [d for d in DOCS if d["revisit"]]
    assert revisits and all(d["stage"] == "revisit" for d in revisits)
    assert any(d["round_no"] is None for d in DOCS) and any(d["round_no"] for d in DOCS)


def test_formats_the_ingest_supports() -> None:
    assert {p.suffix for p in ROUNDS.iterdir()} == {".txt", ".md", ".html", ".docx"}


def test_every_problem_the_key_names_is_there_under_its_id(shown) -> None:
    seen = 0
    for ref in _refs():
        doc = shown[ref["file"]]
        by_id = {p["id"]: p["title"] for p in _problems(doc)}
        assert by_id.get(f"{doc['id']}-{ref['problem']}") == ref["title"], ref
        seen += 1
    assert seen > 100


def test_same_round_pairs_move_as_the_notices_say(shown) -> None:
    for pair in KEY["same_round"]:
        a, b = (shown[pair[x]["file"]] for x in "ab")
        assert UNIT_OF[pair["a"]["file"]] is UNIT_OF[pair["b"]["file"]]
        assert a["published"] < b["published"] and b["stage"] == "progress"
        status = [next(p["status"] for p in _problems(d) if p["id"].endswith("-" + pair[x]["problem"]))
                  for d, x in ((a, "a"), (b, "b"))]
        assert status == pair["status"]
    assert any(p["status"] == ["in_progress", "done"] for p in KEY["same_round"])


def test_recurring_pairs_cross_rounds_within_a_unit(shown) -> None:
    explicit = [r for r in KEY["recurring"] if r["explicit"]]
    unmarked = [r for r in KEY["recurring"] if not r["explicit"]]
    assert len(explicit) >= 4 and len(unmarked) >= 4
    for r in KEY["recurring"]:
        earlier, later = shown[r["earlier"]["file"]], shown[r["later"]["file"]]
        assert UNIT_OF[r["earlier"]["file"]]["key"] == UNIT_OF[r["later"]["file"]]["key"] == r["unit"]
        assert earlier["published"][:4] < later["published"][:4]
        # the hint is written in the later title when the pair is explicit, and no hint word when it is not
        hints = ("反弹", "仍", "再次", "整改不彻底")
        assert (r["hint"] in r["later"]["title"]) if r["explicit"] else \
            not any(h in r["later"]["title"] for h in hints)


def test_common_faults_spread_over_units_and_distractors_stay_apart() -> None:
    def unit(ref: dict[str, str]) -> str:
        return UNIT_OF[ref["file"]]["key"]

    required = [g for g in KEY["common"] if g["required"]]
    assert len(required) >= 4 and all(len({unit(m) for m in g["members"]}) >= 3 for g in required)
    group_of = {(m["file"], m["problem"]): g["label"] for g in KEY["common"] for m in g["members"]}
    assert len(group_of) == sum(len(g["members"]) for g in KEY["common"]), "a problem is in one group"
    for d in KEY["distractors"]:
        a, b = ((d[x]["file"], d[x]["problem"]) for x in "ab")
        assert group_of.get(a) is None or group_of.get(a) != group_of.get(b), d
    linked = {(r["earlier"]["file"], r["earlier"]["problem"], r["later"]["file"], r["later"]["problem"])
              for r in KEY["recurring"]}
    assert not any((d["a"]["file"], d["a"]["problem"], d["b"]["file"], d["b"]["problem"]) in linked
                   for d in KEY["distractors"])
    # the words the issue names: 会议, 工程 and 车辆 in two senses
    shared = " ".join(d["shared"] for d in KEY["distractors"])
    assert all(w in shared for w in ("会议", "工程", "车辆"))


def test_the_word_files_are_what_the_tool_writes(tmp_path: Path) -> None:
    from tools.make_round_samples import SAMPLES as SOURCES, write_docx

    s = load_settings(environ={}, home=tmp_path / "home")
    for name, text in SOURCES.items():
        fresh = extract(write_docx(tmp_path / name, text), s.extract_options())
        kept = extract(ROUNDS / name, s.extract_options())
        assert (fresh.text, fresh.title) == (kept.text, kept.title)


def test_show_json_carries_the_round_fields(runner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["ingest", "--no-index", str(ROUNDS / "u1-market-2022-revisit.html")])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(main, ["show", "--json", str(ROUNDS / "u1-market-2022-revisit.html")])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert {k: data[k] for k in ("round_no", "round_label", "revisit", "stage", "as_of")} == \
        {"round_no": 2, "round_label": "十届区委第二轮巡察", "revisit": True, "stage": "revisit", "as_of": None}
    text = runner.invoke(main, ["show", str(ROUNDS / "u1-market-2022-revisit.html")]).output
    assert "十届区委第二轮巡察" in text and "revisit" in text
