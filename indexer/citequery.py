"""What a query cites (indexer/query.py reads it): a regulation by its short title, an alias or an abbreviation
(招投标法实施条例, 保密法), an article number (第N条), and a year or date that picks the version in force then. Pure:
strings and the index's regulation keys in, the key, the article and the rest of the query out."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from archive.citations import abbreviation_match, short_title
from archive.numerals import cn_to_int
from archive.resolve import ALIASES

_ARTICLE_REF = re.compile(r"第\s*([0-9]+|[〇零一二三四五六七八九十百千两]+)\s*条")
# a year or date qualifying a cited regulation (2017年会计法, 会计法(2017年), 2018年3月监察法): the version then
_YEAR = re.compile(r"[(（]?(?<!\d)((?:19|20)\d{2})\s*(?:年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?|版)"
                   r"(?:修订|修正|版)?(?:的|版本)?[)）]?")
_KIND_END = ("法", "条例", "细则", "办法")
_PRC = "中华人民共和国"


def find_citation(text: str, reg_keys: Collection[str]) -> tuple[str | None, int | None, str]:
    """A regulation short title (longest known one) and 第N条 in the query, and what is left of it."""
    article = None
    if m := _ARTICLE_REF.search(text):
        article = cn_to_int(m.group(1))
    compact = re.sub(r"[\s《》〈〉]", "", text)
    best = None
    for i in range(len(compact)):
        for j in range(min(len(compact), i + 40), i + 1, -1):
            cand = compact[i:j]
            key = cand if cand in reg_keys else short_title(ALIASES.get(cand, cand))
            if key in reg_keys and (best is None or len(cand) > len(best[1])):
                best = (key, cand)
                break
    if best is None:
        best = _abbreviated(compact, reg_keys)
    if best is None:
        return None, article, text
    # a fragment of 中华人民共和国 typed before a short title (人民共和国国歌法) belongs to the title
    at = compact.find(best[1])
    lead = next((compact[k:at] for k in range(max(0, at - len(_PRC)), at) if _PRC.endswith(compact[k:at])), "")
    rest = text
    for piece in (lead + best[1], best[1], re.sub("^中华人民共和国", "", best[1])):
        rest = rest.replace(piece, " ")
    rest = _ARTICLE_REF.sub(" ", re.sub(r"[《》〈〉]", " ", rest))
    return best[0], article, rest


@lru_cache(maxsize=4)
def _abbreviation_index(reg_keys: frozenset[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Regulation keys by first character and by last three (the candidates an abbreviation can name)."""
    first: dict[str, list[str]] = {}
    tail: dict[str, list[str]] = {}
    for k in reg_keys:
        if len(k) >= 3:
            first.setdefault(k[0], []).append(k)
            tail.setdefault(k[-3:], []).append(k)
    return ({c: tuple(v) for c, v in first.items()}, {c: tuple(v) for c, v in tail.items()})


def _abbreviated(compact: str, reg_keys: Collection[str]) -> tuple[str, str] | None:
    """The longest part of the query that abbreviates one regulation's title (招投标法实施条例, 保密法)."""
    first, tail = _abbreviation_index(frozenset(reg_keys))
    best = None
    for j in range(len(compact), 2, -1):
        if not compact[:j].endswith(_KIND_END):
            continue
        for i in range(max(0, j - 16), j - 2):
            cand = compact[i:j]
            if best is not None and len(cand) <= len(best[1]):
                continue
            pool = set(first.get(cand[0], ())) | set(tail.get(cand[-3:], ()))
            if key := abbreviation_match(cand, pool):
                best = (key, cand)
    return best


def pick_version(versions: Collection[str], text_date: str | None) -> str | None:
    """The version in force on a date the query gives (the latest dated on or before it; the earliest
    when all are later); None without a date or versions."""
    dated = sorted(v for v in versions if v)
    if not text_date or not dated:
        return None
    before = [v for v in dated if v <= text_date]
    return before[-1] if before else dated[0]


def query_date(text: str) -> tuple[str | None, str]:
    """A year or date in the query (as the last day it can mean) and the text without it."""
    m = _YEAR.search(text)
    if not m:
        return None, text
    year, month, day = m.group(1), m.group(2), m.group(3)
    date = f"{year}-{int(month):02d}-{int(day):02d}" if month and day else f"{year}-{int(month):02d}-31" if month \
        else f"{year}-12-31"
    return date, text[:m.start()] + " " + text[m.end():]
