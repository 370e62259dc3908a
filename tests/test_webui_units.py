"""The unit page, /common, their JSON and exports, the marks on the notice and check pages, and operators'
merge/split (issue 30), through the Flask test client over a copy of the sample archive (corpus/, rounds
fixtures included).

The archive is relinked with lower recurring thresholds than the engine's: these tests are about the pages
(what they show of a recurring link), not about where the thresholds sit (archive/linking.py's tests)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook

from archive import accounts
from archive.database import Archive
from archive.linktypes import LinkOptions
from archive.linkreviews import Review
from archive.links import refresh, review
from archive.pipeline import ingest
from archive.records import UnitRecord
from indexer.backends import update
from tests.conftest import SAMPLES
from tests.ops_helpers import csrf_from, fresh_archive, make_app, sign_in
from webui.common import COLUMNS
from xuncha.settings import Settings

LINKY = LinkOptions(recurring=0.2, recurring_explicit=0.2)
MARKET = "示例区市场监管局党组"  # corpus/rounds/u1-market-*: 2019 report, 2020 progress, 2022 回头看


def relink(settings: Settings) -> None:
    with Archive.open(settings.db_path) as a:
        refresh(a, LINKY)
        update(a, settings.index_options())


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = fresh_archive(tmp_path_factory.mktemp("units"), tmp_path_factory.getbasetemp())
    relink(settings)
    return settings


@pytest.fixture(scope="module")
def units_app(home: Settings) -> Flask:
    return make_app(home)


@pytest.fixture(scope="module")
def market(home: Settings) -> str:
    with Archive.open(home.db_path) as a:
        unit = a.unit(MARKET)
        assert unit is not None and len(unit.documents) == 3
        return unit.id


def two_units(a: Archive) -> tuple[UnitRecord, UnitRecord]:
    """Two units the grouping keeps apart, of one kind when there are such (市一医院党委 and
    示例市第一人民医院党委 at the time of writing): what an operator would merge."""
    units = a.units()
    pairs = [(x, y) for x in units for y in units if x.id < y.id]
    same = [(x, y) for x, y in pairs if x.kind == y.kind]
    x, y = (same or pairs)[0]
    return (x, y) if len(x.documents) >= len(y.documents) else (y, x)


def recurring_of(home: Settings) -> tuple[str, str, str, str]:
    """(earlier problem, later problem, earlier doc, later doc) of the first recurring link of the market bureau
    (the unit the page tests open)."""
    with Archive.open(home.db_path) as a:
        unit = a.unit(MARKET)
        assert unit is not None
        every = a.problem_links("recurring")
        briefs = a.problem_briefs([i for l in every for i in (l.a, l.b)])
        links = [l for l in every if briefs[l.b].doc_id in unit.documents]
        assert links, "no recurring link of the market bureau even at the lowered thresholds"
        return links[0].a, links[0].b, briefs[links[0].a].doc_id, briefs[links[0].b].doc_id


def test_unknown_unit_is_a_404_page_and_a_json_404(units_app: Flask) -> None:
    c = units_app.test_client()
    page = c.get("/unit/u-no-such-unit")
    assert page.status_code == 404 and "档案中没有这个被巡察单位" in page.get_data(as_text=True)
    api = c.get("/api/unit/u-no-such-unit")
    assert api.status_code == 404 and api.get_json()["status"] == 404 and "unit_id" in api.get_json()["error"]
    assert c.get("/unit/%00").status_code == 404


def test_unit_json_has_the_timeline_histories_and_links(units_app: Flask, market: str, home: Settings) -> None:
    data = units_app.test_client().get(f"/api/unit/{market}").get_json()
    assert {"id", "name", "aliases", "region", "kind", "documents", "notices"} <= set(data)
    assert data["id"] == market and data["name"] == MARKET and len(data["aliases"]) >= 2
    notices = data["notices"]
    assert [n["doc_id"] for n in notices] == data["documents"]
    assert [n["order"] for n in notices] == sorted(n["order"] for n in notices)
    assert [n["stage"] for n in notices] == ["rectification", "progress", "revisit"]
    assert any(n["inferred"] and n["warning"] for n in notices)  # the progress report names no round
    assert notices[0]["figures"]["problems_total"] == 7
    problems = [p for n in notices for p in n["problems"]]
    assert {"id", "number", "title", "status", "history", "recurring", "common"} <= set(problems[0])
    histories = [[s["status"] for s in p["history"]] for p in problems if p["history"]]
    assert ["in_progress", "done"] in histories
    earlier, later, _, _ = recurring_of(home)
    back = next(p for p in problems if p["id"] == later)["recurring"]
    assert back and back[0]["direction"] == "earlier" and back[0]["problem_id"] == earlier
    assert {"score", "explicit", "reason", "round_label", "title"} <= set(back[0]) and back[0]["score"] > 0
    forward = next(p for p in problems if p["id"] == earlier)["recurring"]
    assert forward[0]["direction"] == "later" and forward[0]["problem_id"] == later


def test_unit_page_shows_rounds_warning_history_and_recurring(units_app: Flask, market: str, home: Settings) -> None:
    c = units_app.test_client()
    html = c.get(f"/unit/{market}").get_data(as_text=True)
    assert "九届区委第三轮巡察" in html and "十届区委第二轮巡察" in html
    assert "推断的位置" in html and "屡改屡犯" in html and "→" in html
    assert 'id="merge-form"' not in html  # read-only until signed in
    assert "4,200" in html and "e+0" not in html  # figures as people write them (webui.labels.figure)
    earlier, later, _, _ = recurring_of(home)
    assert f'data-other="{earlier}"' in html and f'href="#p-{earlier}"' in html
    assert c.get(f"/unit/{MARKET}").status_code == 200  # a name (or alias) finds the unit too


def test_common_json_counts_and_filters(units_app: Flask) -> None:
    c = units_app.test_client()
    data = c.get("/api/common").get_json()
    assert set(data) == {"filters", "clusters", "totals"} and data["clusters"]
    cl = data["clusters"][0]
    assert {"id", "label", "size", "units", "by_year", "by_region", "by_unit_kind", "members"} <= set(cl)
    assert cl["size"] == len(cl["members"]) == sum(cl["by_year"].values()) and len(cl["units"]) >= 2
    m = cl["members"][0]
    assert {"problem_id", "doc_id", "doc_title", "title", "unit_id", "unit_name", "unit_kind", "year", "url"} <= set(m)
    assert m["url"].startswith(f"/doc/{m['doc_id']}#p-")
    assert data["totals"]["problems"] == sum(c["size"] for c in data["clusters"])
    year = next(iter(cl["by_year"]))
    only = c.get(f"/api/common?year={year}").get_json()
    assert only["filters"] == {"year": year}
    assert only["clusters"] and all(x["year"] == year for c2 in only["clusters"] for x in c2["members"])
    assert only["totals"]["problems"] < data["totals"]["problems"]
    kind = m["unit_kind"]
    assert all(x["unit_kind"] == kind for c2 in c.get(f"/api/common?unit_kind={kind}").get_json()["clusters"]
               for x in c2["members"])
    unknown = data["totals"]["by_region"].get("不明", 0)  # members whose unit has no region known
    assert unknown > 0, "the samples have units with no region: the 不明 count is what this checks"
    assert c.get("/api/common", query_string={"region": "不明"}).get_json()["totals"]["problems"] == unknown
    bad = c.get("/api/common?colour=red")
    assert bad.status_code == 400 and "colour" in bad.get_json()["error"]
    assert c.get("/common?year=20x1").status_code == 400


def test_common_page_links_members_units_and_the_chart(units_app: Flask) -> None:
    c = units_app.test_client()
    data = c.get("/api/common").get_json()
    html = c.get("/common").get_data(as_text=True)
    first = data["clusters"][0]
    assert f'id="c-{first["id"]}"' in html and first["label"] in html
    assert f'href="{first["members"][0]["url"]}"' in html
    assert f'href="/unit/{first["members"][0]["unit_id"]}"' in html
    assert '<svg class="chart"' in html and f'href="#c-{first["id"]}"' in html


def test_common_exports_list_every_member(units_app: Flask) -> None:
    c = units_app.test_client()
    members = sum(x["size"] for x in c.get("/api/common").get_json()["clusters"])
    resp = c.get("/common.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == members + 1
    assert all(r[-1].startswith("http://localhost/doc/") for r in rows[1:])
    year = rows[1][8]
    filtered = list(csv.reader(io.StringIO(c.get(f"/common.csv?year={year}").get_data(as_text=True).lstrip("\ufeff"))))
    assert 1 < len(filtered) <= len(rows) and all(r[8] == year for r in filtered[1:])
    book = c.get("/common.xlsx")
    assert book.status_code == 200 and "common.xlsx" in book.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(book.data)).active
    values = list(ws.iter_rows(min_row=2, values_only=True))
    assert tuple(values[0]) == COLUMNS and len(values) == members + 1


def test_notice_and_check_pages_link_each_problem(units_app: Flask, market: str, home: Settings) -> None:
    c = units_app.test_client()
    earlier, later, earlier_doc, later_doc = recurring_of(home)
    for url in (f"/doc/{later_doc}", f"/doc/{later_doc}/check"):
        html = c.get(url).get_data(as_text=True)
        assert f'href="/unit/{market}#p-{later}"' in html, url
        assert f'data-earlier="{earlier}"' in html and f'href="/doc/{earlier_doc}#p-{earlier}"' in html, url
    html = c.get(f"/doc/{earlier_doc}").get_data(as_text=True)
    assert f'data-later="{later}"' in html
    common = c.get("/api/common").get_json()["clusters"][0]
    member = common["members"][0]
    html = c.get(f"/doc/{member['doc_id']}").get_data(as_text=True)
    assert f'href="/common#c-{common["id"]}"' in html and f"共性问题：{common['label']}" in html


def test_merge_and_split_are_operators_writes_kept_across_reingest(tmp_path: Path,
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp())
    app = make_app(settings)
    c = app.test_client()
    with Archive.open(settings.db_path) as a:
        one, other = two_units(a)
    anonymous = c.post(f"/unit/{one.id}/merge",
                       data={"other": other.id, "csrf_token": csrf_from(c.get("/login").get_data(as_text=True))})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    token = sign_in(c)
    assert c.post(f"/unit/{one.id}/merge", data={"other": other.id}).status_code == 400  # no CSRF token
    assert c.post(f"/unit/{one.id}/merge", data={"other": "nobody", "csrf_token": token}).status_code == 400
    assert c.post("/unit/nobody/merge", data={"other": other.id, "csrf_token": token}).status_code == 404
    resp = c.post(f"/unit/{one.id}/merge", data={"other": other.id, "csrf_token": token})
    assert resp.status_code == 303
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已合并单位" in page and one.name in page and other.name in page
    with Archive.open(settings.db_path) as a:
        merged = a.unit(one.name)
        total = len(one.documents) + len(other.documents)
        assert merged and other.name in merged.aliases and len(merged.documents) == total
        ingest(a, settings.ingest_options(), [str(SAMPLES)], force=True)  # re-ingest: the correction stays
        again = a.unit(other.name)
        assert again and again.id == a.unit(one.name).id and set(again.aliases) == set(merged.aliases)
        assert len(again.documents) == total  # a forced re-ingest keeps the placements too
        assert any(r.action == "unit merge" for r in accounts.audit_log(a))
    resp = c.post(f"/unit/{merged.id}/split", data={"alias": other.name, "csrf_token": token})
    assert resp.status_code == 303
    with Archive.open(settings.db_path) as a:
        assert a.unit(other.name).id != a.unit(one.name).id
    bad = c.post(f"/unit/{merged.id}/split", data={"alias": "不存在的名称", "csrf_token": token})
    assert bad.status_code == 400 and "alias" in bad.get_data(as_text=True)




def test_problem_marks_by_notice_are_the_archives(home: Settings) -> None:
    """The pages' and the index's read: asked notice by notice, it gives what one pass over the archive gives."""
    with Archive.open(home.db_path) as a:
        every = a.problem_marks()
        by_notice: dict = {}
        for doc in {m.doc_id for m in every.values()}:
            by_notice.update(a.problem_marks([doc]))
        links = a.problem_links("recurring")
        briefs = a.problem_briefs([links[0].a, "no-such-problem"])
    assert by_notice == every
    assert {p for p, m in every.items() if m.recurring} == {l.b for l in links}
    assert {p for p, m in every.items() if m.later} == {l.a for l in links}
    assert set(briefs) == {links[0].a} and briefs[links[0].a].title


def test_operators_confirm_reject_and_clear_a_recurring_link_on_the_unit_page(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp())
    c = make_app(settings).test_client()
    with Archive.open(settings.db_path) as a:
        refresh(a)  # the engine's own thresholds: what the review route relinks with
        link = a.problem_links("recurring")[0]
        unit = a.unit_of(a.problem_briefs([link.b])[link.b].doc_id)
    url = f"/unit/{unit.unit_id}"
    form = {"a": link.a, "b": link.b, "verdict": "different"}
    anonymous = c.post(f"{url}/review", data={**form, "csrf_token": csrf_from(c.get("/login").get_data(as_text=True))})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert "review-form" not in c.get(url).get_data(as_text=True)  # read-only until signed in
    token = sign_in(c)
    page = c.get(url).get_data(as_text=True)
    assert f'name="a" value="{link.a}"' in page and 'value="different"' in page and 'value="same"' in page
    stale = c.post(f"{url}/review", data=form)  # no CSRF token: a form from before the sign-in
    assert stale.status_code == 400 and "表单已过期" in stale.get_data(as_text=True)
    assert "token is missing" not in stale.get_data(as_text=True)  # Flask-WTF's English sentence
    bad = c.post(f"{url}/review", data={**form, "verdict": "maybe", "csrf_token": token})
    assert bad.status_code == 400 and "verdict" in bad.get_data(as_text=True)
    twice = c.post(f"{url}/review", data={**form, "a": link.b, "csrf_token": token})
    assert twice.status_code == 400 and "同一个问题" in twice.get_data(as_text=True)
    sibling = f"{link.b.rsplit('-p', 1)[0]}-p{int(link.b.rsplit('-p', 1)[1]) % 2 + 1}"  # another of its notice
    one_round = c.post(f"{url}/review", data={**form, "a": sibling, "csrf_token": token})
    assert one_round.status_code == 400 and "同一轮巡察" in one_round.get_data(as_text=True)
    stranger = c.post(f"{url}/review", data={**form, "b": "nope-p1", "csrf_token": token})
    assert stranger.status_code == 400 and "不是" in stranger.get_data(as_text=True)
    assert c.get("/api/search", query_string={"q": "问题", "kind": "problem"}).status_code == 200  # a live searcher
    resp = c.post(f"{url}/review", data={**form, "csrf_token": token})
    assert resp.status_code == 303 and "done=review-different" in resp.headers["Location"]
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已否定这条屡改屡犯链接" in page and 'id="unit-rejected"' in page
    data = c.get(f"/api/unit/{unit.unit_id}").get_json()
    assert [(r["a"]["problem_id"], r["b"]["problem_id"]) for r in data["rejected"]] == [(link.a, link.b)]
    later = next(p for n in data["notices"] for p in n["problems"] if p["id"] == link.b)
    assert link.a not in [r["problem_id"] for r in later["recurring"]]
    with Archive.open(settings.db_path) as a:
        assert (link.a, link.b) not in {(l.a, l.b) for l in a.problem_links("recurring")}
        assert any(r.action == "link review" for r in accounts.audit_log(a))
        still = {l.b for l in a.problem_links("recurring")}
    title = next(p["title"] for n in data["notices"] for p in n["problems"] if p["id"] == link.b)
    found = c.get("/api/search", query_string={"q": title, "kind": "problem", "f_recurring": "yes",
                                               "per_page": 100}).get_json()
    ids = [h["id"] for h in found["hits"]]
    assert len(ids) == len(set(ids)) and (link.b in ids) == (link.b in still)  # the facet follows the review
    assert c.post(f"{url}/review", data={**form, "verdict": "clear", "csrf_token": token}).status_code == 303
    again = c.post(f"{url}/review", data={**form, "verdict": "clear", "csrf_token": token})  # a double click
    assert again.status_code == 303 and "没有核定记录" in c.get(again.headers["Location"]).get_data(as_text=True)
    resp = c.post(f"{url}/review", data={**form, "verdict": "same", "csrf_token": token})
    assert resp.status_code == 303 and "done=review-same" in resp.headers["Location"]
    data = c.get(f"/api/unit/{unit.unit_id}").get_json()
    later = next(p for n in data["notices"] for p in n["problems"] if p["id"] == link.b)
    back = next(r for r in later["recurring"] if r["problem_id"] == link.a)
    assert back["review"]["verdict"] == "same" and back["review"]["user"] == "alice" and data["rejected"] == []
    assert "已确认为同一问题（alice）" in c.get(url).get_data(as_text=True)


def test_a_stale_review_is_not_shown_as_applied(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp())
    with Archive.open(settings.db_path) as a:
        refresh(a)
        link = a.problem_links("recurring")[0]
        unit = a.unit_of(a.problem_briefs([link.b])[link.b].doc_id)
        review(a, link.a, link.b, Review.DIFFERENT, "alice")
        assert (link.a, link.b) not in {(l.a, l.b) for l in a.problem_links("recurring")}
        with a.transaction() as conn:  # as a re-ingest that reworded the later finding leaves the store
            conn.execute("UPDATE link_reviews SET b_title = b_title || '（旧）'")
        refresh(a)
        assert (link.a, link.b) in {(l.a, l.b) for l in a.problem_links("recurring")}
    data = make_app(settings).test_client().get(f"/api/unit/{unit.unit_id}").get_json()
    assert data["rejected"] == []
    later = next(p for n in data["notices"] for p in n["problems"] if p["id"] == link.b)
    back = next(r for r in later["recurring"] if r["problem_id"] == link.a)
    assert back["review"] is None
