"""pdfminer on one untrusted PDF, as a dict {ok, text, title} or {ok: False, reason}.

When the first page's layout shows a title (archive/extract/pdf_layout.py), the text opens with it as one
`# title` line (the form Markdown sources use), and its wrapped lines are taken out of the body, so the
reflow cannot join them onto the first paragraph; a red-header masthead above it (…文件) is dropped.

Called in the extraction child (archive/extract/sandbox.py), under its time and memory limits, so
whatever pdfminer does with a hostile file (raise anything, recurse, hang, balloon) stays in there.
"""

from __future__ import annotations

import io
import re

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _clean(text: str | None) -> str | None:
    # a broken ToUnicode map can yield lone surrogates: they cannot be encoded or stored
    return _SURROGATE.sub("\ufffd", text) if text else text


def _meta_title(data: bytes) -> str | None:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSLiteral
    from pdfminer.pdftypes import resolve1

    doc = PDFDocument(PDFParser(io.BytesIO(data)))
    for info in doc.info:
        raw = resolve1(info.get("Title"))
        if isinstance(raw, PSLiteral):
            raw = raw.name
        if isinstance(raw, bytes):
            if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
                return raw.decode("utf-16", errors="replace").strip() or None
            try:
                return raw.decode("utf-8").strip() or None
            except UnicodeDecodeError:
                return raw.decode("latin-1").strip() or None
        if isinstance(raw, str):
            return raw.strip() or None
    return None


def _with_title(data: bytes, text: str) -> str:
    """The text with the first page's title by layout as a `# ` line on top, or unchanged when none."""
    from pdfminer.high_level import extract_pages

    from .pdf_layout import find_title, join_title, page_lines

    page = next(iter(extract_pages(io.BytesIO(data), maxpages=1)), None)
    if page is None:
        return text
    run, masthead = find_title(page_lines(page), page.width, page.height)
    if not run:
        return text
    head, rest = text[:4000], text[4000:]
    for line in masthead + run:  # each line as pdfminer wrote it, first occurrence only
        piece = line.text.strip()
        at = head.find(piece)
        if at < 0:
            return text  # the layout and the text stream disagree: leave the text as it is
        head = head[:at] + head[at + len(piece):]
    return f"# {join_title(run)}\n\n{head}{rest}"


def read_pdf(data: bytes) -> dict:
    """Extract text (pages separated by form feeds) and the metadata title."""
    import logging
    import warnings

    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)  # pdfminer logs every odd object it meets
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # and warns about as many
        return _read(data)


def _read(data: bytes) -> dict:
    try:
        from pdfminer.high_level import extract_text

        text = extract_text(io.BytesIO(data))
        try:
            text = _with_title(data, text)
        except Exception:  # noqa: BLE001 - the layout is a refinement: the text stands without it
            pass
        try:
            title = _meta_title(data)
        except Exception:  # noqa: BLE001 - a broken Info dictionary must not lose the text we have
            title = None
        out = {"ok": True, "text": _clean(text), "title": _clean(title)}
    except RecursionError:
        out = {"ok": False, "reason": "damaged PDF: nesting too deep"}
    except MemoryError:
        out = {"ok": False, "reason": "PDF needs more memory than allowed"}
    except Exception as exc:  # noqa: BLE001 - report, don't crash: the parent turns this into a clear line
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            reason = "encrypted PDF (password required)"
        else:
            reason = f"damaged PDF ({name}: {str(exc)[:200]})"
        out = {"ok": False, "reason": reason}
    return out
