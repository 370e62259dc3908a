"""PDF: the text layer via pdfminer (in the limited extraction child); OCR when there is none.

extract_pdf runs in the child (archive/extract/sandbox.py). A PDF without a text layer raises
ScannedPDF there; the parent then runs OCR (ocr_scanned), whose programs have their own time limits.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path


from ..models import Extracted
from ..options import ExtractOptions
from .errors import ExtractionError, NeedsOCR, ScannedPDF
from ..radicals import repair_radicals

_CID = re.compile(r"\(cid:\d+\)")
# metadata titles that name the file or the program, not the document
_OFFICE_PREFIX = re.compile(r"^(?:microsoft\s+(?:word|excel|powerpoint)|wps\s*\w*)\s*-\s*", re.I)
_FILE_SUFFIX = re.compile(r"\.(?:s?html?|docx?|wps|pdf|txt|rtf|xlsx?|pptx?)$", re.I)
_PLACEHOLDER = re.compile(r"^(?:untitled|无标题|document\s*\d*|文档\s*\d*|新建.*文档.*)$", re.I)


def warm_pdfminer() -> None:
    """Import pdfminer in this process, so each forked extraction child starts with it loaded."""
    import pdfminer.high_level  # noqa: F401


def _read_layer(data: bytes) -> dict:
    """pdfminer's text layer and title; run inside the extraction child (sandbox.py), which bounds it."""
    from .pdf_worker import read_pdf

    return read_pdf(data)


def _useful_title(title: str | None) -> str | None:
    """The metadata title, unless it is a file name ("page.html", "Microsoft Word - 通报.doc") or a placeholder."""
    if not title:
        return None
    title = _OFFICE_PREFIX.sub("", title.strip())
    if _FILE_SUFFIX.search(title):
        title = _FILE_SUFFIX.sub("", title).strip()
        # what is left of a file name is a title only if it reads like one
        if not re.search(r"[\u4e00-\u9fff]{2}", title):
            return None
    return None if not title or _PLACEHOLDER.match(title) else title


def _truncated(data: bytes) -> bool:
    # every complete PDF ends with %%EOF (readers look in the last 1 KiB)
    return b"%%EOF" not in data[-1024:]


def _needs_ocr(text: str) -> bool:
    cids = len(_CID.findall(text))
    visible = len(re.sub(r"\s", "", _CID.sub("", text)))
    return visible < 20 or cids > visible * 0.1


def ocr_available() -> bool:
    """Tesseract with Chinese data and a page renderer are installed."""
    if not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        return False
    proc = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False, timeout=30)
    return "chi_sim" in proc.stdout


def _ocr(data: bytes, options: ExtractOptions) -> str:
    """Render pages with pdftoppm and read them with tesseract chi_sim, in child processes with time limits."""
    with tempfile.TemporaryDirectory(prefix="xuncha-ocr-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        try:
            subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(Path(tmp) / "page")],
                           check=True, capture_output=True, timeout=options.timeout_s * 4)
            pages = []
            for png in sorted(Path(tmp).glob("page*.png")):
                proc = subprocess.run(["tesseract", str(png), "stdout", "-l", options.ocr_lang, "--psm", "6"],
                                      check=True, capture_output=True, timeout=options.timeout_s * 2)
                pages.append(proc.stdout.decode("utf-8", "replace"))
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError("OCR timed out") from exc
        except subprocess.CalledProcessError as exc:
            raise ExtractionError(f"OCR failed: {exc.stderr.decode('utf-8', 'replace')[:200]}") from exc
    return "\f".join(pages)


def extract_pdf(data: bytes, options: ExtractOptions) -> Extracted:
    """Extract a PDF's text layer; ScannedPDF (a NeedsOCR) when it has none and OCR may read it."""
    if b"%PDF-" not in data[:1024]:  # readers accept a little junk before the header
        raise ExtractionError("not a PDF (no %PDF- header)")
    try:
        result = _read_layer(data)
        if not result["ok"]:
            raise ExtractionError(result["reason"])
    except ExtractionError as exc:
        if _truncated(data):
            raise ExtractionError(f"{exc}; the file does not end with %%EOF: truncated (an incomplete "
                                  "download?)") from exc
        raise
    text, title = repair_radicals(result["text"]), _useful_title(result.get("title"))
    if _needs_ocr(text):
        if options.ocr != "auto" or not ocr_available():
            raise NeedsOCR("needs OCR: scanned PDF without a text layer (install tesseract-ocr-chi-sim "
                           "and poppler-utils, then ingest again)")
        scanned = ScannedPDF("needs OCR: scanned PDF without a text layer")
        scanned.title = title
        raise scanned
    return Extracted(text=text, title=title, method="pdf")


def ocr_scanned(data: bytes, options: ExtractOptions, title: str | None) -> Extracted:
    """Read a scanned PDF with OCR (in the parent: pdftoppm and tesseract run as limited child processes)."""
    ocr_text = _ocr(data, options)
    if len(re.sub(r"\s", "", ocr_text)) < 10:
        raise NeedsOCR("needs OCR: OCR found no text in this scanned PDF")
    # tesseract puts spaces between Chinese characters; normalisation removes them
    return Extracted(text=ocr_text, title=title, method="ocr", warnings=("text from OCR (tesseract)",))
