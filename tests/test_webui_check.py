"""The cross-check page, its filters, CSV/XLSX working paper, and JSON, through the Flask test client."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive import records, store
from tests.conftest_browser import SAMPLES, build_sample_archive
from webui import create_app
from xuncha.settings import Settings

CITY = SAMPLES / "notices" / "示例区城市管理局党组关于巡察整改情况的通报.txt"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_sample_archive(tmp_path_factory.mktemp("check") / "home")


@pytest.fixture(scope="module")
def app(settings: Settings) -> Flask:
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield app.test_client()


@pytest.fixture(scope="module")
def city_id(settings: Settings) -> str:
    conn = store.connect(settings.db_path)
    row = records.find_document(conn, str(CITY))
    assert row is not None
    return row["id"]


def test_page_shows_citations_reasons_and_suggestions(client: FlaskClient, city_id: str) -> None:
    html = client.get(f"/doc/{city_id}/check").get_data(as_text=True)
    assert "整改核查" in html and "《示例市党政机关公务用车管理办法》" in html
    assert "已关联" in html and "未收录" in html and "单位内部制度" in html and "非法规文件" in html
    assert "版本 2022-06-15" in html and "#第十二条" in html
    assert "<mark>" in html  # suggested articles carry the shared terms marked
    assert "未引用法规" in html


def test_filters(client: FlaskClient, city_id: str) -> None:
    unresolved = client.get(f"/doc/{city_id}/check?only=unresolved").get_data(as_text=True)
    assert "《示例区城管局采购管理制度》" in unresolved and "版本 2022-06-15" not in unresolved
    uncited = client.get(f"/doc/{city_id}/check?only=uncited").get_data(as_text=True)
    assert "（未引用）" in uncited and "《示例市党政机关公务用车管理办法》" not in uncited
    assert client.get(f"/doc/{city_id}/check?only=nonsense").status_code == 400


def test_csv_and_xlsx_have_the_same_rows(client: FlaskClient, city_id: str) -> None:
    from openpyxl import load_workbook

    resp = client.get(f"/doc/{city_id}/check.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["类别", "问题编号", "问题"]
    xlsx = client.get(f"/doc/{city_id}/check.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert cells == rows
    statuses = {r[8] for r in rows[1:]}
    assert {"已关联", "未收录", "单位内部制度", "非法规文件", "未引用法规"} <= statuses


def test_api_matches_cli_shape(client: FlaskClient, city_id: str) -> None:
    data = json.loads(client.get(f"/api/doc/{city_id}/check").data)
    assert {"doc_id", "citations", "measures"} <= data.keys()
    assert all(c["status"] in {"resolved", "not_in_archive", "ambiguous", "not_a_regulation", "internal"}
               for c in data["citations"])


def test_errors(client: FlaskClient, settings: Settings) -> None:
    assert client.get("/doc/nope/check").status_code == 404
    assert client.get("/api/doc/nope/check").get_json()["status"] == 404
    conn = store.connect(settings.db_path)
    reg = conn.execute("SELECT id FROM documents WHERE doc_type = 'regulation' LIMIT 1").fetchone()["id"]
    resp = client.get(f"/doc/{reg}/check")
    assert resp.status_code == 400 and "不是通报" in resp.get_data(as_text=True)


def test_notice_page_links_to_its_check(client: FlaskClient, city_id: str) -> None:
    assert f"/doc/{city_id}/check" in client.get(f"/doc/{city_id}").get_data(as_text=True)
