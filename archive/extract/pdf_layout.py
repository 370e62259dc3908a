"""A PDF's title by layout: the largest lines at the top of the first page, centred, joined when it wraps.

Browser-printed notices carry no title in the text's wording alone: the title wraps over two or three lines
that the reflow then joins onto the first paragraph. Its layout tells it: a larger font than the body, near
the top, centred. title_lines is pure (lines as Line boxes), so it is tested without pdfminer; page_lines
turns pdfminer's layout of a page into them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import Any

_CJK = re.compile(r"[\u4e00-\u9fff\u2e80-\u2fdf]")
_MIN_RATIO = 1.15  # the title's font is at least this much larger than the body's
_TOP = 0.5  # it starts in the upper half of the first page
_CENTRE = 0.08  # a centred line's middle lies within this share of the page width of the page's middle
_MAX_TITLE = 120


@dataclass(frozen=True, slots=True)
class Line:
    """One text line of a page: its text, font size (points) and box (PDF coordinates, y upwards)."""

    text: str
    size: float
    x0: float
    x1: float
    y0: float
    y1: float


def _centred(line: Line, width: float) -> bool:
    return abs((line.x0 + line.x1) / 2 - width / 2) <= _CENTRE * width


def title_lines(lines: list[Line], width: float, height: float) -> list[Line]:
    """The lines that make the page's title: the top-most run of lines in the largest font, in the upper half,
    larger than the body and centred; a title wrapped onto more lines is the run of them, each close under
    the one before. [] when the layout shows no title (one font size, or nothing centred at the top)."""
    lines = [ln for ln in lines if ln.text.strip()]
    if len(lines) < 2:
        return []
    chars = [ln.size for ln in lines for _ in range(len(ln.text.strip()))]
    body = median(chars)
    top = [ln for ln in lines if ln.y1 >= height * (1 - _TOP)]
    if not top:
        return []
    largest = max(ln.size for ln in top)
    if largest < body * _MIN_RATIO:
        return []
    ordered = sorted(top, key=lambda ln: -ln.y1)
    first = next(i for i, ln in enumerate(ordered) if ln.size >= largest * 0.95)
    run = [ordered[first]]
    for ln in ordered[first + 1:]:
        prev = run[-1]
        gap = prev.y0 - ln.y1
        if ln.size < largest * 0.95 or gap > (prev.y1 - prev.y0) * 1.5:
            break
        run.append(ln)
    if not all(_centred(ln, width) for ln in run):
        return []
    text = "".join(ln.text.strip() for ln in run)
    if len(_CJK.findall(text)) < 4 or len(text) > _MAX_TITLE:
        return []
    return run


def join_title(run: list[Line]) -> str:
    """The title a run of wrapped lines spells (a wrap adds no space between Chinese characters)."""
    out = ""
    for ln in run:
        piece = ln.text.strip()
        out += " " + piece if out and out[-1].isascii() and out[-1].isalnum() and piece[:1].isascii() else piece
    return out


def page_lines(page: Any) -> list[Line]:
    """pdfminer's LTPage as Lines (each line's font size is its characters' median size)."""
    from pdfminer.layout import LTChar, LTTextLine

    out: list[Line] = []
    stack = [page]
    while stack:
        item = stack.pop()
        if isinstance(item, LTTextLine):
            sizes = [ch.size for ch in item if isinstance(ch, LTChar)]
            if sizes:
                out.append(Line(item.get_text().strip(), median(sizes), item.x0, item.x1, item.y0, item.y1))
        elif hasattr(item, "__iter__"):
            stack.extend(item)
    return out
