"""parse_notice: header, sections, categories, numbered problems and measures of a rectification notice."""

from __future__ import annotations

import re

from .citations import find_citations
from .figures import find_dates, find_figures
from .models import Category, Measure, Notice, NoticeHeader, Problem
from .numerals import cn_to_int

_SECTION = re.compile(r"^([一二三四五六七八九十]{1,3})、\s*(.+)$")
_CATEGORY = re.compile(r"^\(([一二三四五六七八九十]{1,3})\)\s*(.*)$")
_PROBLEM = re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*(.+)$")
# 一是…二是…: not the 一是 inside 统一是/唯一是/单一是
_MARKER = re.compile(r"(?<![统唯单同逐第万之])([一二三四五六七八九十]{1,3})是(?![否非])")
_PROBLEM_TITLE = re.compile(r"^((?:针对|对于|关于|就)[^。]{0,120}?问题)(?:的整改(?:落实)?情况)?[。，,；;:：]?")
_SUB_ISSUE = re.compile(r"^(?:针对|对于|关于)[^。，,]{0,80}?问题[。，,：:]?")
_NEXT_ISSUE = re.compile(r"[。；;\n](?:关于|针对|对于)[^。]{0,80}?问题[。，,：:]")
_SENTENCE = re.compile(r"[^。！？；;]+[。！？；;]?")
_SIGN_DATE = re.compile(r"^(?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年.{1,6}月.{1,4}日$")
_COUNTS = re.compile(r"([一二两三四五六七八九十百\d]+个?方面[^。；;]{0,30}?问题(?:[^。；;,，]{0,20}?(?:建议|任务))?)")
_CONTACT = re.compile(r"^(?:联系|电话|邮政|邮箱|电子邮箱|来信|地址|传真|举报|网址)")
_KIND = re.compile(r"巡视|巡察")


def _ordinal_chain(text: str) -> list[tuple[int, int]]:
    """Positions of 一是, 二是, … that follow each other in order; a new 一是 restarts the chain."""
    out: list[tuple[int, int]] = []
    expected = 1
    for m in _MARKER.finditer(text):
        n = cn_to_int(m.group(1))
        if n == 1:
            expected = 1
        if n == expected:
            out.append((m.start(), n))
            expected += 1
    # a lone 一是 with no 二是 after it is prose, not a list
    return out if len(out) >= 2 else []


def _clean_measure(text: str) -> str:
    # a sub-issue heading (关于…问题。) that introduces the next list belongs to no measure
    text = text.strip()
    m = re.search(r"[。；;](?:关于|针对|对于)[^。]{0,80}?问题[。，,：:]?$", text)
    return text[: m.start() + 1] if m else text


def _measures(body: str, year: int | None) -> tuple[Measure, ...]:
    """Split a problem's body into measures: 一是/二是 segments, and the other sentences that act."""
    chain = _ordinal_chain(body)
    pieces: list[str] = []
    if chain:
        starts = [p for p, _ in chain] + [len(body)]
        lead = body[: starts[0]]
        pieces.extend(_sentences(lead))
        for i in range(len(chain)):
            segment = body[starts[i]: starts[i + 1]]
            # a new sub-issue (。关于…问题,) inside the last list item starts unmarked measures
            cut = _NEXT_ISSUE.search(segment)
            if cut and i == len(chain) - 1:
                pieces.append(segment[: cut.start() + 1])
                pieces.extend(_sentences(segment[cut.start() + 1:]))
            else:
                pieces.append(_clean_measure(segment))
    else:
        pieces.extend(_sentences(body))
    out = []
    for text in pieces:
        text = text.strip(" ,，;；\n")
        if len(text) < 4:
            continue
        out.append(Measure(number=len(out) + 1, text=text, citations=find_citations(text),
                           figures=find_figures(text, year)))
    return tuple(out)


def _sentences(text: str) -> list[str]:
    """Sentences that say what was done; bare sub-issue headings (关于…问题。) are dropped."""
    out = []
    for line in text.split("\n"):
        for s in _SENTENCE.findall(line):
            s = _SUB_ISSUE.sub("", s.strip()) if _SUB_ISSUE.match(s.strip()) else s.strip()
            if len(s.strip(" ,，。;；")) >= 6:
                out.append(s)
    return out


def _problem(number: int, lines: list[str], year: int | None) -> Problem:
    first = lines[0]
    m = _PROBLEM_TITLE.match(first)
    if m:
        title, rest = m.group(1), first[m.end():]
    elif "。" in first:
        title, rest = first.split("。", 1)
    else:
        title, rest = first, ""
    title = title.strip(" ,，。")
    body = "\n".join([rest] + lines[1:]).strip()
    text = "\n".join(lines)
    return Problem(number=number, title=title, text=f"{number}.{text}",
                   citations=find_citations(text), figures=find_figures(text, year),
                   measures=_measures(body, year))


def _header(lead: str, full: str) -> NoticeHeader:
    dates = find_dates(lead)
    start = end = None
    period = re.search(r"(\d{4}年\d{1,2}月\d{1,2}日)\s*(?:至|—|-|到)\s*((?:\d{4}年)?\d{1,2}月\d{1,2}日)", lead)
    if period:
        span = find_dates(period.group(0))
        start, end = span[0].value, span[-1].value if len(span) > 1 else None
    body = None
    unit = None
    m = re.search(r"(?:日|,|，)\s*([^,，。;；]*?(?:巡察|巡视)[^,，。;；]*?组(?:\([^)]*\))?)\s*对\s*([^,，。]+?)\s*"
                  r"(?:进行了|开展了|开展|进行)", lead)
    if m:
        body, unit = m.group(1).strip(), m.group(2).strip()
    feedback = None
    for sentence in re.split(r"[。]", lead):
        if "反馈" in sentence:
            found = find_dates(sentence, int(start[:4]) if start else None)
            if found:
                feedback = found[0].value
                break
    counts = _COUNTS.search(full)
    if not (start or feedback) and dates:
        start = dates[0].value
    return NoticeHeader(inspected_unit=unit, inspecting_body=body, inspection_start=start, inspection_end=end,
                        feedback_date=feedback, stated_counts=counts.group(1) if counts else None)


def _signature(lines: list[str]) -> tuple[str | None, str | None, int]:
    """Publisher and date from the closing lines; returns how many trailing lines they occupy."""
    for i in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        if _SIGN_DATE.match(lines[i]):
            dates = find_dates(lines[i])
            publisher = lines[i - 1] if i > 0 and len(lines[i - 1]) <= 40 and not _CONTACT.match(lines[i - 1]) \
                and "。" not in lines[i - 1] else None
            return publisher, dates[0].value if dates else None, len(lines) - i + (1 if publisher else 0)
    return None, None, 0


def parse_notice(text: str, title: str | None = None) -> Notice:
    """Parse a normalised notice (one paragraph a line) into its header and problem tree."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip() and not ln.startswith("<!--")]
    warnings: list[str] = []
    publisher, published, tail = _signature(lines)
    body_lines = lines[: len(lines) - tail] if tail else lines
    if not title and body_lines and len(body_lines[0]) <= 80 and "通报" in body_lines[0] \
            and not body_lines[0].endswith("。"):
        title = body_lines[0].lstrip("# ")
        body_lines = body_lines[1:]
    first_section = next((i for i, ln in enumerate(body_lines) if _SECTION.match(ln)), len(body_lines))
    lead = "\n".join(body_lines[:first_section])
    header = _header(lead, text)
    year_src = header.feedback_date or header.inspection_start or published
    year = int(year_src[:4]) if year_src else None
    if not title:
        kind = (_KIND.search(text) or re.search("巡察", "巡察")).group()  # type: ignore[union-attr]
        title = f"{publisher or '(未署名)'}关于{kind}整改情况的通报"
        warnings.append("no title line: title composed from the signature")
    if not publisher:
        warnings.append("no signature (publisher and date) found at the end")

    # group lines: section → category → problem
    sections: list[tuple[int, str]] = []
    blocks: list[dict] = []  # one per section: {"number", "title", "cats": [[cat_no, title, lines, problems]]}
    for ln in body_lines[first_section:]:
        if _CONTACT.match(ln) or ln.startswith("欢迎广大"):
            continue
        if m := _SECTION.match(ln):
            number = cn_to_int(m.group(1)) or len(sections) + 1
            sections.append((number, m.group(2).strip()))
            blocks.append({"number": number, "title": m.group(2).strip(), "cats": [[0, "", [], []]]})
        elif not blocks:
            continue
        elif m := _CATEGORY.match(ln):
            blocks[-1]["cats"].append([cn_to_int(m.group(1)) or 0, m.group(2).strip(), [], []])
        elif m := _PROBLEM.match(ln):
            blocks[-1]["cats"][-1][3].append((int(m.group(1)), [m.group(2).strip()]))
        else:
            cat = blocks[-1]["cats"][-1]
            (cat[3][-1][1] if cat[3] else cat[2]).append(ln)

    categories: list[Category] = []
    for block in blocks:
        if not any(cat[3] for cat in block["cats"]):
            continue  # a prose section (how the work was organised, next steps): no problem categories
        for number, heading, prose, problems in block["cats"]:
            if number == 0 and not problems:
                continue
            if number == 0:
                heading = block["title"]
            ctitle, _, rest = heading.partition("。")
            ctext = "\n".join(([rest] if rest else []) + prose)
            parsed = tuple(_problem(n, pl, year) for n, pl in problems)
            chain = _ordinal_chain(ctext) if not parsed else []
            if chain:
                # a category that lists its measures (一是…) without numbered problems: one unnumbered
                # problem (0); the paragraph before 一是 introduces the category and is not a measure
                listed = ctext[chain[0][0]:]
                parsed = (Problem(number=0, title=ctitle.strip(), text=listed, citations=find_citations(listed),
                                  figures=find_figures(listed, year), measures=_measures(listed, year)),)
            categories.append(Category(
                number=number, title=ctitle.strip(), section=block["number"], section_title=block["title"],
                text=ctext, problems=parsed))
    if not categories:
        warnings.append("no numbered problems found")
    return Notice(title=title, header=header, publisher=publisher, published=published,
                  sections=tuple(sections), categories=tuple(categories), citations=find_citations(text),
                  figures=find_figures(lead, year), warnings=tuple(warnings))
