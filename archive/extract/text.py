"""Plain text and Markdown: decoded without ever silently garbling a document.

Order: a file that is really a PDF, a zip, an image (magic bytes) is refused by name; a BOM (UTF-8,
UTF-16; a UTF-16 BOM in front of UTF-8 text is read as UTF-8, with a warning); valid UTF-8; lines in
both UTF-8 and GB18030 (decoded line by line, with a warning); otherwise charset-normalizer chooses
among GB18030 (never GBK: GB18030 is its superset), Big5 and cp1252, and a guess it cannot make
cleanly is refused. Any encoding other than UTF-8 is stated on the document as a warning.
"""

from __future__ import annotations

import codecs

from ..models import Extracted
from ..options import ExtractOptions
from .errors import ExtractionError

_BINARY = "binary data, not text (wrong file extension?)"
# what a file really is, by its first bytes: these are never text, whatever their name says
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"), (b"PK\x03\x04", "a zip file (.docx, .xlsx or .zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc, .xls) or a password-protected one"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"Rar!\x1a\x07", "a RAR archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"\x1f\x8b", "a gzip file"),
    (b"{\\rtf", "an RTF file"), (b"\x7fELF", "a program"),
)
_CANDIDATES = ["gb18030", "big5", "cp1252"]
_MAX_CHAOS = 0.2  # charset-normalizer's "mess" ratio above which a guess is refused
_MIN_CHARS = 2  # fewer visible characters than this is not a document (a file of one random byte)


def _too_many_controls(codes: list[int]) -> bool:
    control = sum(1 for c in codes if c < 32 and c not in (9, 10, 12, 13, 27))
    return control > len(codes) * 0.02


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB mean this is not a text file."""
    head = data[:8192]
    return b"\x00" in head or _too_many_controls(list(head))


def sniff(data: bytes) -> str | None:
    """What a file really is when its first bytes say it is not text ("a PDF file"), else None."""
    head = data[:16].lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _utf16(data: bytes) -> tuple[str, str]:
    rest = data[2:]
    if b"\x00" not in rest[:4096]:
        try:
            # real UTF-16 text is almost never valid UTF-8 (and ASCII in it has NUL bytes): a stray BOM
            return rest.decode("utf-8"), "utf-8 after a UTF-16 byte-order mark"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        # junk that happens to start with FF FE: strict decoding, or lone surrogates reach the store
        raise ExtractionError(f"cannot decode as UTF-16 (byte-order mark present; bad data at byte "
                              f"{exc.start})") from exc
    if "\x00" in text[:4096] or _too_many_controls([ord(c) for c in text[:4096]]):
        raise ExtractionError(_BINARY)
    return text, "utf-16"


def _mixed(data: bytes) -> tuple[str, str] | None:
    """Lines in UTF-8 and lines in GB18030 in one file (pasted together): each line decoded as itself."""
    lines = data.split(b"\n")
    utf8 = gb = 0
    out: list[str] = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            try:
                out.append(line.decode("gb18030"))
            except UnicodeDecodeError:
                return None
            gb += 1
    if not (utf8 and gb):
        return None
    return "\n".join(out), f"mixed encodings ({utf8} lines UTF-8, {gb} lines GB18030), decoded line by line"


def _guess(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise ExtractionError("cannot tell the text's encoding (not UTF-8; read as GB18030, Big5 or "
                              "Windows-1252 it is garbled): save it as UTF-8 and ingest again")
    encoding = codecs.lookup(best.encoding).name
    if encoding in ("gbk", "gb2312", "cp936"):
        encoding = "gb18030"  # GBK's superset: the same text, and no character GBK lacks is lost
    return data.decode(encoding), encoding


def decode(data: bytes) -> tuple[str, str]:
    """Decode text bytes; returns (text, encoding). GB text is read as gb18030, never gbk."""
    kind = sniff(data)
    if kind:
        raise ExtractionError(f"not text: the file is {kind} (wrong file extension?)")
    if data.startswith(b"\xef\xbb\xbf"):
        # a BOM in front of junk must not smuggle binary data in as text
        if looks_binary(data[3:]):
            raise ExtractionError(_BINARY)
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"not valid UTF-8 after a UTF-8 byte-order mark (byte {exc.start + 3}): "
                                  "save it as UTF-8 and ingest again") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(data)
    if looks_binary(data):
        raise ExtractionError(_BINARY)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _mixed(data) or _guess(data)


def extract_text(data: bytes, options: ExtractOptions) -> Extracted:
    """Decode a .txt or .md file."""
    text, encoding = decode(data)
    visible = len("".join(text.split()))
    if not visible:
        raise ExtractionError("empty file")
    if visible < _MIN_CHARS:
        raise ExtractionError(f"too little text to be a document ({visible} character)")
    warnings = (f"decoded as {encoding}",) if encoding not in ("utf-8", "utf-8-sig") else ()
    return Extracted(text=text, method="text", warnings=warnings)
