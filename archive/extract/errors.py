"""Extraction failures carry a reason written for the person running the ingest."""


class ExtractionError(Exception):
    """The file could not be turned into text; str(exc) says why."""


class NeedsOCR(ExtractionError):
    """A scanned PDF (no text layer) and no OCR available."""


class ScannedPDF(NeedsOCR):
    """A PDF without a text layer, found in the extraction child: the parent runs OCR (its own time limits)."""

    title: str | None = None
