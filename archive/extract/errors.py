"""Extraction failures carry a reason written for the person running the ingest."""


class ExtractionError(Exception):
    """The file could not be turned into text; str(exc) says why."""


class NeedsOCR(ExtractionError):
    """A scanned PDF (no text layer) and no OCR available."""
