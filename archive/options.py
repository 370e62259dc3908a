"""The small frozen option objects the archive's stages take (built from Settings at the entry points)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """Limits and choices of text extraction: every extractor gets these, whatever it uses of them."""

    timeout_s: float = 60.0  # one file's extraction, in its child process (archive/extract/sandbox.py)
    memory_mb: int = 1024  # how far that child's address space may grow
    max_text_chars: int = 1_000_000  # longer text is cut here, with a warning (0: no limit)
    ocr: str = "auto"  # "auto": OCR scanned PDFs when tesseract is installed; "off": report "needs OCR"
    ocr_lang: str = "chi_sim"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """What the ingest pipeline needs: where originals go, the size limit, and the extraction options."""

    originals_dir: Path
    max_file_mb: int = 100
    extract: ExtractOptions = field(default_factory=ExtractOptions)
