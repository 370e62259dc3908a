"""Inspectors' verdicts (issue 33): the store, the check page's POST and lookup, the at-a-glance counts and
filters, the exports and `xuncha verdicts export --jsonl`."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from archive import store
from archive.crosscheck import CheckReport
from archive.database import Archive
from archive.kinds import Verdict
from tests.ops_helpers import csrf_from, fresh_archive, make_app, sign_in
from webui.check import VERDICT_COLUMN
from webui.exports import LEDGER_COLUMNS
from webui.glance import Outcome, glance
from xuncha.settings import Settings

SEED = "示例区城市管理局党组关于巡察整改情况的通报"
_ROW = re.compile(r'<tr data-measure="([^"]+)" data-outcome="([a-z]+)"')


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return fresh_archive(tmp_path, tmp_path_factory.getbasetemp())


@pytest.fixture
def client(settings: Settings):  # type: ignore[no-untyped-def]
    return make_app(settings).test_client()


@pytest.fixture
def seed_id(settings: Settings) -> str:
    with Archive.open(settings.db_path) as a:
        return a.conn.execute("SELECT id FROM documents WHERE title = ?", (SEED,)).fetchone()[0]


def _pair(html: str) -> tuple[str, str]:
    """The first measure on the page with a suggested article, and that article's id."""
    m = re.search(r'<div class="verdicts" id="v-([^"]+)">\s*<div class="suggest" data-article="([^"]+)"', html)
    assert m, "no suggested article on the check page"
    return m.group(1), m.group(2)


def test_store_replaces_a_second_mark_and_keeps_users_apart(archive: Archive) -> None:
    with archive.transaction() as conn:
        store.put_verdict(conn, "alice", "d1", "d1-p1-m1", "r1-a3", Verdict.APPLIES, True)
        store.put_verdict(conn, "alice", "d1", "d1-p1-m1", "r1-a3", Verdict.NOT_APPLIES, False)
        store.put_verdict(conn, "bob", "d1", "d1-p1-m1", "r1-a3", Verdict.APPLIES, False)
    vs = archive.verdicts("d1")
    assert [(v.user, v.verdict, v.added) for v in vs] == [("alice", Verdict.NOT_APPLIES, True),
                                                          ("bob", Verdict.APPLIES, False)]
    assert vs[0].to_json()["keep"] == 0 and vs[1].to_json()["keep"] == 1
    assert archive.verdicts("other") == ()
    with archive.transaction() as conn:
        assert store.delete_verdict(conn, "bob", "d1", "d1-p1-m1", "r1-a3")
    assert len(archive.verdicts()) == 1


def test_mark_is_signed_in_and_csrf_only(client, seed_id: str) -> None:
    html = client.get(f"/doc/{seed_id}/check").get_data(as_text=True)
    assert "verdict-form" not in html  # nobody signed in: no buttons
    measure, article = _pair(html)
    form = {"measure_id": measure, "article_id": article, "verdict": "适用"}
    assert client.post(f"/doc/{seed_id}/check/verdict", data=form).status_code == 400  # no CSRF token
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(f"/doc/{seed_id}/check/verdict", data={**form, "csrf_token": token})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]  # not signed in
    assert client.get(f"/doc/{seed_id}/check/verdict").status_code == 405
    csrf = sign_in(client)
    assert client.post(f"/doc/{seed_id}/check/verdict", data=form).status_code == 400  # signed in, no token
    with Archive.open(client.application.config["XUNCHA_SETTINGS"].db_path) as a:
        assert a.verdicts(seed_id) == ()


def test_mark_replace_withdraw_and_bad_input(client, seed_id: str, settings: Settings) -> None:
    csrf = sign_in(client)
    html = client.get(f"/doc/{seed_id}/check").get_data(as_text=True)
    measure, article = _pair(html)
    post = lambda **f: client.post(f"/doc/{seed_id}/check/verdict",  # noqa: E731
                                   data={"csrf_token": csrf, "measure_id": measure, "article_id": article, **f})
    resp = post(verdict="适用", show="found")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"?show=found#v-{measure}")
    assert post(verdict="不适用").status_code == 303
    with Archive.open(settings.db_path) as a:
        assert [(v.user, v.verdict) for v in a.verdicts(seed_id)] == [("alice", Verdict.NOT_APPLIES)]
    page = client.get(f"/doc/{seed_id}/check").get_data(as_text=True)
    assert f'data-user="alice" data-article="{article}" data-verdict="不适用"' in page
    assert 'value="不适用" class="verdict-btn verdict-on" aria-pressed="true"' in page
    assert post(verdict="撤销").status_code == 303
    with Archive.open(settings.db_path) as a:
        assert a.verdicts(seed_id) == ()
    assert post(verdict="maybe").status_code == 400
    assert post(verdict="适用", article_id="nope-a1").status_code == 400
    assert post(verdict="适用", measure_id="nope-p1-m1").status_code == 400
    assert client.post("/doc/nope/check/verdict", data={"csrf_token": csrf}).status_code == 404
    with Archive.open(settings.db_path) as a:
        reg = a.regulations[0].id
    assert client.post(f"/doc/{reg}/check/verdict", data={"csrf_token": csrf}).status_code == 400


def test_article_lookup(client) -> None:
    data = client.get("/api/articles?q=公务用车").get_json()
    assert data["articles"] and all(a["article_id"].startswith(a["doc_id"] + "-a") for a in data["articles"])
    assert any("公务用车" in a["doc_title"] + a["snippet"] for a in data["articles"])
    assert client.get("/api/articles?q=").get_json()["articles"] == []
    assert client.get("/api/articles?q=x&limit=99").status_code == 400
    assert client.get("/api/articles?q=x&limit=abc").get_json()["status"] == 400


def test_added_article_is_shown_and_exported(client, seed_id: str) -> None:
    csrf = sign_in(client)
    html = client.get(f"/doc/{seed_id}/check").get_data(as_text=True)
    measure, suggested = _pair(html)
    chosen = next(a for a in client.get("/api/articles?q=议事规则").get_json()["articles"]
                  if a["article_id"] != suggested)
    resp = client.post(f"/doc/{seed_id}/check/verdict", data={
        "csrf_token": csrf, "measure_id": measure, "article_id": chosen["article_id"], "verdict": "适用", "added": "1"})
    assert resp.status_code == 303
    page = client.get(f"/doc/{seed_id}/check").get_data(as_text=True)
    assert f'<div class="suggest suggest-added" data-article="{chosen["article_id"]}">' in page
    rows = list(csv.reader(io.StringIO(client.get(f"/doc/{seed_id}/check.csv").data.decode("utf-8-sig"))))
    assert rows[0][-1] == VERDICT_COLUMN
    expected = f"alice：{chosen['doc_title']} {chosen['article']} 适用（自选）"
    assert sum(1 for r in rows[1:] if r[-1] == expected) >= 1
    sheet = load_workbook(io.BytesIO(client.get(f"/doc/{seed_id}/check.xlsx").data)).active
    assert [c for r in sheet.iter_rows(min_row=4, values_only=True) for c in r[-1:] if c] != []
    ledger = load_workbook(io.BytesIO(client.get(f"/doc/{seed_id}/ledger.xlsx").data)).active
    assert ledger.cell(2, len(LEDGER_COLUMNS)).value == "检查人员意见"
    cells = [r[-1] for r in ledger.iter_rows(min_row=3, values_only=True)]
    assert cells.count(expected) == 1


def test_glance_counts_and_filters(client, seed_id: str) -> None:
    html = client.get(f"/doc/{seed_id}/check").get_data(as_text=True)
    outcomes = dict(_ROW.findall(html))
    counts = {k: int(n) for k, n in re.findall(r'data-show="(\w+)"[^>]*>[^<]*<span class="glance-count">(\d+)',
                                                html)}
    assert counts["all"] == len(outcomes) == counts["found"] + counts["none"] + counts["abstained"]
    assert counts["found"] > 0
    for show in ("found", "none", "abstained"):
        page = client.get(f"/doc/{seed_id}/check?show={show}").get_data(as_text=True)
        shown = dict(_ROW.findall(page))
        assert set(shown.values()) <= {show} and len(shown) == counts[show]
    assert client.get(f"/doc/{seed_id}/check?show=bogus").status_code == 400


@dataclass(frozen=True)
class _Measure:
    """A measure as a report with abstention will carry it (MeasureCheck plus `abstained`)."""

    measure_id: str
    suggested: tuple = ()
    abstained: bool = False


def test_outcome_rules() -> None:
    report = CheckReport("d", "t", None, (), ())
    g = glance(CheckReport("d", "t", None, (), (_Measure("m1", ("s",)), _Measure("m2"),  # type: ignore[arg-type]
                                                 _Measure("m3", (), True))))
    assert g.outcomes == {"m1": Outcome.FOUND, "m2": Outcome.NONE, "m3": Outcome.ABSTAINED}
    assert glance(report).outcomes == {}


def test_cli_export_jsonl(settings: Settings, seed_id: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from xuncha.cli import main

    monkeypatch.setenv("XUNCHA_HOME", str(settings.home))
    client = make_app(settings).test_client()
    csrf = sign_in(client)
    measure, article = _pair(client.get(f"/doc/{seed_id}/check").get_data(as_text=True))
    client.post(f"/doc/{seed_id}/check/verdict",
                data={"csrf_token": csrf, "measure_id": measure, "article_id": article, "verdict": "不适用"})
    result = runner.invoke(main, ["verdicts", "export", "--jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert len(lines) == 1
    v = lines[0]
    assert {k: v[k] for k in ("measure_id", "article_id", "verdict", "keep", "user", "notice_id")} == {
        "measure_id": measure, "article_id": article, "verdict": "不适用", "keep": 0, "user": "alice",
        "notice_id": seed_id}
    assert re.match(r"\d{4}-\d\d-\d\dT", v["at"]) and v["source"] == "verdict"
    # the benchmark reads the lines as judged pairs
    from benchmarks.quality.suggestions import score

    assert score([{"measure_id": measure, "suggested": [{"article_id": article}]}], lines)["unjudged"] == 0
    assert runner.invoke(main, ["verdicts", "export", "--jsonl", "--notice", seed_id]).output == result.output
    bad = runner.invoke(main, ["verdicts", "export"])
    assert bad.exit_code != 0 and "--jsonl" in bad.output
    assert "hint" in runner.invoke(main, ["verdicts", "export", "--jsonl", "--notice", "nope"]).output
