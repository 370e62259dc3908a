"""`xuncha links` and `xuncha unit …` (xuncha/links_cli.py): the JSON contract exactly, the timeline, the unit
corrections and the errors that name what was wrong."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import linkfit
from archive.database import Archive
from xuncha.cli import main
from xuncha.links_cli import _user
from xuncha.settings import load_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "links"


def _ingest(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "links"
    shutil.copytree(FIXTURES, src)
    result = runner.invoke(main, ["ingest", "--no-index", str(src)])
    assert result.exit_code == 0, result.output


def test_links_json_has_exactly_the_documented_shape(runner: CliRunner, tmp_path: Path) -> None:
    _ingest(runner, tmp_path)
    result = runner.invoke(main, ["links", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"units", "recurring", "same_round", "common"}
    assert data["units"] and all(set(u) == {"id", "name", "aliases", "documents"} for u in data["units"])
    assert all(set(r) == {"from", "to", "score", "explicit", "reason"} for r in data["recurring"])
    assert all(isinstance(r["explicit"], bool) and isinstance(r["score"], float) and r["reason"]
               for r in data["recurring"])
    assert all(set(r) == {"a", "b", "score"} for r in data["same_round"])
    assert all(set(c) == {"label", "members"} and len(c["members"]) >= 2 for c in data["common"])
    assert data["recurring"] and data["same_round"] and data["common"]
    # problem ids are those `xuncha show --json` gives
    doc = data["units"][0]["documents"][0]
    shown = json.loads(runner.invoke(main, ["show", "--json", doc]).output)
    shown_ids = {p["id"] for c in shown["categories"] for p in c["problems"]}
    everything = {i for r in data["recurring"] for i in (r["from"], r["to"])} | \
        {i for r in data["same_round"] for i in (r["a"], r["b"])} | {m for c in data["common"] for m in c["members"]}
    mine = {i for i in everything if i.startswith(doc + "-")}
    assert mine <= shown_ids
    # documents are in round order: the finance bureau's round 2 reports, then round 5
    finance = next(u for u in data["units"] if u["name"] == "区财政局党组")
    dates = [json.loads(runner.invoke(main, ["show", "--json", d]).output)["feedback_date"] for d in finance["documents"]]
    assert dates == sorted(dates)


def test_links_unit_prints_the_timeline(runner: CliRunner, tmp_path: Path) -> None:
    _ingest(runner, tmp_path)
    result = runner.invoke(main, ["links", "--unit", "中共示例区财政局党组"])  # any spelling of an alias's unit
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("区委第二轮巡察") < out.index("区委第五轮巡察")  # the header's round label
    assert "status: 2019-06-05 in_progress → 2019-12 done" in out
    assert "recurs in 区委第五轮巡察" in out and "repeats 区委第二轮巡察" in out and "提示语：反弹" in out


def test_unknown_unit_is_named_with_a_hint(runner: CliRunner, tmp_path: Path) -> None:
    _ingest(runner, tmp_path)
    result = runner.invoke(main, ["links", "--unit", "不存在的单位"])
    assert result.exit_code == 1
    assert "no unit '不存在的单位'" in result.output and "xuncha unit list" in result.output
    result = runner.invoke(main, ["unit", "merge", "区财政局党组", "不存在的单位"])
    assert result.exit_code == 1 and "不存在的单位" in result.output


def test_unit_list_merge_split(runner: CliRunner, tmp_path: Path) -> None:
    _ingest(runner, tmp_path)
    listed = json.loads(runner.invoke(main, ["unit", "list", "--json"]).output)
    assert all({"id", "name", "aliases", "documents", "region", "kind"} <= set(u) for u in listed)
    assert any(u["kind"] == "国有企业" for u in listed)

    def unit_of(alias: str) -> dict:
        return next(u for u in json.loads(runner.invoke(main, ["unit", "list", "--json"]).output)
                    if alias in u["aliases"])

    # the short name and the full one are one unit by the rules (城投 for 城市建设投资, the legal form left out)
    full = "中共示例区城市建设投资集团有限公司委员会"
    assert unit_of("区城投集团党委") == unit_of(full) and len(unit_of(full)["documents"]) == 2
    again = runner.invoke(main, ["unit", "merge", "区城投集团党委", full])
    assert again.exit_code == 1 and "one unit already" in again.output
    bad = runner.invoke(main, ["unit", "split", "区城投集团党委", "区财政局党组"])
    assert bad.exit_code == 1 and "not an alias" in bad.output
    only = runner.invoke(main, ["unit", "split", "区财政局党组", "区财政局党组"])
    assert only.exit_code == 1 and "only alias" in only.output
    ok = runner.invoke(main, ["unit", "split", "区城投集团党委", full])
    assert ok.exit_code == 0, ok.output
    assert unit_of("区城投集团党委")["id"] != unit_of(full)["id"] and len(unit_of(full)["documents"]) == 1
    # re-ingest: the correction is kept by alias name
    runner.invoke(main, ["ingest", "--no-index", "--force", str(tmp_path / "links")])
    assert unit_of("区城投集团党委")["id"] != unit_of(full)["id"]
    result = runner.invoke(main, ["unit", "merge", full, "区城投集团党委"])
    assert result.exit_code == 0, result.output
    assert "2 notices" in result.output
    assert "alias: 区城投集团党委" in runner.invoke(main, ["unit", "list"]).output  # listed under the full name
    runner.invoke(main, ["ingest", "--no-index", "--force", str(tmp_path / "links")])
    assert unit_of("区城投集团党委") == unit_of(full) and len(unit_of(full)["documents"]) == 2


def _recurring_hits(runner: CliRunner) -> set[str]:
    result = runner.invoke(main, ["search", "--filter", "recurring=yes", "--json", "--limit", "100", ""])
    assert result.exit_code == 0, result.output
    return {h["id"] for h in json.loads(result.output)["hits"]}


def _later_problems(runner: CliRunner) -> set[str]:
    return {r["to"] for r in json.loads(runner.invoke(main, ["links", "--json"]).output)["recurring"]}


def test_a_correction_updates_the_search_facets_at_once(runner: CliRunner, tmp_path: Path) -> None:
    """`xuncha unit merge/split` re-index what their links changed, as the unit page does: the recurring facet
    follows without another ingest."""
    src = tmp_path / "links"
    shutil.copytree(FIXTURES, src)
    assert runner.invoke(main, ["ingest", str(src)]).exit_code == 0
    before = _later_problems(runner)
    assert before and _recurring_hits(runner) == before
    merged = runner.invoke(main, ["unit", "merge", "区卫生健康局党组", "某街道党工委"])  # rounds of two units as one
    assert merged.exit_code == 0, merged.output
    after = _later_problems(runner)
    assert after != before and _recurring_hits(runner) == after
    split = runner.invoke(main, ["unit", "split", "区卫生健康局党组", "某街道党工委"])
    assert split.exit_code == 0, split.output
    assert _later_problems(runner) == before and _recurring_hits(runner) == before


def test_links_full_fits_again_and_keeps_the_json_on_stdout(runner: CliRunner, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkfit, "REFIT_SHARE", 1.0)  # the ingest keeps the fit, whatever share one notice is
    src = tmp_path / "links"
    shutil.copytree(FIXTURES, src)
    later = tmp_path / "later"
    later.mkdir()
    last = sorted(src.glob("*.txt"))[-1]
    shutil.move(last, later / last.name)
    assert runner.invoke(main, ["ingest", "--no-index", str(src)]).exit_code == 0
    home = Path(os.environ["XUNCHA_HOME"])
    fitted = _fit(home)
    assert runner.invoke(main, ["ingest", "--no-index", str(later)]).exit_code == 0
    assert _fit(home) == fitted
    result = runner.invoke(main, ["links", "--full", "--json"])
    assert result.exit_code == 0, result.output
    assert "relinked in full: 11 notices" in result.stderr
    data = json.loads(result.stdout)
    assert data["recurring"] and data["common"]
    refit = _fit(home)
    assert refit != fitted and linkfit.loads(refit).basis.keys() > linkfit.loads(fitted).basis.keys()
    problems = linkfit.loads(refit).problems
    assert f"scores fitted on {problems} problems; 0.0% of them changed since" in runner.invoke(main, ["links"]).output


def test_links_says_how_much_changed_since_the_fit(runner: CliRunner, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkfit, "REFIT_SHARE", 1.0)
    src, later = tmp_path / "links", tmp_path / "later"
    shutil.copytree(FIXTURES, src)
    later.mkdir()
    last = sorted(src.glob("*.txt"))[-1]
    shutil.move(last, later / last.name)
    assert runner.invoke(main, ["ingest", "--no-index", str(src)]).exit_code == 0
    fitted = linkfit.loads(_fit(Path(os.environ["XUNCHA_HOME"]))).problems
    assert runner.invoke(main, ["ingest", "--no-index", str(later)]).exit_code == 0
    with Archive.open(load_settings(environ={}, home=Path(os.environ["XUNCHA_HOME"])).db_path) as a:
        added = len(a.link_problems()) - fitted
    out = runner.invoke(main, ["links"]).output
    assert added > 0 and f"scores fitted on {fitted} problems; {added / fitted:.1%} of them changed since" in out


def _fit(home: Path) -> bytes:
    with Archive.open(load_settings(environ={}, home=home).db_path) as a:
        return a.link_fit()[1]


def _problem(runner: CliRunner, name: str, number: int) -> str:
    """The id of problem `number` of the fixture notice whose file name starts with `name` (as `xuncha show`)."""
    data = json.loads(runner.invoke(main, ["links", "--json"]).output)
    for unit in data["units"]:
        for doc in unit["documents"]:
            shown = json.loads(runner.invoke(main, ["show", "--json", doc]).output)
            if Path(shown["source_path"]).name.startswith(name):
                return next(p["id"] for c in shown["categories"] for p in c["problems"] if p["number"] == number)
    raise AssertionError(name)


def test_link_reject_confirm_clear_and_list(runner: CliRunner, tmp_path: Path) -> None:
    _ingest(runner, tmp_path)
    early, late = _problem(runner, "乙-2020-卫健局", 2), _problem(runner, "乙-2023-卫健局", 1)

    def pairs() -> set[tuple[str, str]]:
        return {(r["from"], r["to"]) for r in json.loads(runner.invoke(main, ["links", "--json"]).output)["recurring"]}

    assert (early, late) in pairs()
    result = runner.invoke(main, ["link", "reject", early, late])
    assert result.exit_code == 0 and result.output.strip() == f"rejected {early} ~ {late}: now no recurring link"
    assert (early, late) not in pairs()
    timeline = runner.invoke(main, ["links", "--unit", "区卫生健康局党组"]).output
    assert "rejected (not the same fault" in timeline and f"({min(early, late)} ~ {max(early, late)}; " in timeline
    listed = json.loads(runner.invoke(main, ["link", "list", "--json"]).output)
    assert listed == [{"a": min(early, late), "b": max(early, late), "verdict": "different", "user": _user(),
                       "at": listed[0]["at"], "holds": True}]
    assert datetime.fromisoformat(listed[0]["at"]).tzinfo is not None
    text = runner.invoke(main, ["link", "list"]).output
    assert text.startswith("different  ") and text.rstrip().endswith("1 reviews") and "stale" not in text
    assert runner.invoke(main, ["link", "clear", early, late]).output.startswith(f"cleared {early} ~ {late}: now a "
                                                                                "recurring link")
    assert (early, late) in pairs()
    members = _problem(runner, "乙-2020-卫健局", 1)
    result = runner.invoke(main, ["link", "confirm", members, late])
    assert result.exit_code == 0 and f"confirmed {members} ~ {late}: now a recurring link" in result.output
    assert (members, late) in pairs() and (early, late) not in pairs()
    reasons = [r["reason"] for r in json.loads(runner.invoke(main, ["links", "--json"]).output)["recurring"]
               if (r["from"], r["to"]) == (members, late)]
    assert "经人工核定为同一问题" in reasons[0]


def test_link_review_errors_name_the_pair_and_hint(runner: CliRunner, tmp_path: Path) -> None:
    _ingest(runner, tmp_path)
    a, b = _problem(runner, "乙-2020-卫健局", 1), _problem(runner, "乙-2020-卫健局", 2)
    result = runner.invoke(main, ["link", "confirm", a, b])
    assert result.exit_code == 1 and "one round of their unit" in result.output and "hint: `xuncha links --unit" in result.output
    result = runner.invoke(main, ["link", "reject", a, "no-such-p9"])
    assert result.exit_code == 1 and "'no-such-p9' is no problem" in result.output
    result = runner.invoke(main, ["link", "clear", a, b])
    assert result.exit_code == 1 and "no review of" in result.output and "xuncha link list" in result.output
    assert json.loads(runner.invoke(main, ["link", "list", "--json"]).output) == []
