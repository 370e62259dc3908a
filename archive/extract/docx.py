"""Word .docx through python-docx: paragraphs and tables in reading order, title from the core properties.

Tables are kept as Table records (a ledger's rows are problems) and also flattened into the text, one row a
line with cells joined by " | ", so every cell is searchable and a problem's text is a substring of it.
Header and footer rows or paragraphs of a ledger (填报单位：… 填报日期：…, ledger_meta.py) give the publisher
and the date, and are kept out of the table.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from ..models import Extracted, Table
from ..options import ExtractOptions
from .errors import ExtractionError
from .ledger_meta import meta_row, row_meta

_MAX_XML = 64 * 1024 * 1024  # a zip bomb inflates far past this
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, and every password-protected .docx


def check_zip(data: bytes, main: str, kind: str) -> None:
    """Refuse what python-docx / openpyxl would choke on: not a zip, encrypted, no main part, a zip bomb."""
    if data.startswith(_OLE):
        raise ExtractionError(f"not a {kind}: a password-protected Office file or an old binary file renamed to "
                              f"{kind} (open it in Office and save as {kind} without a password)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        if main not in zf.namelist():
            raise ExtractionError(f"not a {kind}: {main} is missing")
        for info in infos:
            if info.file_size > _MAX_XML:
                raise ExtractionError(f"{info.filename} inflates to {info.file_size // 2**20} MB: refused")
        # the declared size can lie: inflate the main part up to the cap once
        with zf.open(main) as fh:
            if len(fh.read(_MAX_XML + 1)) > _MAX_XML:
                raise ExtractionError(f"{main} inflates to more than {_MAX_XML // 2**20} MB (zip bomb?): refused")
    except RuntimeError as exc:  # zipfile's "File is encrypted, password required"
        raise ExtractionError(f"encrypted {kind} ({exc})") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, ValueError,
            zlib.error) as exc:
        raise ExtractionError(f"not a readable {kind} (damaged zip: {exc})") from exc


def row_line(cells: tuple[str, ...]) -> str:
    """One table row as a line of text (cells' own line breaks become spaces)."""
    return " | ".join(" ".join(c.split()) for c in cells)


def _rows(table: DocxTable) -> tuple[tuple[str, ...], ...]:
    rows = []
    for tr in table.rows:
        cells: list[str] = []
        last = None
        for cell in tr.cells:
            if cell._tc is last:  # a cell merged across columns is returned once per column
                continue
            last = cell._tc
            cells.append("\n".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        if any(cells):
            rows.append(tuple(cells))
    return tuple(rows)


def _blocks(body: Any) -> Iterator[Any]:
    """Paragraphs and tables in reading order, also those inside content controls (w:sdt)."""
    stack = list(reversed(list(body.iterchildren())))
    while stack:
        child = stack.pop()
        if child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            stack.extend(reversed(list(child.iterchildren())))
        elif child.tag in (qn("w:p"), qn("w:tbl")):
            yield child


def extract_docx(data: bytes, options: ExtractOptions) -> Extracted:
    """Extract the paragraphs and tables of a .docx file."""
    check_zip(data, "word/document.xml", ".docx")
    try:
        document: Document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors on damage
        raise ExtractionError(f"damaged .docx ({type(exc).__name__}: {str(exc)[:200]})") from exc
    lines: list[str] = []
    tables: list[Table] = []
    heading: str | None = None
    meta: list[str] = []
    for child in _blocks(document.element.body):
        if child.tag == qn("w:p"):
            para = Paragraph(child, document)
            text = "\n".join(part.strip() for part in para.text.split("\n") if part.strip())
            if not text:
                continue
            style = (para.style.name or "").lower() if para.style is not None else ""
            if heading is None and style in ("title", "heading 1"):
                heading = text
            if meta_row([text]):
                meta.append(text)
            lines.append(text)
        elif child.tag == qn("w:tbl"):
            rows = _rows(DocxTable(child, document))
            footer = [r for r in rows if meta_row(r)]
            meta.extend(row_line(tuple(c for c in r if c)) for r in footer)
            kept = tuple(r for r in rows if r not in footer)
            if kept:
                tables.append(Table(rows=kept, caption=lines[-1] if lines else ""))
            lines.extend(row_line(r) for r in rows)
    if not lines:
        raise ExtractionError("the .docx has no text")
    title = (document.core_properties.title or "").strip() or None
    publisher, published = row_meta(meta)
    return Extracted(text="\n".join(lines), title=title or heading, method="docx", tables=tuple(tables),
                     publisher=publisher, published=published)
