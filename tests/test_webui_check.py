"""The cross-check page, its filters, CSV/XLSX working paper, and JSON, through the Flask test client."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from archive.database import Archive
from tests.conftest import CITY, NANKAI, SEED, needs_shared
from xuncha.settings import Settings



@pytest.fixture
def settings(sample_settings: Settings) -> Settings:
    return sample_settings


@pytest.fixture(scope="module")
def city_id(sample_settings: Settings) -> str:
    with Archive.open(sample_settings.db_path) as a:
        doc = a.document(str(CITY))
    assert doc is not None
    return doc.id


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
    with Archive.open(settings.db_path) as a:
        reg = a.regulations[0].id
    resp = client.get(f"/doc/{reg}/check")
    assert resp.status_code == 400 and "不是通报" in resp.get_data(as_text=True)


def test_notice_page_links_to_its_check(client: FlaskClient, city_id: str) -> None:
    assert f"/doc/{city_id}/check" in client.get(f"/doc/{city_id}").get_data(as_text=True)


_CITED = re.compile(r'data-unit="([^"]+)" data-status="([a-z_]+)"')


@needs_shared
@pytest.mark.parametrize("notice", [SEED, NANKAI], ids=["seed", "nankai"])
def test_notice_page_and_check_page_agree_on_every_citation(indexed_settings: Settings, notice: Path) -> None:
    from webui import create_app

    with Archive.open(indexed_settings.db_path) as a:
        doc = a.document(str(notice))
        assert doc is not None
        measure_cites = sum(1 for c in a.citations(doc.id) if c.measure_id)
    client = create_app(indexed_settings).test_client()
    on_notice = Counter(_CITED.findall(client.get(f"/doc/{doc.id}").get_data(as_text=True)))
    on_check = Counter(_CITED.findall(client.get(f"/doc/{doc.id}/check").get_data(as_text=True)))
    # the check page lists measures' citations; the notice page those and the problems' own
    assert sum(on_check.values()) == measure_cites > 0
    assert on_check == Counter({k: n for k, n in on_notice.items() if "-m" in k[0]})
    assert len({s for _, s in on_notice}) >= 2  # more than one outcome, so agreeing says something
