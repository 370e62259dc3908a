"""The problem level of a notice: a numbered problem's title, its (1)(2) sub-problems, its measures and status.

Measures are marked in many ways: 一是…二是…, 第一，…第二，…, ①②③, (1)(2) lines, 1.…；2.… lines under a
problem that is itself a (一) heading; without markers every sentence that acts is one measure.
"""

from __future__ import annotations

import re

from .citations import find_citations
from .figures import find_figures
from .models import Measure, Problem
from .numerals import cn_to_int
from .progress import problem_status, status_sentence

# 一是…二是…: not the 一是 inside 统一是/唯一是/单一是
_MARKER = re.compile(r"(?<![统唯单同逐第万之])([一二三四五六七八九十]{1,3})是(?![否非])")
# 第一，…第二，…: only with the punctuation after it (第一议题, 第一时间 are words)
_ORDINAL = re.compile(r"(?:^|(?<=[。；;:：\n]))第([一二三四五六七八九十]{1,3})[,，、:：]")
_CIRCLED = re.compile(r"[\u2460-\u2473]")
_PAREN_INLINE = re.compile(r"(?:^|(?<=[。；;:：\n]))\((\d{1,2})\)")
# the title ends at a 问题 that ends the heading (关于“问题处置不及时”问题 has a 问题 inside its quotes)
PROBLEM_TITLE = re.compile(r"^((?:针对|对于|关于|就)[^。]{0,120}?问题)(?:的整改(?:落实)?情况|的整改)?(?:[。，,；;:：]|$)")
SUB_LINE = re.compile(r"^\((\d{1,2})\)\s*(.*)$")
# after an item number, not a decimal (1.5万元 is a figure, not item 1), but a year may follow (4.2022年…: item 4)
NOT_DECIMAL = r"(?!(?!(?:19|20)\d{2}年)\d)"
NUM_LINE = re.compile(rf"^(\d{{1,3}})\s*[.、]{NOT_DECIMAL}\s*(.+)$")
_SUB_ISSUE = re.compile(r"^(?:针对|对于|关于)[^。，,]{0,80}?问题[。，,：:]?")
_NEXT_ISSUE = re.compile(r"[。；;\n](?:关于|针对|对于)[^。]{0,80}?问题[。，,：:]")
_SENTENCE = re.compile(r"[^。！？；;]+[。！？；;]?")
# 整改情况：/ 整改措施： introduce the measures and are none
_LABEL = re.compile(r"^(?:主要)?(?:整改情况|整改措施|整改举措|整改落实情况|整改成效|具体措施|落实情况)\s*[:：]\s*")


def is_problem_heading(heading: str) -> bool:
    """关于…问题 / …的问题 / …问题的整改: a problem, not a 方面 category (关于…方面问题的整改落实情况)."""
    head = re.split(r"[。]", heading, maxsplit=1)[0].strip(" ,，:：;；")
    m = re.search(r"问题(?:的整改(?:落实)?(?:情况)?)?$", head)
    return bool(m) and "方面" not in head[max(0, m.start() - 6): m.start()] and len(head) <= 120


def _chain(text: str, pattern: re.Pattern[str], number) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Positions of markers numbered 1, 2, 3… in order; a new 1 restarts the chain."""
    out: list[tuple[int, int]] = []
    expected = 1
    for m in pattern.finditer(text):
        n = number(m)
        if n == 1:
            expected = 1
        if n == expected:
            out.append((m.start(), n))
            expected += 1
    # a lone 一是 with no 二是 after it is prose, not a list
    return out if len(out) >= 2 else []


def ordinal_chain(text: str) -> list[tuple[int, int]]:
    """The first kind of measure list found: 一是…, then 第一，…, ①…, (1)…."""
    for pattern, number in ((_MARKER, lambda m: cn_to_int(m.group(1))),
                            (_ORDINAL, lambda m: cn_to_int(m.group(1))),
                            (_CIRCLED, lambda m: ord(m.group()) - 0x2460 + 1),
                            (_PAREN_INLINE, lambda m: int(m.group(1)))):
        chain = _chain(text, pattern, number)
        if chain:
            return chain
    return []


def _clean_measure(text: str) -> str:
    # a sub-issue heading (关于…问题。) that introduces the next list belongs to no measure
    text = text.strip()
    m = re.search(r"[。；;](?:关于|针对|对于)[^。]{0,80}?问题[。，,：:]?$", text)
    return text[: m.start() + 1] if m else text


def sentences(text: str) -> list[str]:
    """Sentences that say what was done; bare sub-issue headings (关于…问题。) are dropped."""
    out = []
    for line in text.split("\n"):
        line = _LABEL.sub("", line)
        for s in _SENTENCE.findall(line):
            s = _LABEL.sub("", s.strip())  # a label mid-line too (…外县。整改情况：追缴…)
            s = _SUB_ISSUE.sub("", s) if _SUB_ISSUE.match(s) else s
            if len(s.strip(" ,，。;；")) >= 6:
                out.append(s)
    return out


def _drop_status(piece: str, status_sentences: list[str]) -> str:
    """A measure without the status sentence that ends it (…。已完成整改。)."""
    for s in status_sentences:
        if piece.endswith(s) and len(piece) > len(s):
            return piece[: -len(s)]
        if piece.strip() == s:
            return ""
    return piece


def measures(body: str, year: int | None, status_sentences: list[str] = ()) -> tuple[Measure, ...]:  # type: ignore[assignment]
    """Split a problem's body into measures: marked segments, and the other sentences that act."""
    chain = ordinal_chain(body)
    pieces: list[str] = []
    if chain:
        starts = [p for p, _ in chain] + [len(body)]
        pieces.extend(_acting(body[: starts[0]]))
        for i in range(len(chain)):
            segment = body[starts[i]: starts[i + 1]]
            # a new sub-issue (。关于…问题,) inside the last list item starts unmarked measures
            cut = _NEXT_ISSUE.search(segment)
            if cut and i == len(chain) - 1:
                pieces.append(segment[: cut.start() + 1])
                pieces.extend(sentences(segment[cut.start() + 1:]))
            else:
                pieces.append(_clean_measure(segment))
    else:
        pieces.extend(_acting(body))
    return _numbered(pieces, year, list(status_sentences))


# what the inspectors found, restated before the measures: 巡察指出，… / 经查，… / 存在问题：…, or whatever stands before a
# 整改措施： label (1、…的问题。<the finding>。整改措施：一是…): the problem's text, not a measure
_FINDING = re.compile(r"^(?:巡察(?:组)?(?:指出|发现|反馈)|巡视(?:组)?(?:指出|发现|反馈)|反馈(?:指出|意见指出)|经查|经核查|"
                      r"存在问题|问题表现|具体表现|主要表现)")
_MEASURES_LABEL = re.compile(r"(?:主要)?(?:整改措施|整改举措|具体措施)\s*[:：]")  # not 整改情况：, often the progress


_PROGRESS_LABEL = re.compile(r"(?:整改情况|整改落实情况)\s*[:：]")


def _acting(text: str) -> list[str]:
    """The sentences of a problem's text outside its numbered measures that act: after a 整改措施： label when one
    follows the finding; after a 整改情况： label when what it introduces is more than a status (<the finding>。整改情况：
    <what was done>; not 修订制度。整改情况：已完成。); and none that restates the finding (巡察指出…)."""
    said = None
    label = _MEASURES_LABEL.search(text) or _PROGRESS_LABEL.search(text)
    if label and label.start() > 0:
        after = sentences(text[label.start():])  # the label itself is stripped (_LABEL)
        if label.re is _MEASURES_LABEL or any(status_sentence(x) is None for x in after):
            said = after
    return [x for x in (sentences(text) if said is None else said) if not _FINDING.match(x.strip())]


def _numbered(pieces: list[str], year: int | None, status_sentences: list[str]) -> tuple[Measure, ...]:
    out = []
    for text in pieces:
        text = _drop_status(text.strip(" ,，;；\n"), status_sentences).strip(" ,，;；\n")
        if len(text) < 4 or text in status_sentences:
            continue
        out.append(Measure(number=len(out) + 1, text=text, citations=find_citations(text),
                           figures=find_figures(text, year)))
    return tuple(out)


def line_measures(lead: str, items: list[list[str]], year: int | None,
                  status_sentences: list[str]) -> tuple[Measure, ...]:
    """Measures given one a line ((1)… lines, or 1.… lines under a (一) problem): each item is one measure."""
    pieces = sentences(lead) + ["\n".join(item) for item in items]
    return _numbered(pieces, year, status_sentences)


# a (2) sub-problem run on in its predecessor's paragraph (…。已完成整改。(2)关于“…”问题。整改情况：…), as pages and
# PDFs join them: only before problem wording, for (1)(2) measures inline are no sub-problems. The sentence before
# may lack its full stop (…已销号(2)关于…): the number must then still follow on from the one before
_INLINE_SUB = re.compile(r"(?<=[。；;\u4e00-\u9fff])\s*(?=\(\d{1,2}\)\s*(?:关于|针对|对于)[^。]{0,80}?问题)")


def _split_inline_subs(lines: list[str]) -> list[str]:
    """Each run-on sub-problem on a line of its own, where its number follows on from the one before."""
    out: list[str] = []
    last = 0
    for ln in lines:
        if m := SUB_LINE.match(ln):
            last = int(m.group(1))
        start = 0
        for cut in _INLINE_SUB.finditer(ln):
            number = int(re.match(r"\s*\((\d{1,2})\)", ln[cut.end():]).group(1))  # type: ignore[union-attr]
            if number == last + 1 and cut.start() > start:
                out.append(ln[start:cut.start()])
                start, last = cut.end(), number
        out.append(ln[start:])
    return [ln for ln in out if ln.strip()]


def _title_and_rest(first: str) -> tuple[str, str]:
    m = PROBLEM_TITLE.match(first)
    if m:
        return m.group(1), first[m.end():]
    if "。" in first:
        title, rest = first.split("。", 1)
        return title, rest
    return first, ""


def _groups(lines: list[str], pattern: re.Pattern[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Lines before the first numbered line, and the numbered lines (1, 2, 3… in order) with what follows each."""
    lead: list[str] = []
    groups: list[tuple[int, list[str]]] = []
    for ln in lines:
        m = pattern.match(ln)
        if m and int(m.group(1)) == len(groups) + 1:
            groups.append((int(m.group(1)), [ln]))
        elif groups:
            groups[-1][1].append(ln)
        else:
            lead.append(ln)
    return lead, groups


def build_problem(number: int, lines: list[str], year: int | None, measure_lines: re.Pattern[str] | None = None,
                  title: str | None = None, raw_first: str | None = None) -> Problem:
    """One problem from its lines (the first holds the title, as written with its marker stripped).

    lines[0] is the heading without its number; the problem's text is the lines as written (raw_first has
    the first one with its number).
    measure_lines: a marker whose lines are one measure each (1. under a (一) problem).
    """
    first = lines[0]
    head, rest = _title_and_rest(first)
    head = (title or head).strip(" ,，。")
    lines = [first, *_split_inline_subs(lines[1:])]
    body_lines = _split_inline_subs([rest]) + lines[1:]
    text = "\n".join([raw_first or first] + lines[1:])
    # (1)(2) lines: sub-problems when they are problems themselves (关于“…”问题。), else one measure a line
    lead, subs = _groups(body_lines, SUB_LINE)
    if subs and not is_problem_heading(SUB_LINE.match(subs[0][1][0]).group(2)):  # type: ignore[union-attr]
        measure_lines = measure_lines or SUB_LINE
    if subs and measure_lines is None:
        lead_body = "\n".join(lead)
        status, deadline, said = problem_status(lead_body)
        children = tuple(build_problem(n, [SUB_LINE.match(g[0]).group(2)] + g[1:], year,  # type: ignore[union-attr]
                                       raw_first=g[0]) for n, g in subs)
        # its own text is its heading and what precedes the sub-problems, which hold theirs
        own = "\n".join([raw_first or first] + lines[1: 1 + len(lead) - (1 if rest.strip() else 0)])
        return Problem(number=number, title=head, text=own, citations=find_citations(own),
                       figures=find_figures(own, year), measures=measures(lead_body, year, said),
                       status=status, deadline=deadline, subproblems=children)
    body = "\n".join(body_lines)
    status, deadline, said = problem_status(body)
    if measure_lines is not None:
        lead, items = _groups(body_lines, measure_lines)
        found = line_measures("\n".join(lead), [g for _, g in items], year, said) if items else measures(body, year, said)
    else:
        found = measures(body, year, said)
    return Problem(number=number, title=head, text=text, citations=find_citations(text),
                   figures=find_figures(text, year), measures=found, status=status, deadline=deadline)
