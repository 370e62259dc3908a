"""Word .docx: paragraphs of word/document.xml in reading order, title from the core properties."""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.etree import ElementTree as ET


from ..models import Extracted
from ..options import ExtractOptions
from .errors import ExtractionError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MAX_XML = 64 * 1024 * 1024  # a zip bomb inflates far past this


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, and every password-protected .docx


def _read(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_XML:
        raise ExtractionError(f"{name} inflates to {info.file_size // 2**20} MB: refused")
    # the declared size can lie (zf.read would then inflate up to 2 GB in one go): read at most the cap
    with zf.open(info) as fh:
        data = fh.read(_MAX_XML + 1)
    if len(data) > _MAX_XML:
        raise ExtractionError(f"{name} inflates to more than {_MAX_XML // 2**20} MB (zip bomb?): refused")
    return data


def extract_docx(data: bytes, options: ExtractOptions) -> Extracted:
    """Extract the paragraphs of a .docx file."""
    if data.startswith(_OLE):
        raise ExtractionError("not a .docx: a password-protected Word file or an old .doc renamed to .docx "
                              "(open it in Word and save as .docx without a password)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        body = _read(zf, "word/document.xml")
        core = _read(zf, "docProps/core.xml")
    except RuntimeError as exc:  # zipfile's "File is encrypted, password required"
        raise ExtractionError(f"encrypted .docx ({exc})") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, ValueError,
            zlib.error) as exc:
        raise ExtractionError(f"not a readable .docx (damaged zip: {exc})") from exc
    if body is None:
        raise ExtractionError("not a .docx: word/document.xml is missing")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ExtractionError(f"damaged .docx: {exc}") from exc
    paragraphs: list[str] = []
    heading: str | None = None
    for p in root.iter(f"{_W}p"):
        parts: list[str] = []
        for node in p.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag in (f"{_W}tab",):
                parts.append(" ")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        text = "".join(parts).strip()
        if not text:
            continue
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if heading is None and style is not None and (style.get(f"{_W}val") or "").lower() in ("title", "1", "heading1"):
            heading = text
        paragraphs.append(text)
    if not paragraphs:
        raise ExtractionError("the .docx has no text")
    title = None
    if core:
        try:
            node = ET.fromstring(core).find(f"{_DC}title")
            title = node.text.strip() if node is not None and node.text and node.text.strip() else None
        except ET.ParseError:
            title = None
    return Extracted(text="\n".join(paragraphs), title=title or heading, method="docx")
