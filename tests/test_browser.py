"""The web UI in a real Chromium (Playwright's sync API) against a live server on a sample archive.

Screenshots of the search and notice pages at desktop and phone sizes always go to test-artifacts/;
a failing test also leaves test-artifacts/<test name>.png.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from indexer.search import RELAX_BELOW
from tests.conftest import ARTIFACTS, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def search_box(page: Any, query: str) -> None:
    """Type a query in the 检索 box and press Enter."""
    box = page.get_by_label("检索", exact=True)
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")


def total(page: Any) -> int:
    """N from 共 N 条结果."""
    text = page.locator("#results-h").inner_text()
    m = re.search(r"共 (\d+) 条结果", text)
    assert m, text
    return int(m.group(1))


def test_search_by_typing_in_the_box(ui: Any, base_url: str) -> None:
    ui.goto(base_url + "/")
    assert ui.locator("html").get_attribute("lang") == "zh-CN"
    search_box(ui, "三重一大")
    assert parse_qs(urlsplit(ui.url).query)["q"] == ["三重一大"]
    assert total(ui) > 0
    assert ui.locator("ol.hits > li.hit").count() > 0
    assert ui.locator(".snippet mark").first.inner_text() == "三重一大"
    assert ui.get_by_label("检索", exact=True).input_value() == "三重一大"


def test_relaxed_search_says_how_many_hits_have_every_word(ui: Any, base_url: str) -> None:
    ui.goto(base_url + "/")
    search_box(ui, "议事规则 公车")
    data = ui.request.get(base_url + "/api/search?q=议事规则 公车").json()
    assert data["relaxed"] and 0 < data["full_matches"] < total(ui)
    banner = ui.get_by_role("status")
    assert f"同时包含全部检索词的结果只有 {data['full_matches']} 条" in banner.inner_text()
    search_box(ui, "议事规则 zzqx")
    assert "没有同时包含全部检索词的结果" in ui.get_by_role("status").inner_text()


def test_facet_click_shows_chip_and_narrows(ui: Any, base_url: str) -> None:
    ui.goto(base_url + "/")
    search_box(ui, "公务用车")
    before = total(ui)
    facet = ui.locator("details.facet", has=ui.locator("h3", has_text="年份"))
    values = facet.locator("a.facet-value")
    pick = None
    for i in range(values.count()):
        n = int(values.nth(i).locator(".count").inner_text())
        if RELAX_BELOW <= n < before and (pick is None or n < pick[1]):
            pick = (i, n)
    assert pick, "no year facet value to click"
    year = values.nth(pick[0]).locator(".fv").inner_text()
    with ui.expect_navigation():
        values.nth(pick[0]).click()
    assert parse_qs(urlsplit(ui.url).query)["f_year"] == [year]
    chip = ui.locator("a.chip", has_text=f"年份：{year}")
    assert chip.is_visible()
    assert total(ui) == pick[1] <= before
    with ui.expect_navigation():
        chip.click()
    assert "f_year" not in ui.url and total(ui) == before


def test_notice_citation_back_and_highlight(ui: Any, base_url: str) -> None:
    ui.goto(base_url + "/")
    search_box(ui, "三重一大")
    ui.get_by_role("radio", name="整改措施").check()  # the grain selector re-runs the search (app.js)
    ui.wait_for_url(re.compile(r"kind=measure"))
    first = ui.locator("a.hit-title").first
    href = first.get_attribute("href") or ""
    assert "#m-" in href and "q=" in href
    with ui.expect_navigation():
        first.click()
    anchor = unquote(urlsplit(ui.url).fragment)
    measure = ui.locator(f"[id='{anchor}']")
    assert measure.is_visible()
    marks = ui.locator("article mark")
    assert marks.count() >= 2
    assert "三重一大" in [marks.nth(i).inner_text() for i in range(marks.count())]
    assert "三重一大" in measure.locator("mark").first.inner_text()
    notice_url = ui.url
    problem = measure.locator("xpath=ancestor::section[contains(@class, 'problem')]")
    cite = problem.locator("a.cite-ok").first  # a citation of this problem (not every measure cites)
    with ui.expect_navigation():
        cite.click()
    assert re.search(r"#第[一二三四五六七八九十百]+条$", unquote(ui.url)), ui.url
    label = unquote(urlsplit(ui.url).fragment)
    article = ui.locator(f"[id='{label}']")
    assert article.is_visible() and label in article.inner_text()
    assert article.locator(".cited-by a").count() >= 1  # the regulation links back to its citers
    ui.go_back()
    ui.wait_for_url(notice_url)
    assert ui.locator("article.notice-doc h1").is_visible()


def test_keyboard_skip_link_and_focus(ui: Any, base_url: str) -> None:
    ui.goto(base_url + "/?q=三重一大")
    ui.keyboard.press("Tab")
    skip = ui.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement") and skip.inner_text() == "跳到结果"
    assert skip.is_visible()
    ui.keyboard.press("Enter")
    assert unquote(urlsplit(ui.url).fragment) == "results"
    ui.keyboard.press("Tab")
    focused = ui.evaluate("() => document.activeElement.tagName + ' ' + (document.activeElement.className || '')")
    assert focused.startswith("A"), focused
    outline = ui.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize(("size", "viewport"), [("1366x768", DESKTOP), ("390x844", PHONE)])
def test_screenshots_for_review(chromium: Any, base_url: str, size: str, viewport: dict[str, int]) -> None:
    """Search and notice pages at desktop and phone sizes, saved for a human to look at; no sideways scrolling."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(base_url + "/?q=三重一大")
        page.screenshot(path=str(ARTIFACTS / f"search-{size}.png"))
        href = page.locator("a.hit-title[href*='#p-'], a.hit-title[href*='#m-']").first.get_attribute("href")
        page.goto(base_url + (href or "").split("#")[0])
        page.screenshot(path=str(ARTIFACTS / f"notice-{size}.png"))
        page.screenshot(path=str(ARTIFACTS / f"notice-{size}-full.png"), full_page=True)
        for url in ("/?q=三重一大", (href or "").split("#")[0]):
            page.goto(base_url + url)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {size}"
        font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
        assert "Noto Sans CJK SC" in font
    finally:
        context.close()



def test_check_page_from_notice_and_back_to_the_article(ui: Any, base_url: str) -> None:
    """Open a notice's 核查表, filter to unresolved, export link present, follow a resolved citation."""
    ui.goto(f"{base_url}/?q=公务用车+派车单&kind=measure")
    ui.locator("ol.results-list a, .hit a").first.click() if ui.locator(".hit a").count() == 0 else \
        ui.locator(".hit a").first.click()
    ui.get_by_role("link", name="查看核查表").click()
    ui.wait_for_load_state()
    assert "整改核查" in ui.content()
    ARTIFACTS.mkdir(exist_ok=True)
    ui.screenshot(path=str(ARTIFACTS / "check-desktop.png"), full_page=False)
    assert ui.get_by_role("link", name="Excel（XLSX）").count() == 1
    ui.get_by_role("link", name="仅未关联的引用").click()
    ui.wait_for_load_state()
    assert "only=unresolved" in ui.url and "已关联" not in ui.locator("tbody").inner_text()
    ui.go_back()
    ui.wait_for_load_state()
    link = ui.locator("tbody a[href*='#第十二条']").first
    link.click()
    ui.wait_for_load_state()
    assert ui.url.endswith("#%E7%AC%AC%E5%8D%81%E4%BA%8C%E6%9D%A1") or ui.url.endswith("#第十二条")
    assert ui.locator("[id='第十二条']").is_visible()
