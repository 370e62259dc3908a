"""Exports (webui/exports.py): result lists as CSV and XLSX, a notice's ledger, saved searches."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from archive.database import Archive
from tests.ops_helpers import csrf_from, fresh_archive, make_app, sign_in
from webui.exports import HIT_COLUMNS, LEDGER_COLUMNS
from xuncha.settings import Settings

SEED = "示例区城市管理局党组关于巡察整改情况的通报"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return fresh_archive(tmp_path_factory.mktemp("exports"), tmp_path_factory.getbasetemp(), export_max_rows=30)


@pytest.fixture
def client(settings: Settings):  # type: ignore[no-untyped-def]
    return make_app(settings).test_client()


@pytest.fixture(scope="module")
def seed_id(settings: Settings) -> str:
    conn = Archive.open(settings.db_path)
    try:
        return conn.conn.execute("SELECT id FROM documents WHERE title = ?", (SEED,)).fetchone()[0]
    finally:
        conn.close()


def test_csv_has_bom_hits_and_links(client) -> None:
    page = client.get("/api/search?q=公车&kind=measure&per_page=100").json
    resp = client.get("/export.csv?q=公车&kind=measure")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    raw = resp.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HIT_COLUMNS
    assert len(rows) - 1 == min(page["total"], 30)
    first, hit = rows[1], page["hits"][0]
    assert first[0] == "1" and first[1] == "整改措施" and first[3] == hit["doc_title"]
    assert first[-1].startswith("http://localhost/doc/" + hit["doc_id"]) and first[-1].endswith(f"#m-{hit['id']}")
    assert "<mark>" not in first[13] and "公车" in first[13] + first[2]


def test_row_limit_and_paging_past_100(client, settings: Settings) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/export.csv?q=公务").data.decode("utf-8-sig"))))
    total = client.get("/api/search?q=公务").json["total"]
    assert total > 30 and len(rows) - 1 == 30  # export_max_rows in this archive's settings


def test_xlsx_rows(client) -> None:
    resp = client.get("/export.xlsx?q=政府采购&type=regulation")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws["A1"].value.startswith("检索结果：政府采购")
    assert tuple(c.value for c in ws[2]) == HIT_COLUMNS
    api = client.get("/api/search?q=政府采购&type=regulation&per_page=30").json
    body = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(body) == min(api["total"], 30)
    assert [r[3] for r in body] == [h["doc_title"] for h in api["hits"]][: len(body)]
    assert ws.freeze_panes == "A3"


def test_export_needs_a_query(client) -> None:
    resp = client.get("/export.csv")
    assert resp.status_code == 400 and "导出需要检索词" in resp.get_data(as_text=True)
    assert client.get("/export.xlsx?q=公车&kind=bogus").status_code == 400


def test_search_page_has_buttons(client) -> None:
    page = client.get("/?q=公车&kind=measure&page=1").get_data(as_text=True)
    assert 'href="/export.csv?q=%E5%85%AC%E8%BD%A6&amp;kind=measure"' in page
    assert 'href="/export.xlsx?q=%E5%85%AC%E8%BD%A6&amp;kind=measure"' in page
    assert "保存检索" not in page  # only for a signed-in operator


def test_ledger(client, seed_id: str, settings: Settings) -> None:
    resp = client.get(f"/doc/{seed_id}/ledger.xlsx")
    assert resp.status_code == 200
    assert "整改台账" in unquote(resp.headers["Content-Disposition"])
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws.title == "整改台账" and ws["A1"].value == f"{SEED} · 整改台账"
    assert tuple(c.value for c in ws[2]) == LEDGER_COLUMNS
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    conn = Archive.open(settings.db_path)
    measures = conn.conn.execute("SELECT COUNT(*) FROM measures WHERE doc_id = ?", (seed_id,)).fetchone()[0]
    conn.close()
    assert len(rows) == measures and [r[0] for r in rows] == list(range(1, measures + 1))
    cited = [r for r in rows if r[6]]
    assert cited and all(r[7] for r in rows)
    assert any("《示例区党组议事规则》" in r[6] and "已关联" in r[7] for r in cited)
    assert any(r[7] == "未引用法规" for r in rows)
    # formatted for printing
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["F"].width == 60 and ws["F3"].alignment.wrap_text


def test_ledger_only_for_notices(client, settings: Settings) -> None:
    conn = Archive.open(settings.db_path)
    reg = conn.conn.execute("SELECT id FROM documents WHERE doc_type = 'regulation' LIMIT 1").fetchone()[0]
    conn.close()
    assert client.get(f"/doc/{reg}/ledger.xlsx").status_code == 400
    assert client.get("/doc/nope/ledger.xlsx").status_code == 404


def test_saved_searches(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp())
    client = make_app(settings).test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/saved", data={"csrf_token": token, "name": "x", "query": "q=公车"}).status_code == 302
    csrf = sign_in(client)
    page = client.get("/?q=公车&kind=measure").get_data(as_text=True)
    assert "保存检索" in page and csrf_from(page)
    resp = client.post("/saved", data={"csrf_token": csrf, "name": "公车措施", "query": "q=公车&kind=measure&page=2"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/?q=%E5%85%AC%E8%BD%A6&kind=measure"
    home = client.get("/").get_data(as_text=True)
    assert "我保存的检索" in home and '<a href="/?q=%E5%85%AC%E8%BD%A6&amp;kind=measure">公车措施</a>' in home
    assert client.post("/saved", data={"csrf_token": csrf, "name": "空", "query": "kind=measure"}).status_code == 400
    other = make_app(settings).test_client()
    assert "公车措施" not in other.get("/").get_data(as_text=True)  # nobody else sees it
    sid = int(home.split('action="/saved/', 1)[1].split("/", 1)[0])
    assert client.post(f"/saved/{sid}/delete", data={"csrf_token": csrf}).status_code == 303
    assert "公车措施" not in client.get("/").get_data(as_text=True)
