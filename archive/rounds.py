"""A unit's notices grouped by inspection round and ordered (issue 30 §2). Pure: records in, placements out.

A round is one inspection of one unit: its number (第X轮), inspecting body, inspection dates and feedback
date. A notice that states its round (the header's `round_no`, or 第X轮 in its title) is placed by it; a
notice that does not (a progress report giving only the feedback date) joins the round whose feedback or
inspection dates it repeats, else the latest round before its own date, and its placement carries a warning
saying the round was inferred. A 巡察“回头看” is a round of its own, after the round it revisits. Within a round
the reports run feedback → rectification report → progress reports (by their 截至 date), then the next round.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .kinds import ReportStage
from .numerals import cn_to_int

_ROUND = re.compile(r"第([〇零一二三四五六七八九十百两\d]+)轮")
_AS_OF = re.compile(r"截至(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")
STAGE_RANK = {ReportStage.FEEDBACK: 0, ReportStage.RECTIFICATION: 1, ReportStage.PROGRESS: 2, ReportStage.REVISIT: 3}


@dataclass(frozen=True, slots=True)
class RoundNotice:
    """What placing a notice needs: its dates, its stated round and its kind of report."""

    doc_id: str
    title: str
    round_no: int | None = None
    round_label: str | None = None
    inspecting_body: str | None = None
    inspection_start: str | None = None
    inspection_end: str | None = None
    feedback_date: str | None = None
    stage: ReportStage = ReportStage.RECTIFICATION
    revisit: bool = False
    as_of: str | None = None  # 截至… of a progress report
    published: str | None = None

    @property
    def date(self) -> str:
        """The date the notice speaks for: its 截至 date, publication, feedback, inspection (or '')."""
        return self.as_of or self.published or self.feedback_date or self.inspection_end or self.inspection_start or ""


@dataclass(frozen=True, slots=True)
class Placement:
    """A notice's place in its unit's history: round key and label, order within the unit, whether inferred."""

    doc_id: str
    round_key: str  # "r5" (第五轮), "r5-revisit", "d2022-06-30" (a round known by its dates only)
    round_label: str
    round_no: int | None
    stage: ReportStage
    order: int  # 0-based position among the unit's notices
    inferred: bool
    warning: str | None = None


def round_number(text: str) -> int | None:
    """第五轮 → 5 (the first 第X轮 of a title or header sentence), else None."""
    m = _ROUND.search(text or "")
    if not m:
        return None
    return cn_to_int(m.group(1))


def stage_of(title: str, stated: str | None = None) -> ReportStage:
    """The kind of report: the header's stated stage, else read from the title (回头看, 进展, 反馈意见)."""
    if stated:
        try:
            return ReportStage(stated)
        except ValueError:
            pass
    if "回头看" in title:
        return ReportStage.REVISIT
    if "进展" in title:
        return ReportStage.PROGRESS
    if "反馈" in title and "整改" not in title:
        return ReportStage.FEEDBACK
    return ReportStage.RECTIFICATION


def as_of_date(text: str) -> str | None:
    """截至2019年12月 → 2019-12 (截至…日 → the full date): how far a progress report speaks."""
    m = _AS_OF.search(text or "")
    if not m:
        return None
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}" + (f"-{int(d):02d}" if d else "")


@dataclass
class _Round:
    key: str
    label: str
    number: int | None
    revisit: bool
    feedback: set[str]
    starts: set[str]
    first: str


def _label(number: int | None, revisit: bool, date: str) -> str:
    base = f"第{number}轮" if number else (f"{date[:4]}年巡察" if date else "巡察")
    return base + ("“回头看”" if revisit else "")


def place(notices: Sequence[RoundNotice]) -> list[Placement]:
    """One unit's notices → their placements, in round order (the order every timeline shows)."""
    rounds: dict[str, _Round] = {}
    stated: dict[str, str] = {}
    for n in notices:  # first the notices that say which round they answer
        revisit = n.revisit or n.stage == ReportStage.REVISIT
        if n.round_no is None and not revisit:
            continue
        anchor = n.inspection_start or n.feedback_date or n.date
        key = f"r{n.round_no}" if n.round_no is not None else f"d{anchor}"
        key += "-revisit" if revisit else ""
        r = rounds.setdefault(key, _Round(key, n.round_label or _label(n.round_no, revisit, anchor), n.round_no,
                                          revisit, set(), set(), anchor))
        r.feedback.update(x for x in (n.feedback_date,) if x)
        r.starts.update(x for x in (n.inspection_start,) if x)
        r.first = min(r.first or anchor, anchor or r.first)
        stated[n.doc_id] = key
    inferred: dict[str, str] = {}
    for n in notices:
        if n.doc_id in stated:
            continue
        same = [r for r in rounds.values() if not r.revisit and
                ((n.feedback_date and n.feedback_date in r.feedback) or
                 (n.inspection_start and n.inspection_start in r.starts))]
        if same:
            inferred[n.doc_id] = same[0].key
            continue
        before = sorted((r for r in rounds.values() if r.first and r.first <= n.date), key=lambda r: r.first)
        if before and n.stage == ReportStage.PROGRESS:
            inferred[n.doc_id] = before[-1].key
            continue
        anchor = n.inspection_start or n.feedback_date or n.date
        key = f"d{anchor}"
        rounds.setdefault(key, _Round(key, _label(None, False, anchor), None, False,
                                      {n.feedback_date} - {None}, {n.inspection_start} - {None}, anchor))
        inferred[n.doc_id] = key
    order = sorted(rounds.values(), key=lambda r: (r.first or "9999", r.revisit, r.number or 0))
    rank = {r.key: i for i, r in enumerate(order)}
    by_doc = {n.doc_id: n for n in notices}

    def sort_key(n: RoundNotice) -> tuple:
        key = stated.get(n.doc_id) or inferred[n.doc_id]
        return rank[key], STAGE_RANK[n.stage], n.date, n.doc_id

    out = []
    for i, n in enumerate(sorted(notices, key=sort_key)):
        key = stated.get(n.doc_id) or inferred[n.doc_id]
        r = rounds[key]
        guessed = n.doc_id not in stated
        why = None
        if guessed:
            basis = ("its feedback date " + n.feedback_date) if n.feedback_date and n.feedback_date in r.feedback \
                else ("its inspection dates" if n.inspection_start in r.starts else f"its date {n.date or '(none)'}")
            why = f"round inferred: the notice names no round; placed in {r.label} by {basis}"
        out.append(Placement(n.doc_id, key, r.label, r.number, by_doc[n.doc_id].stage, i, guessed, why))
    return out
