"""The web UI through Flask's test client, on a temporary archive of the sample corpus (built once per module)."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from flask import url_for
from flask.testing import FlaskClient

from archive.database import Archive
from indexer.search import RELAX_BELOW, Hit, SearchService
from tests.conftest import SAMPLES
from webui import create_app
from xuncha.settings import Settings

SEED_TITLE = "示例区城市管理局党组关于巡察整改情况的通报"
TOWN_TITLE = "示例镇党委关于巡察整改情况的通报"
CAR_TITLE = "示例市党政机关公务用车管理办法"
RULES_TITLE = "示例区党组议事规则"
HIT_FIELDS = {"id", "kind", "doc_id", "doc_title", "doc_type", "source_path", "article", "problem", "measure",
              "score", "snippet"}


@pytest.fixture
def ids(sample_ids: dict[str, str]) -> dict[str, str]:
    return sample_ids


@pytest.fixture
def settings(sample_settings: Settings) -> Settings:
    return sample_settings


@pytest.fixture
def conn(sample_settings: Settings) -> Iterator[sqlite3.Connection]:
    """The sample archive's connection (the tests look at its tables)."""
    with Archive.open(sample_settings.db_path) as a:
        yield a.conn


def text_of(resp) -> str:  # type: ignore[no-untyped-def]
    """The response body as text."""
    return resp.get_data(as_text=True)


def total_of(page: str) -> int:
    """N from 共 N 条结果 on a results page."""
    m = re.search(r"共 (\d+) 条结果", page)
    assert m, page[:2000]
    return int(m.group(1))


def hrefs(page: str) -> list[str]:
    """Every href on a page, unescaped."""
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


# --- the search page ---------------------------------------------------------------------------------------------

def test_home_shows_intro_and_example_queries(client: FlaskClient) -> None:
    resp = client.get("/")
    page = text_of(resp)
    assert resp.status_code == 200
    assert '<html lang="zh-CN">' in page
    assert '<label for="q" class="query-label">检索</label>' in page
    assert "跳到正文" in page and "试试这些检索" in page
    queries = [parse_qs(urlsplit(h).query).get("q", [""])[0] for h in hrefs(page)]
    for example in ("三重一大", "公车管理", "因私出国(境)", '"主体责任"', "政府采购法 第二十六条"):
        assert example in queries
    for value, label in (("", "全部"), ("document", "文件"), ("problem", "问题"), ("measure", "整改措施"),
                         ("article", "法规条文")):
        assert f'name="kind" value="{value}"' in page and f"<span>{label}</span>" in page


def test_search_lists_hits_with_links_badges_snippets_and_facets(client: FlaskClient, ids: dict[str, str]) -> None:
    page = text_of(client.get("/?q=三重一大"))
    assert total_of(page) >= 5
    assert "跳到结果" in page and 'id="results"' in page
    assert "<mark>三重一大</mark>" in page
    links = hrefs(page)
    seed = ids[SEED_TITLE]
    assert any(re.fullmatch(rf"/doc/{seed}\?q=三重一大#p-{seed}-p\d+", unquote(h)) for h in links)
    assert any(re.fullmatch(r"/doc/\w+\?q=三重一大#第[一二三四五六七八九十百]+条", unquote(h)) for h in links)
    assert 'class="badge badge-article">法规条文<' in page and 'class="badge badge-measure">整改措施<' in page
    for label in ("文件类型", "年份", "粒度", "发布单位"):
        assert f"<h3>{label}</h3>" in page
    assert "2023-03-31" in page


def test_facet_click_filters_and_shows_removable_chip(client: FlaskClient) -> None:
    page = text_of(client.get("/?q=公务用车"))
    total = total_of(page)
    counts = {}
    for h in (h for h in hrefs(page) if "f_year=" in h):
        year = parse_qs(urlsplit(h).query)["f_year"][0]
        m = re.search(rf'href="{re.escape(html.escape(h))}"[^>]*><span class="fv">{year}</span>'
                      r'<span class="count">(\d+)</span>', page)
        assert m, h
        counts[h] = int(m.group(1))
    # a value the strict search finds at least RELAX_BELOW times (fewer would be relaxed to OR by the search API)
    link = min((h for h in counts if RELAX_BELOW <= counts[h] < total), key=counts.get)  # type: ignore[arg-type]
    year = parse_qs(urlsplit(link).query)["f_year"][0]
    filtered = text_of(client.get(link))
    assert total_of(filtered) == counts[link] < total
    assert f"年份：{year}" in filtered and 'class="chip"' in filtered
    api = client.get("/api/search", query_string={"q": "公务用车", "f_year": year, "per_page": 100}).get_json()
    assert {h["published"][:4] for h in api["hits"]} == {year}
    chip = re.search(r'<a class="chip" href="([^"]+)"', filtered)
    assert chip and "f_year" not in html.unescape(chip.group(1))
    assert total_of(text_of(client.get(html.unescape(chip.group(1))))) == total
    # filters combine: a grain on top of the year
    both = text_of(client.get(link + "&kind=article"))
    assert total_of(both) <= counts[link]
    assert "粒度：法规条文" in both and f"年份：{year}" in both
    assert set(re.findall(r'class="badge badge-(\w+)"', both)) == {"article"}


def test_kind_type_and_sort_parameters(client: FlaskClient) -> None:
    measures = text_of(client.get("/?q=三重一大&kind=measure"))
    assert total_of(measures) >= 1
    assert set(re.findall(r'class="badge badge-(\w+)"', measures)) == {"measure"}
    regs = text_of(client.get("/?q=三重一大&type=regulation"))
    assert "文件类型：法规" in regs
    assert set(re.findall(r'<span class="doc-type">([^<]+)</span>', regs)) == {"法规"}
    by_date = client.get("/api/search?q=三重一大&sort=date").get_json()
    dates = [h["published"] or "" for h in by_date["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert '<option value="date" selected>日期</option>' in text_of(client.get("/?q=三重一大&sort=date"))


def test_pagination_links(client: FlaskClient) -> None:
    first = text_of(client.get("/?q=三重一大&per_page=3"))
    total = total_of(first)
    assert total > 6
    assert 'aria-label="分页"' in first and 'rel="next"' in first and 'aria-current="page"' in first
    nxt = re.search(r'href="([^"]+)" rel="next"', first)
    assert nxt and "page=2" in nxt.group(1)
    second = text_of(client.get(html.unescape(nxt.group(1))))
    assert 'rel="prev"' in second and '<ol class="hits" start="4">' in second
    beyond = client.get("/?q=三重一大&per_page=3&page=500")
    assert beyond.status_code == 200 and "第 500 页没有结果" in text_of(beyond)


def test_relaxed_results_say_so(client: FlaskClient) -> None:
    page = text_of(client.get("/?q=三重一大 zzqx"))
    data = client.get("/api/search?q=三重一大 zzqx").get_json()
    assert data["relaxed"] is True and data["full_matches"] == 0
    assert "没有同时包含全部检索词的结果，以下为包含<strong>任一</strong>检索词的结果" in page


def test_relaxed_results_with_a_few_full_matches_give_their_count(client: FlaskClient) -> None:
    data = client.get("/api/search?q=议事规则 公车").get_json()
    # the total is the full matches; the partial ones are counted apart and paged after them
    assert data["relaxed"] is True and 0 < data["full_matches"] == data["total"] < data["total"] + data["relaxed_total"]
    assert data["reachable"] == data["total"] + data["relaxed_shown"] and len(data["hits"]) > data["total"]
    page = text_of(client.get("/?q=议事规则 公车"))
    assert f"同时包含全部检索词的结果只有 {data['full_matches']} 条" in page
    assert f"共 {data['total']} 条结果，另有 {data['relaxed_total']} 条部分匹配" in page
    assert "没有同时包含全部检索词" not in page


def test_citation_query_is_explained(client: FlaskClient) -> None:
    page = text_of(client.get("/?q=示例区党组议事规则 第二十条"))
    assert "已识别为法规引用：《示例区党组议事规则》第二十条" in page


def test_empty_results_suggest_what_to_try(client: FlaskClient) -> None:
    page = text_of(client.get("/?q=三重一大&f_year=1999"))
    assert total_of(page) == 0
    assert "没有找到与“三重一大”相符的结果" in page
    assert re.search(r"去掉「年份：1999」（\d+ 条）", page)
    assert any(parse_qs(urlsplit(h).query) == {"q": ["三重一大"]} for h in hrefs(page))
    words = text_of(client.get("/?q=zzqx yyqw"))
    assert total_of(words) == 0 and "只用其中一个词检索" in words
    alone = [parse_qs(urlsplit(h).query).get("q") for h in hrefs(words)]
    assert ["zzqx"] in alone and ["yyqw"] in alone
    assert "用更短的说法" in words


# --- document pages ----------------------------------------------------------------------------------------------

def test_seed_notice_renders_header_tree_anchors_citations_and_figures(client: FlaskClient, conn: sqlite3.Connection,
                                                                       ids: dict[str, str]) -> None:
    seed = ids[SEED_TITLE]
    page = text_of(client.get(f"/doc/{seed}"))
    for label, value in (("被巡察单位", "区城市管理局党组"), ("巡察组", "区委第二轮巡察第一巡察组"),
                         ("反馈日期", "2022-06-28"), ("反馈问题", "四方面十二个问题及三条建议"),
                         ("发布单位", "中共示例区城市管理局党组"), ("发布日期", "2023-03-31")):
        assert re.search(rf"<dt>{label}</dt><dd>(<time[^>]*>)?{re.escape(value)}", page), label
    assert "2022-04-11" in page and "2022-05-20" in page
    problems = conn.execute("SELECT id FROM problems WHERE doc_id = ?", (seed,)).fetchall()
    measures = conn.execute("SELECT id FROM measures WHERE doc_id = ?", (seed,)).fetchall()
    assert len(problems) == 12
    for r in problems:
        assert f'id="p-{r["id"]}"' in page
    for r in measures:
        assert f'id="m-{r["id"]}"' in page
    rules = ids[RULES_TITLE]
    assert f'href="/doc/{rules}#第二十条">《示例区党组议事规则》第二十条</a>' in page
    # cited in 2023: the 2022 version of the car rules is in force
    assert f'href="/doc/{ids[CAR_TITLE + "@2022-06-15"]}#第十二条"' in page
    assert re.search(r"《党政机关厉行节约反对浪费条例》</span><span class=\"tag tag-missing\">未收录", page)
    assert re.search(r'<li class="fig fig-money"[^>]*><span class="fig-kind">金额</span>20万元</li>', page)
    assert f'href="/doc/{seed}/original"' in page and "下载原始文件" in page
    assert "一、提高政治站位" in page and "（一）</span>关于贯彻落实" in page


def test_citation_resolves_to_version_in_force(client: FlaskClient, ids: dict[str, str]) -> None:
    page = text_of(client.get(f"/doc/{ids[TOWN_TITLE]}"))
    assert f'href="/doc/{ids[CAR_TITLE + "@2019-03-01"]}#第十二条"' in page
    assert ids[CAR_TITLE + "@2022-06-15"] not in page


def test_notice_marks_query_words(client: FlaskClient, ids: dict[str, str]) -> None:
    seed = ids[SEED_TITLE]
    page = text_of(client.get(f"/doc/{seed}?q=三重一大"))
    assert page.count("<mark>三重一大</mark>") >= 3
    assert "已标出检索词" in page
    plain = text_of(client.get(f"/doc/{seed}"))
    assert "<mark>" not in plain


def test_regulation_page_versions_articles_and_cited_by(client: FlaskClient, conn: sqlite3.Connection,
                                                        ids: dict[str, str]) -> None:
    old, new = ids[CAR_TITLE + "@2019-03-01"], ids[CAR_TITLE + "@2022-06-15"]
    page = text_of(client.get(f"/doc/{old}"))
    assert f"<h1>{CAR_TITLE}</h1>" in page
    assert "已修订" in page and "现行有效" in page and "各版本" in page
    assert f'href="/doc/{new}"' in page
    for label in ("第一条", "第十二条", "第十三条"):
        assert f'id="{label}"' in page
    town = ids[TOWN_TITLE]
    cited = page[page.index('id="第十二条"'):page.index('id="第十三条"')]
    assert "被引用（" in cited and f'href="/doc/{town}#m-{town}-p' in cited
    newer = text_of(client.get(f"/doc/{new}"))
    assert "现行有效" in newer and f'href="/doc/{old}"' in newer
    assert f'href="/doc/{ids[SEED_TITLE]}#m-' in newer and town not in newer
    for key in ("发布机关", "公布日期", "施行日期", "版本", "效力状态"):
        assert f"<dt>{key}</dt>" in page


def test_other_document_page(client: FlaskClient, ids: dict[str, str]) -> None:
    page = text_of(client.get(f"/doc/{ids['other']}"))
    assert "其他文件" in page and "本期简报介绍示例档案室整理库房" in page


def test_original_download(client: FlaskClient, ids: dict[str, str]) -> None:
    with client.get(f"/doc/{ids[SEED_TITLE]}/original") as resp:
        assert resp.status_code == 200
        assert resp.data == (SAMPLES / "notices" / f"{SEED_TITLE}.txt").read_bytes()
        disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"{SEED_TITLE}.txt"


# --- the JSON API ------------------------------------------------------------------------------------------------

def test_api_search_is_exactly_results_to_json(client: FlaskClient, settings: Settings) -> None:
    data = client.get("/api/search?q=三重一大&kind=measure&per_page=5").get_json()
    expected = SearchService(settings.search_options()).search("三重一大", {}, page=1, per_page=5, kind="measure").to_json()
    assert data == expected
    assert list(data) == list(expected)
    assert data["hits"] and all(HIT_FIELDS <= set(h) for h in data["hits"])
    assert set(data["hits"][0]) == set(Hit.__slots__)
    filtered = client.get("/api/search?q=三重一大&type=notice&f_year=2023").get_json()
    assert filtered == SearchService(settings.search_options()).search("三重一大", {"doc_type": "notice", "year": "2023"}).to_json()


def test_api_doc_is_document_json(client: FlaskClient, conn: sqlite3.Connection, ids: dict[str, str]) -> None:
    seed = ids[SEED_TITLE]
    archive = Archive(conn)
    row = archive.document(seed)
    assert row is not None
    assert row is not None
    assert client.get(f"/api/doc/{seed}").get_json() == archive.detail(row).to_json()
    missing = client.get("/api/doc/000000000000")
    assert missing.status_code == 404
    assert missing.get_json()["status"] == 404 and "doc_id" in missing.get_json()["error"]


# --- errors: nothing yields a 500 ---------------------------------------------------------------------------------

BAD_PARAMS = [
    ({"q": "x", "page": "-1"}, "page"), ({"q": "x", "page": str(10 ** 9)}, "page"), ({"q": "x", "page": "abc"}, "page"),
    ({"q": "x", "per_page": "0"}, "per_page"), ({"q": "x", "kind": "chapter"}, "kind"),
    ({"q": "x", "f_colour": "red"}, "f_colour"), ({"q": "x", "sort": "random"}, "sort"),
    ({"q": "x", "type": "poem"}, "type"), ({"q": "字" * 10_000}, "q"),
    ({"q": "x", "f_recurring": "maybe"}, "f_recurring"), ({"q": "x", "f_common": "1"}, "f_common"),
    ({"q": "x", "f_year": "20x0"}, "f_year"),
]


@pytest.mark.parametrize(("args", "param"), BAD_PARAMS, ids=[p for _, p in BAD_PARAMS])
def test_bad_parameters_are_400_naming_the_parameter(client: FlaskClient, args: dict[str, str], param: str) -> None:
    page = client.get("/", query_string=args)
    assert page.status_code == 400
    body = text_of(page)
    assert "请求参数有误" in body and param in body and '<html lang="zh-CN">' in body
    api = client.get("/api/search", query_string=args)
    assert api.status_code == 400
    data = api.get_json()
    assert data["status"] == 400 and param in data["error"]


def test_overlong_query_gets_a_friendly_message(client: FlaskClient) -> None:
    body = text_of(client.get("/", query_string={"q": "巡" * 10_000}))
    assert "检索词过长：共 10000 个字符，最多允许 200 个" in body


@pytest.mark.parametrize("q", ['"主体责任', '""', '"', "-", "- -", "《", "第条", "\x00\x1b[31m三重一大\x00", "\u202e\u200b",
                               "a" * 200, "%", "*:*", "AND OR NOT", "(((", "\\"])
def test_odd_queries_never_fail(client: FlaskClient, q: str) -> None:
    for url in ("/", "/api/search"):
        resp = client.get(url, query_string={"q": q})
        assert resp.status_code == 200, (url, q)
        assert "\x00" not in text_of(resp) and "\x1b" not in text_of(resp)


def test_script_is_escaped_never_executed(client: FlaskClient, ids: dict[str, str]) -> None:
    attack = "<script>alert(1)</script>"
    for url in ("/", f"/doc/{ids[SEED_TITLE]}"):
        body = text_of(client.get(url, query_string={"q": attack, "f_year": attack}))
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    body = text_of(client.get("/", query_string={"q": "x", "kind": attack}))
    assert "<script>alert(1)" not in body


def test_unknown_document_is_404_in_chinese(client: FlaskClient) -> None:
    for url in ("/doc/000000000000", "/doc/000000000000/original", "/no/such/page", "/doc/%00"):
        resp = client.get(url)
        assert resp.status_code == 404, url
        assert "页面不存在" in text_of(resp)
    api = client.get("/api/nothing")
    assert api.status_code == 404 and api.get_json()["status"] == 404


def test_wrong_method_is_405(client: FlaskClient) -> None:
    resp = client.post("/")
    assert resp.status_code == 405 and "不支持的请求方法" in text_of(resp)
    assert client.post("/api/search").get_json()["status"] == 405


def test_archive_without_index_or_originals(settings: Settings, tmp_path: Path, ids: dict[str, str]) -> None:
    """A copy of the database alone: no index (the page says so) and no originals (404, not 500)."""
    home = tmp_path / "bare"
    home.mkdir()
    shutil.copy(settings.db_path, home / settings.db_path.name)
    bare = create_app(Settings(home=home))
    bare.config.update(TESTING=True)
    client = bare.test_client()
    page = client.get("/?q=三重一大")
    assert page.status_code == 200 and "还没有检索索引" in text_of(page)
    assert "还没有检索索引" in text_of(client.get("/"))
    api = client.get("/api/search?q=三重一大")
    assert api.status_code == 503 and "no search index" in api.get_json()["error"]
    original = client.get(f"/doc/{ids[SEED_TITLE]}/original")
    assert original.status_code == 404 and "原始文件不在档案中" in text_of(original)
    doc = client.get(f"/doc/{ids[SEED_TITLE]}?q=三重一大")
    assert doc.status_code == 200 and "区城市管理局党组" in text_of(doc)


@pytest.mark.parametrize("script_root", ["", "/xuncha"])
@pytest.mark.parametrize("params", [
    {"q": "公车管理"}, {"q": "a b&c=d#e+f%g/h?i", "kind": "measure"},
    {"q": "《政府采购法》 第二十八条", "doc_type": "notice", "sort": "date", "page": 3, "per_page": 50},
    {"q": "", "filters": {"year": "2021", "publisher": "示例区 委员会 (巡察)"}}, {},
])
def test_search_links_are_what_url_for_builds(app, params: dict, script_root: str) -> None:  # type: ignore[no-untyped-def]
    """The page builds its many facet links without url_for's routing each time: the same URLs, under a
    script root too, and a link followed reproduces the search."""
    from webui.params import SearchParams
    from webui.search import search_url

    p = SearchParams(**params)
    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        fast = search_url(p)
        assert fast == url_for("search.index", **p.args())
        assert search_url(p) == fast  # the route kept for the request gives the same again
    assert fast.startswith(f"{script_root}/")
    query = parse_qs(urlsplit(fast).query)
    assert {k: v[0] for k, v in query.items()} == {k: str(v) for k, v in p.args().items()}

