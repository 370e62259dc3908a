"""Inspectors' verdicts in a real Chromium (issue 33): sign in, mark a suggested article 适用 then 不适用, add an
article through search-as-you-type, filter by the at-a-glance counts, and find the verdicts in the downloaded
working paper and ledger. Screenshots go to test-artifacts/verdicts-*.png."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from archive.database import Archive
from tests.conftest import ARTIFACTS, live_server, needs_chromium
from tests.ops_helpers import fresh_archive, make_app
from tests.test_browser_ops import sign_in
from xuncha.settings import Settings

pytestmark = [pytest.mark.browser, needs_chromium]
SEED = "示例区城市管理局党组关于巡察整改情况的通报"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"verdicts-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, str]]:
    settings = fresh_archive(tmp_path_factory.mktemp("browser-verdicts"), tmp_path_factory.getbasetemp())
    with Archive.open(settings.db_path) as a:
        seed = a.conn.execute("SELECT id FROM documents WHERE title = ?", (SEED,)).fetchone()[0]
    app = make_app(settings)
    app.config.update(TESTING=False)
    with live_server(app) as url:
        yield url, settings, seed


def test_mark_add_filter_and_export(ui: Any, served: tuple[str, Settings, str], tmp_path: Path) -> None:
    url, settings, seed = served
    ui.goto(f"{url}/doc/{seed}/check")
    assert ui.locator(".verdict-form").count() == 0  # read-only until signed in
    sign_in(ui, url, f"/doc/{seed}/check")
    assert ui.url.startswith(f"{url}/doc/{seed}/check")
    block = ui.locator(".verdicts:has(.suggest)").first
    measure = block.get_attribute("id").removeprefix("v-")
    first = block.locator(".suggest").first
    article = first.get_attribute("data-article")
    with ui.expect_navigation():
        first.get_by_role("button", name="适用", exact=True).click()
    block = ui.locator(f"#v-{measure}")
    first = block.locator(f".suggest[data-article='{article}']")
    assert first.get_by_role("button", name="适用", exact=True).get_attribute("aria-pressed") == "true"
    with ui.expect_navigation():
        first.get_by_role("button", name="不适用").click()  # a second mark replaces the first
    block = ui.locator(f"#v-{measure}")
    assert block.locator(".verdict-list li").all_inner_texts()[0].startswith("alice：")
    assert block.locator(f"li[data-article='{article}']").get_attribute("data-verdict") == "不适用"
    assert block.locator(f".suggest[data-article='{article}'] [aria-pressed=true]").inner_text() == "不适用"

    box = block.locator("input.article-search")
    box.press_sequentially("议事规则", delay=30)
    choice = block.locator(".article-choices button.article-choice").first
    choice.wait_for()
    shot(ui, "search-as-you-type")
    label = choice.inner_text()
    chosen = choice.get_attribute("value")
    with ui.expect_navigation():
        choice.click()
    block = ui.locator(f"#v-{measure}")
    added = block.locator(f".suggest-added[data-article='{chosen}']")
    assert added.count() == 1 and label.split("（")[0] in added.inner_text()
    assert block.locator(f"li[data-article='{chosen}']").get_attribute("data-verdict") == "适用"
    shot(ui, "marked")

    with Archive.open(settings.db_path) as a:
        stored = {(v.measure_id, v.article_id): (v.verdict, v.added) for v in a.verdicts(seed)}
    assert stored == {(measure, article): ("不适用", False), (measure, chosen): ("适用", True)}

    total = int(ui.locator("[data-show=all] .glance-count").inner_text())
    found = int(ui.locator("[data-show=found] .glance-count").inner_text())
    none = int(ui.locator("[data-show=none] .glance-count").inner_text())
    with ui.expect_navigation():
        ui.locator("a[data-show=found]").click()
    assert "show=found" in ui.url
    assert ui.locator("tr[data-measure]").evaluate_all("rs => [...new Set(rs.map(r => r.dataset.measure))].length") \
        == found
    assert set(ui.locator("tr[data-measure]").evaluate_all("rs => rs.map(r => r.dataset.outcome)")) == {"found"}
    with ui.expect_navigation():
        ui.locator("a[data-show=none]").click()
    assert set(ui.locator("tr[data-measure]").evaluate_all("rs => rs.map(r => r.dataset.outcome)")) <= {"none"}
    assert found + none <= total
    shot(ui, "filter-none")

    ui.goto(f"{url}/doc/{seed}/check")
    with ui.expect_download() as dl:
        ui.get_by_role("link", name="CSV").click()
    path = tmp_path / "paper.csv"
    dl.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][-1] == "检查人员意见"
    cell = next(r[-1] for r in rows[1:] if r[-1])
    assert "alice：" in cell and "不适用" in cell and "适用（自选）" in cell
    ui.goto(f"{url}/doc/{seed}")
    with ui.expect_download() as dl:
        ui.get_by_role("link", name="下载台账 (XLSX)").click()
    path = tmp_path / "ledger.xlsx"
    dl.value.save_as(path)
    ws = load_workbook(path).active
    assert [r[-1] for r in ws.iter_rows(min_row=3, values_only=True) if r[-1]] == [cell]
