"""PDF: the text layer via pdfminer in a limited child process; OCR when there is none."""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


from ..models import Extracted
from ..options import ExtractOptions
from .errors import ExtractionError, NeedsOCR
from ..radicals import repair_radicals

_CID = re.compile(r"\(cid:\d+\)")
# metadata titles that name the file or the program, not the document
_OFFICE_PREFIX = re.compile(r"^(?:microsoft\s+(?:word|excel|powerpoint)|wps\s*\w*)\s*-\s*", re.I)
_FILE_SUFFIX = re.compile(r"\.(?:s?html?|docx?|wps|pdf|txt|rtf|xlsx?|pptx?)$", re.I)
_PLACEHOLDER = re.compile(r"^(?:untitled|无标题|document\s*\d*|文档\s*\d*|新建.*文档.*)$", re.I)


def _limits(memory_mb: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def _run_worker(data: bytes, options: ExtractOptions) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "archive.extract.pdf_worker"], input=data, capture_output=True,
            timeout=options.timeout_s, preexec_fn=_limits(options.memory_mb), check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"PDF extraction timed out after {options.timeout_s:g} s") from exc
    if proc.returncode != 0 or not proc.stdout:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        if "MemoryError" in tail[0] or proc.returncode < 0:
            raise ExtractionError(f"PDF extraction ran out of memory or crashed "
                                  f"(limit {options.memory_mb} MB, exit {proc.returncode})")
        raise ExtractionError(f"PDF extraction failed: {tail[0][:200]}")
    return json.loads(proc.stdout.decode("utf-8"))


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
    """Extract a PDF's text layer; OCR scanned pages when tesseract chi_sim is installed."""
    if b"%PDF-" not in data[:1024]:  # readers accept a little junk before the header
        raise ExtractionError("not a PDF (no %PDF- header)")
    try:
        result = _run_worker(data, options)
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
        ocr_text = _ocr(data, options)
        if len(re.sub(r"\s", "", ocr_text)) < 10:
            raise NeedsOCR("needs OCR: OCR found no text in this scanned PDF")
        # tesseract puts spaces between Chinese characters; normalisation removes them
        return Extracted(text=ocr_text, title=title, method="ocr", warnings=("text from OCR (tesseract)",))
    return Extracted(text=text, title=title, method="pdf")
