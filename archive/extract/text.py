"""Plain text and Markdown: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""

from __future__ import annotations


from ..models import Extracted
from ..options import ExtractOptions
from .errors import ExtractionError

_BINARY = "binary data, not text (wrong file extension?)"


def _too_many_controls(codes: list[int]) -> bool:
    control = sum(1 for c in codes if c < 32 and c not in (9, 10, 12, 13, 27))
    return control > len(codes) * 0.02


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB mean this is not a text file."""
    head = data[:8192]
    return b"\x00" in head or _too_many_controls(list(head))


def decode(data: bytes) -> tuple[str, str]:
    """Decode text bytes; returns (text, encoding). GB text is read as gb18030, never gbk."""
    if data.startswith(b"\xef\xbb\xbf"):
        # a BOM in front of junk must not smuggle binary data in as text
        if looks_binary(data[3:]):
            raise ExtractionError(_BINARY)
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            # junk that happens to start with FF FE: strict decoding, or lone surrogates reach the store
            raise ExtractionError(f"cannot decode as UTF-16 (byte-order mark present; bad data at byte "
                                  f"{exc.start})") from exc
        if "\x00" in text[:4096] or _too_many_controls([ord(c) for c in text[:4096]]):
            raise ExtractionError(_BINARY)
        return text, "utf-16"
    if looks_binary(data):
        raise ExtractionError(_BINARY)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"cannot decode as UTF-8 or GB18030 (byte {exc.start})") from exc


def extract_text(data: bytes, options: ExtractOptions) -> Extracted:
    """Decode a .txt or .md file."""
    text, encoding = decode(data)
    if not text.strip():
        raise ExtractionError("empty file")
    warnings = (f"decoded as {encoding}",) if encoding not in ("utf-8", "utf-8-sig") else ()
    return Extracted(text=text, method="text", warnings=warnings)
