"""Normalisation that search needs and that keeps the text readable.

The character fold is one character to one character, so the indexer applies the very same
table at analysis time and highlight offsets still land on the stored text.
"""

from __future__ import annotations

import re
from collections import Counter

from .radicals import RADICALS


def _build_fold() -> dict[int, str]:
    table: dict[int, str] = {}
    # full-width ASCII letters and digits → half-width; Chinese punctuation (，。：；) stays
    for cp in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):
        table[cp] = chr(cp - 0xFEE0)
    table.update({0xFF08: "(", 0xFF09: ")", 0xFF05: "%", 0xFF0E: ".", 0x2236: ":"})
    # browser-printed PDFs map CJK glyphs to Kangxi / supplement radicals (⾼ for 高, ⻋ for 车): fold those only
    table.update(RADICALS)
    for cp in (0x00A0, 0x2002, 0x2003, 0x2009, 0x3000):
        table[cp] = " "
    return table


FOLD = _build_fold()
# any character the fold changes: most stored texts (folded at ingest) have none, and finding that out is
# about twenty times faster than str.translate's per-character table lookups (3 ms on 50,000 characters)
_FOLDABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(FOLD)) + "]")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f\u2014\u2026"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}{_CJK_PUNCT}]) +(?=[{_CJK}{_CJK_PUNCT}])")
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|\d{1,4}|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?"
                          r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$", re.I)
# a line starting with one of these begins a new paragraph even inside a wrapped block
_STRUCTURE = re.compile(r"^(?:第[一二三四五六七八九十百千零〇\d]+[章节条编]|[一二三四五六七八九十]+、|"
                        r"\([一二三四五六七八九十]+\)|\d+[.、．]|[一二三四五六七八九十]+是|#|<!--)")
_SENTENCE_END = "。！？；：”」』)》…"


_LABEL = re.compile(r"^(#{0,6} ?第[一二三四五六七八九十百千零〇\d]+[章节条编](?:之[一二三四五六七八九十]+)?) +")


def _tidy_spaces(line: str) -> str:
    """Drop spaces between Chinese characters, but keep the one after 第一章 / 第一条 that readers expect."""
    m = _LABEL.match(line)
    head, rest = (m.group(1) + " ", line[m.end():]) if m else ("", line)
    return head + re.sub(r" {2,}", " ", _SPACE_BETWEEN_CJK.sub("", rest))


def fold_chars(text: str) -> str:
    """The length-preserving character fold shared with the tokenizer."""
    return text.translate(FOLD) if _FOLDABLE.search(text) else text


def _strip_page_furniture(pages: list[list[str]]) -> list[str]:
    """Drop page numbers and running headers/footers that repeat across form-feed pages."""
    edges: Counter[str] = Counter()
    for lines in pages:
        content = [ln for ln in lines if ln.strip()]
        edges.update({ln.strip() for ln in content[:2] + content[-2:]})
    running = {ln for ln, n in edges.items() if len(pages) >= 2 and n >= max(2, len(pages) // 2) and len(ln) <= 40}
    out: list[str] = []
    for lines in pages:
        out.extend(ln for ln in lines if ln.strip() not in running and not _PAGE_NUMBER.match(ln))
    return out


def _reflow(lines: list[str]) -> list[str]:
    """Join lines wrapped inside a sentence (PDF layout) without adding spaces."""
    lengths = [len(ln) for ln in lines if len(ln) >= 10]
    if len(lengths) < 3:
        return lines
    width = Counter(lengths).most_common(1)[0][0]
    out: list[str] = []
    for ln in lines:
        if (out and out[-1] and ln and not _STRUCTURE.match(ln)
                and out[-1][-1] not in _SENTENCE_END and len(out[-1]) >= 0.75 * width
                and out[-1].count("\n") == 0 and _wrapped(out[-1])):
            out[-1] = out[-1] + ln if not (out[-1][-1].isascii() and ln[0].isascii()) else out[-1] + " " + ln
        else:
            out.append(ln)
    return out


def _wrapped(line: str) -> bool:
    # a wrapped line was cut at the page width; structural headings are short and stand alone
    return not line.startswith("#")


def normalize(text: str, reflow: bool = False) -> str:
    """Normalise extracted text: fold characters, tidy spaces, drop page furniture, one paragraph a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    text = fold_chars(text).replace("\t", " ")
    text = _CONTROL.sub(lambda m: "\f" if m.group() == "\f" else "", text)
    pages = [[ln.strip() for ln in page.split("\n")] for page in text.split("\f")]
    if len(pages) > 1:
        lines = _strip_page_furniture(pages)
    else:
        lines = pages[0]
    lines = [_tidy_spaces(ln) for ln in lines]
    lines = [ln for ln in lines if ln]
    if reflow:
        lines = _reflow(lines)
    return "\n".join(lines)
