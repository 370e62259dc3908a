"""extract: bytes of one file → Extracted text, chosen by file suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


from ..models import Extracted
from ..options import ExtractOptions
from .docx import extract_docx
from .errors import ExtractionError, NeedsOCR, ScannedPDF
from .html import extract_html
from .pdf import extract_pdf, ocr_scanned, warm_pdfminer
from .sandbox import ExtractorBug, run_limited
from .text import extract_text
from .xlsx import extract_xlsx


class Extractor(Protocol):
    """Turns one file's bytes into text; raises ExtractionError with a reason a person can act on."""

    def __call__(self, data: bytes, options: ExtractOptions) -> Extracted: ...


EXTRACTORS: dict[str, Extractor] = {
    ".txt": extract_text,
    ".text": extract_text,
    ".md": extract_text,
    ".markdown": extract_text,
    ".html": extract_html,
    ".htm": extract_html,
    ".shtml": extract_html,
    ".pdf": extract_pdf,
    ".docx": extract_docx,
    ".xlsx": extract_xlsx,
}


def supported(path: Path) -> bool:
    """Whether a file's suffix has an extractor."""
    return path.suffix.lower() in EXTRACTORS


def extract_bytes(data: bytes, suffix: str, options: ExtractOptions) -> Extracted:
    """Extract text from a file's bytes with the extractor for its suffix, in a child process under the
    options' time and memory limits (sandbox.py); OCR of a scanned PDF follows in this process."""
    extractor = EXTRACTORS.get(suffix.lower())
    if extractor is None:
        raise ExtractionError(f"unsupported file type {suffix or '(no suffix)'}")
    if not data.strip():
        raise ExtractionError("empty file")
    kind = suffix.lower().lstrip(".").upper()
    if extractor is extract_pdf:
        warm_pdfminer()  # imported once here, not in every child
    try:
        return run_limited(extractor, data, options, what=f"{kind} extraction")
    except ScannedPDF as exc:
        return ocr_scanned(data, options, exc.title)


def extract(path: Path, options: ExtractOptions) -> Extracted:
    """Read one file and extract its text (the pipeline reads and size-checks; this is for callers and tests)."""
    return extract_bytes(path.read_bytes(), path.suffix, options)


__all__ = ["EXTRACTORS", "ExtractionError", "ExtractorBug", "Extractor", "NeedsOCR", "extract", "extract_bytes", "supported"]
