"""The operator side in a real Chromium: sign in, upload a folder and watch it become searchable, click a
chart bar through to its search, download an export and open it with openpyxl. Screenshots of every page go to
test-artifacts/ops-*.png (and /tmp/xuncha-ops-*.png) to be looked at."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import ARTIFACTS, live_server, needs_chromium
from tests.ops_helpers import PASSWORD, fresh_archive, make_app
from tests.test_jobs import STREET, STREET_TEXT

pytestmark = [pytest.mark.browser, needs_chromium]
SHOTS = Path("/tmp")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ops-{name}.png"), full_page=True)
    shutil.copy(ARTIFACTS / f"ops-{name}.png", SHOTS / f"xuncha-ops-{name}.png")


@pytest.fixture(scope="module")
def ops_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the sample archive with operator alice, its job worker running, served live."""
    from webui.ops import start_background

    settings = fresh_archive(tmp_path_factory.mktemp("browser-ops"), tmp_path_factory.getbasetemp())
    app = make_app(settings)
    app.config.update(TESTING=False)
    started = start_background(app)
    try:
        with live_server(app) as url:
            yield url
    finally:
        for s in started:
            s.stop()  # type: ignore[attr-defined]


def sign_in(page: Any, base: str, next_path: str = "") -> None:
    page.goto(f"{base}/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_sign_in(ui: Any, ops_url: str) -> None:
    ui.goto(ops_url + "/")
    assert ui.locator(".ops-nav").inner_text().split() == ["统计", "共性问题", "操作员登录"]
    ui.goto(ops_url + "/upload")
    assert ui.url.startswith(ops_url + "/login?next=/upload")  # a write page asks for sign-in
    shot(ui, "login")
    ui.get_by_label("用户名").fill("alice")
    ui.get_by_label("密码").fill("not-the-password")
    ui.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in ui.locator("[role=alert]").inner_text()
    ui.get_by_label("用户名").fill("alice")
    ui.get_by_label("密码").fill(PASSWORD)
    with ui.expect_navigation():
        ui.get_by_role("button", name="登录").click()
    assert ui.url == ops_url + "/upload" or ui.url == ops_url + "/upload?"
    assert "alice" in ui.locator(".ops-nav").inner_text()
    cookie = next(c for c in ui.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    with ui.expect_navigation():
        ui.get_by_role("button", name="退出").click()
    assert "操作员登录" in ui.locator(".ops-nav").inner_text()


def test_upload_folder_until_searchable(ui: Any, ops_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "整改材料"
    (folder / "二批").mkdir(parents=True)
    (folder / f"{STREET}.txt").write_text(STREET_TEXT, encoding="utf-8")
    (folder / "二批" / "示例社区工作简报.md").write_text(
        "# 示例社区工作简报\n\n本期介绍社区开展垃圾分类督导和楼道清理的情况。\n", encoding="utf-8")
    (folder / "说明.exe").write_bytes(b"MZ")
    def documents_in_stats() -> int:
        ui.goto(ops_url + "/stats")
        return int(re.search(r"档案共 (\d+) 份文件", ui.locator(".stats-summary").inner_text()).group(1))

    before = documents_in_stats()
    sign_in(ui, ops_url, "/upload")
    assert ui.url.startswith(ops_url + "/upload")
    ui.locator("#folder").set_input_files(str(folder))
    assert "已选择 3 个文件" in ui.locator("#upload-summary").inner_text()
    shot(ui, "upload")
    with ui.expect_navigation():
        ui.get_by_role("button", name="上传并收录").click()
    assert re.search(r"/jobs/\d+$", ui.url)
    ui.wait_for_selector("#job[data-finished='1']", timeout=60_000)
    assert ui.locator("#job-state").inner_text() == "已完成"
    rows = ui.locator("#job-files tr")
    outcomes = {rows.nth(i).locator("td").first.inner_text(): rows.nth(i).get_attribute("data-outcome")
                for i in range(rows.count())}
    assert outcomes == {f"整改材料/{STREET}.txt": "added", "整改材料/二批/示例社区工作简报.md": "added",
                        "整改材料/说明.exe": "skipped"}
    assert "已处理 3 / 3" in ui.locator("#job-count").inner_text()
    shot(ui, "job")
    ui.reload()  # the page survives a reload: all of it comes from SQLite
    assert ui.locator("#job-files tr[data-outcome=added]").count() == 2
    with ui.expect_navigation():
        ui.get_by_role("link", name=f"整改材料/{STREET}.txt").click()
    assert STREET in ui.locator("h1").first.inner_text()
    ui.goto(ops_url + "/?q=%22防汛仓库%22")
    assert STREET in ui.locator(".hits").inner_text()
    assert documents_in_stats() == before + 2  # the statistics change with the upload
    ui.goto(ops_url + "/ops")
    assert "上传" in ui.locator(".audit-table").inner_text() and f"{STREET}.txt" in ui.locator(".audit-table").inner_text()
    shot(ui, "ops")


def test_chart_click_through(ui: Any, ops_url: str) -> None:
    ui.goto(ops_url + "/stats")
    shot(ui, "stats")
    bar = ui.locator("#by-year a.chart-link").first
    year = bar.locator(".chart-label").text_content()
    count = int(bar.locator(".chart-count").text_content())
    with ui.expect_navigation():
        bar.locator("rect").click()
    assert f"f_year={year}" in ui.url
    assert re.search(rf"共 {count} 条结果", ui.locator("#results-h").inner_text())
    ui.goto(ops_url + "/stats")
    cat = ui.locator("#by-category a.chart-link").first
    n = int(cat.locator(".chart-count").text_content())
    with ui.expect_navigation():
        cat.locator(".chart-label").click()
    assert f"共 {n} 条结果" in ui.locator("#results-h").inner_text()
    assert set(ui.locator(".hits .badge").all_inner_texts()) == {"问题"}


def test_export_download_and_saved_search(ui: Any, ops_url: str, tmp_path: Path) -> None:
    sign_in(ui, ops_url)
    ui.goto(ops_url + "/?q=公车&kind=measure")
    total = int(re.search(r"共 (\d+) 条结果", ui.locator("#results-h").inner_text()).group(1))
    titles = ui.locator(".hits .hit-doc").all_inner_texts()
    shot(ui, "search-tools")
    with ui.expect_download() as dl:
        ui.get_by_role("link", name="Excel (XLSX)").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.name.startswith("检索结果-公车") and path.suffix == ".xlsx"
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == total and all(r[1] == "整改措施" for r in rows)
    assert [r[3] for r in rows[: len(titles)]] == titles
    assert all(str(r[-1]).startswith(ops_url + "/doc/") for r in rows)
    with ui.expect_navigation():
        ui.locator(".save-search").get_by_role("button", name="保存检索").click()
    ui.goto(ops_url + "/")
    saved = ui.locator(".saved-list a")
    assert saved.all_inner_texts() == ["公车"]
    shot(ui, "home-saved")
    with ui.expect_navigation():
        saved.first.click()
    assert "kind=measure" in ui.url and f"共 {total} 条结果" in ui.locator("#results-h").inner_text()


def test_ledger_download(ui: Any, ops_url: str, tmp_path: Path) -> None:
    ui.goto(ops_url + "/?q=示例区城市管理局&kind=document&type=notice")
    with ui.expect_navigation():
        ui.locator(".hit-title").first.click()
    with ui.expect_download() as dl:
        ui.get_by_role("link", name="下载台账 (XLSX)").click()
    path = tmp_path / "ledger.xlsx"
    dl.value.save_as(path)
    ws = load_workbook(path).active
    assert ws["A1"].value.endswith("· 整改台账") and ws["F2"].value == "整改措施"
    assert ws.max_row > 5
