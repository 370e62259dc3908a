"""Units, recurring and common problems in a real Chromium (issue 30): open a notice of corpus/rounds, follow a
problem's unit link to the unit's timeline and its recurring link, open /common, filter it and download the CSV;
a signed-in operator merges two units and the unit page shows it, and rejects, takes back and confirms a recurring
link. Screenshots go to test-artifacts/units-*.png.

The archive is relinked with lower recurring thresholds than the engine's (tests/test_webui_units.py says why)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.database import Archive
from archive.links import refresh
from tests.conftest import ARTIFACTS, live_server, needs_chromium
from tests.ops_helpers import fresh_archive, make_app
from tests.test_browser_ops import sign_in
from tests.test_webui_units import MARKET, relink, two_units
from webui.common import COLUMNS
from xuncha.settings import Settings

pytestmark = [pytest.mark.browser, needs_chromium]


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"units-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    settings = fresh_archive(tmp_path_factory.mktemp("browser-units"), tmp_path_factory.getbasetemp())
    relink(settings)
    app = make_app(settings)
    app.config.update(TESTING=False)
    with live_server(app) as url:
        yield url, settings


def test_notice_to_unit_timeline_to_common(ui: Any, served: tuple[str, Settings], tmp_path: Path) -> None:
    url, settings = served
    with Archive.open(settings.db_path) as a:
        unit = a.unit(MARKET)
        assert unit is not None
        link = next(l for l in a.problem_links("recurring") if l.b.split("-")[0] in unit.documents)
        later_doc = next(d for d in unit.documents if link.b.startswith(d + "-"))
    ui.goto(f"{url}/doc/{later_doc}")
    problem = ui.locator(f"#p-{link.b}")
    assert problem.locator(".tag-recurring").first.inner_text() == "屡改屡犯"
    assert problem.locator(f"[data-earlier='{link.a}']").count() == 1
    with ui.expect_navigation():
        problem.locator("a.unit-link").click()
    assert ui.url.startswith(f"{url}/unit/{unit.id}")
    assert ui.locator("#unit-name").inner_text() == MARKET
    rounds = ui.locator("#timeline .round .round-label").all_inner_texts()
    assert rounds[0] == "九届区委第三轮巡察" and len(rounds) >= 2
    stages = ui.locator("#timeline .tl-notice").evaluate_all("ns => ns.map(n => n.dataset.stage)")
    assert stages == ["rectification", "progress", "revisit"]
    assert ui.locator(".tl-warning").count() >= 1  # the progress report's round was inferred
    assert "→" in ui.locator(".history").first.inner_text()
    row = ui.locator(f"#p-{link.b} .recurring-earlier")
    assert row.count() == 1 and "屡改屡犯" in row.inner_text() and "相似度" in row.inner_text()
    row.locator("a").click()  # to the earlier round's problem on the same page
    assert ui.url.endswith(f"#p-{link.a}") and ui.locator(f"#p-{link.a} .recurring-later").count() == 1
    shot(ui, "unit-page")

    ui.get_by_role("link", name="共性问题", exact=True).first.click()
    ui.wait_for_url(f"{url}/common")
    clusters = ui.locator("section.cluster")
    assert clusters.count() >= 2 and ui.locator("svg.chart").count() >= 1
    everything = ui.locator("tr.member").count()
    shot(ui, "common")
    kinds = ui.locator("#f-unit_kind option").all_inner_texts()[1:]
    assert kinds
    ui.locator("#f-unit_kind").select_option(kinds[0])
    with ui.expect_navigation():
        ui.get_by_role("button", name="筛选").click()
    assert "unit_kind=" in ui.url
    shown = ui.locator("tr.member").count()
    assert 0 < shown < everything
    with ui.expect_download() as dl:
        ui.locator("#common-csv").click()
    path = tmp_path / "common.csv"
    dl.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == shown + 1 and {r[7] for r in rows[1:]} == {kinds[0]}


def test_an_operator_merges_two_units(ui: Any, served: tuple[str, Settings]) -> None:
    url, settings = served
    with Archive.open(settings.db_path) as a:
        one, other = two_units(a)
    ui.goto(f"{url}/unit/{one.id}")
    assert ui.locator("#merge-form").count() == 0  # read-only until signed in
    sign_in(ui, url, f"/unit/{one.id}")
    assert ui.url.startswith(f"{url}/unit/{one.id}")
    ui.locator("#merge-other").select_option(other.id)
    with ui.expect_navigation():
        ui.get_by_role("button", name="合并").click()
    assert "已合并单位" in ui.locator("#unit-done").inner_text()
    aliases = ui.locator("#unit-aliases .alias").all_inner_texts()
    assert {one.name, other.name} <= set(aliases)
    assert ui.locator("#timeline .tl-notice").count() == len(one.documents) + len(other.documents)
    assert ui.locator("#split-form").count() == 1
    shot(ui, "merged")


def test_an_operator_rejects_a_recurring_link_then_takes_it_back(ui: Any, served: tuple[str, Settings]) -> None:
    url, settings = served
    with Archive.open(settings.db_path) as a:
        refresh(a)  # the engine's own thresholds: what a review relinks with
        link = a.problem_links("recurring")[0]
        unit = a.unit_of(a.problem_briefs([link.b])[link.b].doc_id)
    sign_in(ui, url, f"/unit/{unit.unit_id}")
    row = ui.locator(f"#p-{link.b} .recurring-earlier[data-other='{link.a}']")
    assert row.count() == 1 and row.get_by_role("button", name="确认").count() == 1
    ink, paper = row.get_by_role("button", name="否定").evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    assert ink not in ("rgb(255, 255, 255)", paper)  # legible on the white panel (was white on transparent)
    with ui.expect_navigation():
        row.get_by_role("button", name="否定").click()
    assert "已否定这条屡改屡犯链接" in ui.locator("#unit-done").inner_text()
    assert ui.locator(f"#p-{link.b} .recurring-earlier[data-other='{link.a}']").count() == 0
    rejected = ui.locator(f"#unit-rejected li[data-a='{link.a}'][data-b='{link.b}']")
    assert rejected.count() == 1 and "≠" in rejected.inner_text()
    shot(ui, "rejected")
    with ui.expect_navigation():
        rejected.get_by_role("button", name="撤销").click()
    assert "已撤销核定" in ui.locator("#unit-done").inner_text()
    again = ui.locator(f"#p-{link.b} .recurring-earlier[data-other='{link.a}']")
    assert again.count() == 1 and ui.locator("#unit-rejected").count() == 0
    with ui.expect_navigation():
        again.get_by_role("button", name="确认").click()
    tag = ui.locator(f"#p-{link.b} .recurring-earlier[data-other='{link.a}'] .tag-reviewed")
    assert tag.inner_text() == "已确认为同一问题（alice）"
    assert ui.locator(f"#p-{link.b} .recurring-earlier[data-other='{link.a}']").get_by_role(
        "button", name="撤销核定").is_visible()
    shot(ui, "confirmed")
    ui.locator(f"#p-{link.b}").screenshot(path=str(ARTIFACTS / "units-confirmed-problem.png"))
