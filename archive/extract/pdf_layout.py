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

from ..radicals import repair_radicals

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


# a red-header document's masthead (发文机关标志, …文件) and its number (…〔2023〕5号) are no title
_MASTHEAD = re.compile(r"(?:文件|[〔\[(]\d{4}[〕\])]\s*\d+\s*号)$")


def _run_from(ordered: list[Line], first: int, size: float) -> list[Line]:
    run = [ordered[first]]
    for ln in ordered[first + 1:]:
        prev = run[-1]
        if abs(ln.size - size) > size * 0.05 or prev.y0 - ln.y1 > (prev.y1 - prev.y0) * 1.5:
            break
        run.append(ln)
    return run


def title_lines(lines: list[Line], width: float, height: float) -> list[Line]:
    """The title's lines (find_title without the masthead)."""
    return find_title(lines, width, height)[0]


def find_title(lines: list[Line], width: float, height: float) -> tuple[list[Line], list[Line]]:
    """The lines that make the page's title: the top-most run of lines in the largest font, in the upper half,
    larger than the body and centred; a title wrapped onto more lines is the run of them, each close under
    the one before. A masthead (…文件) above it is passed over for the next largest run. [] when the layout
    shows no title (one font size, nothing centred at the top). Second: the masthead's lines passed over
    (the document's furniture: repeated in the signature, it would make the page-furniture filter drop that)."""
    lines = [ln for ln in lines if ln.text.strip()]
    masthead: list[Line] = []
    if len(lines) < 2:
        return [], masthead
    body = median(ln.size for ln in lines for _ in range(len(ln.text.strip())))
    ordered = sorted((ln for ln in lines if ln.y1 >= height * (1 - _TOP)), key=lambda ln: -ln.y1)
    sizes = sorted({round(ln.size * 2) / 2 for ln in ordered if ln.size >= body * _MIN_RATIO}, reverse=True)
    for size in sizes:
        at = [i for i, ln in enumerate(ordered) if abs(ln.size - size) <= size * 0.05]
        skip_to = -1
        for first in at:
            if first <= skip_to:
                continue
            run = _run_from(ordered, first, size)
            skip_to = first + len(run) - 1
            text = "".join(ln.text.strip() for ln in run)
            if _MASTHEAD.search(repair_radicals(text)):  # browsers print 文 as the radical ⽂
                masthead.extend(run)
                continue
            if not all(_centred(ln, width) for ln in run):
                break  # the largest of this size is not centred: a heading, not the title
            if len(_CJK.findall(text)) < 4 or len(text) > _MAX_TITLE:
                break
            return run, masthead
    return [], masthead


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
