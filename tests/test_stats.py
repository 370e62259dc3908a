"""Statistics (archive/stats.py, webui/stats.py): the figures, the SVG charts, and each bar's search listing its items."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from archive.database import Archive
from archive.stats import archive_stats
from tests.ops_helpers import fresh_archive, make_app
from webui.stats import short_category
from xuncha.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "notices"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return fresh_archive(tmp_path_factory.mktemp("stats"), tmp_path_factory.getbasetemp())


@pytest.fixture
def client(settings: Settings):  # type: ignore[no-untyped-def]
    return make_app(settings).test_client()


@pytest.fixture
def conn(settings: Settings):  # type: ignore[no-untyped-def]
    c = Archive.open(settings.db_path)
    yield c
    c.close()


FIXTURES = Path(__file__).parent / "fixtures" / "notices"


def test_figures(conn: Archive) -> None:
    s = archive_stats(conn)
    assert (s.documents, s.notices, s.regulations) == (15, 3, 12)  # 12: 7 in regulations/, 5 in party/
    assert s.problems == conn.conn.execute("SELECT COUNT(*) FROM problems").fetchone()[0] == sum(
        c.count for c in s.measures_per_problem)
    assert [(c.label, c.count) for c in s.notices_by_year] == [("2021", 1), ("2022", 1), ("2023", 1)]
    assert {c.label for c in s.notices_by_publisher} == {"中共示例区城市管理局党组", "中共示例区示例镇委员会", "中共示例学院委员会"}
    top = s.cited_regulations[0]
    assert top.label == "《示例市行政事业单位内部控制和采购管理规定》" and top.count == 5
    assert s.cited_articles[0].title == "示例市行政事业单位内部控制和采购管理规定" and s.cited_articles[0].article == "第二十条"
    assert sum(c.count for c in s.problems_by_category) == s.problems
    unresolved = {u.title: u for u in s.unresolved}
    assert unresolved["中华人民共和国政府采购法"].status == "not_in_archive" and unresolved["中华人民共和国政府采购法"].count == 2
    assert "示例区党组议事规则" not in unresolved  # in the archive: resolved
    # the sample notices state no rectification status: one bar of problems without it
    assert not s.status_available and [(c.label, c.count) for c in s.problems_by_status] == [("", s.problems)]


def _statuses(expected: dict) -> Counter[str]:
    out: Counter[str] = Counter()
    for cat in expected["categories"]:
        for p in cat["problems"]:
            for unit in [p, *p.get("subproblems", [])]:
                out[unit.get("status") or ""] += 1
    return out


def test_status_bars_count_and_link_the_stated_statuses(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Notices that state their progress (the county-style fixtures): each bar counts them and its link lists them."""
    from archive.pipeline import ingest
    from indexer.backends.whoosh.build import update

    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp())
    names = ["f2-county-a", "f2-county-b"]
    with Archive.open(settings.db_path) as a:
        before = Counter({c.label: c.count for c in archive_stats(a).problems_by_status})
        ingest(a, settings.ingest_options(), [str(FIXTURES / f"{n}.txt") for n in names])
        update(a, settings.index_options())
        s = archive_stats(a)
    wanted = sum((_statuses(json.loads((FIXTURES / f"{n}.expected.json").read_text(encoding="utf-8")))
                  for n in names), Counter())
    counts = Counter({c.label: c.count for c in s.problems_by_status})
    assert s.status_available and counts - before == wanted and wanted["in_progress"] >= 2
    client = make_app(settings).test_client()
    page = client.get("/stats").get_data(as_text=True)
    assert "正在整改" in page and "f_rectification=in_progress" in page
    listed = client.get("/api/search?kind=problem&f_rectification=in_progress").get_json()
    assert listed["total"] == counts["in_progress"]
    assert "共 %d 条结果" % counts["in_progress"] in client.get("/?kind=problem&f_rectification=in_progress").get_data(
        as_text=True)

def test_page_draws_svg_with_links(client) -> None:
    page = client.get("/stats").get_data(as_text=True)
    assert page.count("<svg") == 6 and page.count("暂无数据") == 1 and "<script" not in page.split("</footer>")[0] and "style=" not in page
    assert "基层党组织建设不够扎实" in page and "都没有写明问题的整改状态" in page
    assert "《中华人民共和国政府采购法》" in page  # unresolved table
    links = re.findall(r'<a class="chart-link" href="([^"]+)">', page)
    assert len(links) >= 10


def _bar_links(page: str, chart: str) -> list[tuple[str, int]]:
    section = page.split(f'id="{chart}"', 1)[1].split("</section>", 1)[0]
    return [(html.unescape(href), int(n)) for href, n in
            re.findall(r'<a class="chart-link" href="([^"]+)">.*?<text class="chart-count"[^>]*>(\d+)</text>', section)]


@pytest.mark.parametrize("chart,kind", [("by-category", "problem"), ("by-year", "document"),
                                        ("by-publisher", "document")])
def test_bars_link_to_searches_listing_their_items(client, chart: str, kind: str) -> None:
    """Each bar's link finds exactly as many units as the bar counts."""
    page = client.get("/stats").get_data(as_text=True)
    bars = _bar_links(page, chart)
    assert bars
    for href, n in bars:
        results = client.get("/api/search" + href[1:]).json
        assert results["total"] == n, href
        assert {h["kind"] for h in results["hits"]} == {kind}


def test_citation_bars_find_the_citing_measures(client) -> None:
    page = client.get("/stats").get_data(as_text=True)
    href, _ = _bar_links(page, "cited-regulations")[0]
    hits = client.get("/api/search" + href[1:]).json["hits"]
    assert any(h["kind"] in ("measure", "problem") for h in hits[:10])
    assert any(h["doc_title"] == "示例市行政事业单位内部控制和采购管理规定" for h in hits)


def test_api_stats_same_figures(client, conn: Archive) -> None:
    data = client.get("/api/stats").json
    assert data == json.loads(json.dumps(archive_stats(conn).to_json()))
    assert data["notices_by_year"][0] == {"label": "2021", "count": 1, "title": None, "article": None}


@pytest.mark.parametrize("title,short", [("关于基层党组织建设不够扎实方面问题的整改落实情况", "基层党组织建设不够扎实"),
                                         ("关于财务和资产管理存在漏洞方面问题的整改落实情况", "财务和资产管理存在漏洞"),
                                         ("其他问题", "其他问题")])
def test_short_category(title: str, short: str) -> None:
    assert short_category(title) == short
