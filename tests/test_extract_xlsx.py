"""The .xlsx extractor: sheets as tables and lines, a title row, cell values as text, bad files refused."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from archive.extract import ExtractionError, extract_bytes
from archive.options import ExtractOptions


def book(*sheets: tuple[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_sheets_become_tables_and_lines() -> None:
    data = book(("台账", [["示例局整改台账"], ["序号", "反馈问题", "整改时限"], [1, "台账不全", datetime(2024, 6, 30)],
                          [2.0, "制度缺失", "2024年1月"]]),
                ("空表", []))
    got = extract_bytes(data, ".xlsx", ExtractOptions())
    assert got.method == "xlsx" and got.title == "示例局整改台账"
    assert got.text == "示例局整改台账\n序号 | 反馈问题 | 整改时限\n1 | 台账不全 | 2024-06-30\n2 | 制度缺失 | 2024年1月"
    assert [(t.caption, t.rows) for t in got.tables] == [
        ("台账", (("序号", "反馈问题", "整改时限"), ("1", "台账不全", "2024-06-30"), ("2", "制度缺失", "2024年1月")))]


def test_a_declared_dimension_that_lies_costs_nothing() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "问题"])
    ws["B2"] = "只有一格"
    out = io.BytesIO()
    wb.save(out)
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
            dst.writestr(item, body)
    got = extract_bytes(patched.getvalue(), ".xlsx", ExtractOptions())
    assert got.tables[0].rows == (("序号", "问题"), ("", "只有一格"))


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04 not really a zip", "not a readable .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
])
def test_bad_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_bytes(data, ".xlsx", ExtractOptions())


def test_a_docx_renamed_to_xlsx_is_named_as_such() -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("正文")
    out = io.BytesIO()
    d.save(out)
    with pytest.raises(ExtractionError, match="xl/workbook.xml is missing"):
        extract_bytes(out.getvalue(), ".xlsx", ExtractOptions())
