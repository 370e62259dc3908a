"""Excel .xlsx through openpyxl (read-only, cached values): every sheet as a Table and as lines of text.

A ledger sheet usually opens with a title row (one cell, often merged across the columns): that is the title.
Rows above or below the table that say who filed it and when (填报单位：… 填报日期：…, ledger_meta.py) give
the publisher and the date, and are kept out of the table.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl

from ..models import Extracted, Table
from ..options import ExtractOptions
from .docx import check_zip, row_line
from .errors import ExtractionError
from .ledger_meta import meta_row, row_meta

_MAX_CELLS = 2_000_000  # a sheet that claims more is not a ledger (and would take the memory limit)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def extract_xlsx(data: bytes, options: ExtractOptions) -> Extracted:
    """Extract the sheets of an .xlsx workbook."""
    check_zip(data, "xl/workbook.xml", ".xlsx")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError, ValueError, lxml errors on damage
        raise ExtractionError(f"damaged .xlsx ({type(exc).__name__}: {str(exc)[:200]})") from exc
    lines: list[str] = []
    tables: list[Table] = []
    title: str | None = None
    meta: list[str] = []
    seen = 0
    try:
        for sheet in book.worksheets:
            rows: list[tuple[str, ...]] = []
            # a sheet's declared dimension can claim A1:XFD1048576: read only the cells really there
            sheet.reset_dimensions()
            for raw in sheet.iter_rows(values_only=True):
                seen += len(raw)
                if seen > _MAX_CELLS:
                    raise ExtractionError(f"more than {_MAX_CELLS} cells: not a ledger, refused")
                cells = [_cell(v) for v in raw]
                while cells and not cells[-1]:
                    cells.pop()
                if cells and meta_row(cells):
                    meta.append(row_line(tuple(c for c in cells if c)))
                elif cells:
                    rows.append(tuple(cells))
            # a title row: one filled cell above the header
            while rows and sum(1 for c in rows[0] if c) == 1 and len(rows) > 1:
                text = next(c for c in rows[0] if c)
                title = title or text
                lines.append(text)
                rows.pop(0)
            if rows:
                tables.append(Table(rows=tuple(rows), caption=sheet.title))
                lines.extend(row_line(r) for r in rows)
    finally:
        book.close()
    if not lines:
        raise ExtractionError("the .xlsx has no text")
    props = (book.properties.title or "").strip() if book.properties else ""
    publisher, published = row_meta(meta)
    return Extracted(text="\n".join(lines + meta), title=props or title, method="xlsx", tables=tuple(tables),
                     publisher=publisher, published=published)
