"""Dates, money amounts, counts and percentages in a text, with machine-readable values."""

from __future__ import annotations

import re
from datetime import date

from .models import Figure
from .numerals import cn_to_int

_CN = "〇零○一二三四五六七八九十两"
_DATE_FULL = re.compile(r"(\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                        r"(?:\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?")
_DATE_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_YEAR_ONLY = re.compile(r"(?<!\d)(\d{4})年(?!\s*\d{1,2}\s*月|[一二三四五六七八九十]{1,3}月)")
_MONEY = re.compile(rf"(\d+(?:\.\d+)?|[{_CN}百千]+)\s*(亿|万|千)?\s*(元)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_COUNT_UNITS = "场次|人次|余次|次|场|名|人|家|个|项|条|份|篇|期|批|天|日|件|所|户|套|台|辆|本|册|处|起|例"
_COUNT = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?(?:万)?)\s*(?:多|余)?\s*({_COUNT_UNITS})")
_MULTIPLIER = {"亿": 100_000_000, "万": 10_000, "千": 1_000, None: 1}


def _iso(year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None or month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if not 1900 <= year <= 2100:
        return None
    if day is not None:
        try:
            date(year, month, day)  # 2月30日, 2021-02-29: not a date
        except ValueError:
            return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")


def parse_date(text: str, default_year: int | None = None) -> str | None:
    """The first date in text as ISO (YYYY-MM-DD, or YYYY-MM for a month)."""
    found = find_dates(text, default_year)
    return found[0].value if found else None


def find_dates(text: str, default_year: int | None = None) -> list[Figure]:
    """Every date in text; 7月30日 takes its year from the last full date before it (or default_year)."""
    spans: list[tuple[int, int, Figure]] = []
    for m in _DATE_FULL.finditer(text):
        iso = _iso(cn_to_int(m.group(1)), cn_to_int(m.group(2)), cn_to_int(m.group(3)) if m.group(3) else None)
        if iso:
            spans.append((m.start(), m.end(), Figure("date" if m.group(3) else "period", m.group(), iso)))
    for m in _DATE_ISO.finditer(text):
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            spans.append((m.start(), m.end(), Figure("date", m.group(), iso)))
    taken = [(s, e) for s, e, _ in spans]
    for m in _DATE_MONTH_DAY.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        prior = [f for s, _, f in spans if s < m.start()]
        year = int(prior[-1].value[:4]) if prior else default_year
        iso = _iso(year, cn_to_int(m.group(1)), cn_to_int(m.group(2)))
        if iso:
            spans.append((m.start(), m.end(), Figure("date", m.group(), iso)))
        spans.sort(key=lambda t: t[0])
    return [f for _, _, f in sorted(spans, key=lambda t: t[0])]


def find_money(text: str) -> list[Figure]:
    """Amounts of money: 20万元 → 200000."""
    out = []
    for m in _MONEY.finditer(text):
        raw = m.group(1)
        base = float(raw) if raw[0].isdecimal() else cn_to_int(raw)
        if base is None:
            continue
        value = base * _MULTIPLIER[m.group(2)]
        out.append(Figure("money", m.group(), f"{value:g}" if value < 1e15 else str(int(value)), "元"))
    return out


def find_figures(text: str, default_year: int | None = None) -> tuple[Figure, ...]:
    """Dates, amounts, counts and percentages in reading order, without overlaps."""
    found: list[tuple[int, Figure]] = []
    used: list[tuple[int, int]] = []

    def add(start: int, end: int, fig: Figure) -> None:
        if not any(s < end and start < e for s, e in used):
            used.append((start, end))
            found.append((start, fig))

    for fig in find_dates(text, default_year):
        start = text.find(fig.text)
        add(start, start + len(fig.text), fig)
    for m in _MONEY.finditer(text):
        money = find_money(m.group())
        if money:
            add(m.start(), m.end(), money[0])
    for m in _PERCENT.finditer(text):
        add(m.start(), m.end(), Figure("percent", m.group(), m.group(1), "%"))
    for m in _COUNT.finditer(text):
        raw = m.group(1)
        value = float(raw[:-1]) * 10_000 if raw.endswith("万") else float(raw)
        add(m.start(), m.end(), Figure("count", m.group(), f"{value:g}", m.group(2)))
    return tuple(f for _, f in sorted(found, key=lambda t: t[0]))


def year_of(text: str) -> int | None:
    """The first four-digit year mentioned, for giving 7月30日 its year."""
    m = re.search(r"(\d{4})\s*年", text)
    return int(m.group(1)) if m else None
