"""Word .docx: paragraphs of word/document.xml in reading order, title from the core properties."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

from xuncha.settings import Settings

from ..models import Extracted
from .errors import ExtractionError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MAX_XML = 64 * 1024 * 1024  # a zip bomb inflates far past this


def _read(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_XML:
        raise ExtractionError(f"{name} inflates to {info.file_size // 2**20} MB: refused")
    return zf.read(info)


def extract_docx(data: bytes, settings: Settings) -> Extracted:
    """Extract the paragraphs of a .docx file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        body = _read(zf, "word/document.xml")
        core = _read(zf, "docProps/core.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
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
