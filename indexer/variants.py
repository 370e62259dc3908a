"""Variant queries (issue 31): traditional characters and homophone typos, as search engines handle them.

1. Traditional → simplified at query time with OpenCC's phrase-aware `t2s` (what Elasticsearch's
   analysis-stconvert / ICU "Traditional-Simplified" transform do). The archive's texts are simplified, so
   the query is converted; converting at index time would need a full rebuild and change nothing here.
2. A homophone typo (制渡 for 制度, 彩购 for 采购) corrected against the index's own vocabulary, as
   Lucene's DirectSpellChecker does with edit distance, with a confusion set of same-pinyin characters
   (pypinyin's table) instead: a character pair of the query that the index hardly knows, which becomes a
   frequent dictionary word when one character is replaced by a homophone, gets that word as an
   alternative (an OR beside the query as typed, weighted below it), never a silent replacement.

`rewrite(text, df, options)` says what was applied; SearchService builds the corrected query beside the
typed one and `combine()` ORs them. On by default (SearchOptions.variants; None turns it off).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from . import querytree as Q

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


class VariantKind(StrEnum):
    SIMPLIFIED = "simplified"  # traditional characters converted (OpenCC t2s)
    CORRECTED = "corrected"  # a homophone typo given its correction as an alternative


@dataclass(frozen=True, slots=True)
class VariantOptions:
    """Thresholds of the typo correction (set on tune queries, benchmarks/quality/results_31_variants.md)."""

    traditional: bool = True
    typos: bool = True
    field: str = "body"  # the field whose document frequencies judge a pair
    rare_df: int = 0  # a typed pair (or word) found in at most this many units counts as unknown
    min_df: int = 20  # a correction must be found in at least this many units
    ratio: float = 50.0  # … and in this many times more units than the pair as typed
    weight: float = 0.8  # the corrected query's weight beside the typed one (below 1)


@dataclass(frozen=True, slots=True)
class Variant:
    """One conversion or correction applied to the query: `source` as typed, `target` as searched."""

    source: str
    target: str
    kind: VariantKind

    def to_json(self) -> dict[str, str]:
        return {"from": self.source, "to": self.target, "kind": str(self.kind)}


@dataclass(frozen=True, slots=True)
class Rewritten:
    """The query to build (simplified), the corrected one to OR beside it (None: none), what was applied."""

    text: str
    corrected: str | None
    variants: tuple[Variant, ...]


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # loaded on first use: only searches with variants on need it

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def _toneless(reading: str) -> str:
    reading = reading.replace("ü", "v")
    return "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _homophone_table() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(character → its toneless readings, reading → the common characters read so), from pypinyin's table."""
    from pypinyin.pinyin_dict import pinyin_dict

    readings: dict[str, tuple[str, ...]] = {}
    chars: dict[str, list[str]] = defaultdict(list)
    for code, value in pinyin_dict.items():
        if not 0x4E00 <= code <= 0x9FFF:
            continue
        ch = chr(code)
        try:  # the GB2312 set: the characters an input method offers first, the ones a typo puts in
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        rs = tuple(dict.fromkeys(_toneless(r) for r in value.split(",")))
        readings[ch] = rs
        for r in rs:
            chars[r].append(ch)
    return readings, {r: tuple(cs) for r, cs in chars.items()}


@lru_cache(maxsize=8192)  # asked for each character of each unknown pair of every search: the table is fixed
def homophones(ch: str) -> tuple[str, ...]:
    """The other characters sharing a toneless reading with `ch` (heteronyms: any reading)."""
    readings, chars = _homophone_table()
    out = dict.fromkeys(c for r in readings.get(ch, ()) for c in chars.get(r, ()))
    out.pop(ch, None)
    return tuple(out)


def _segmenter():  # type: ignore[no-untyped-def]
    from .analysis import load_segmenter

    return load_segmenter()


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, int]:
    return _segmenter().FREQ


def _correct_run(run: str, df: Callable[[str, str], int], opts: VariantOptions) -> list[tuple[int, str, str]]:
    """(position, typed pair, corrected pair) for each unknown pair of a CJK run with a frequent homophone word."""
    words = _dictionary()
    # characters inside a word the index knows are left alone: a pair across two known words (行政|复议 → 政复)
    # is no typo, only a pair of characters jieba left single or joined into an unknown word is
    covered = [False] * len(run)
    for word, start, end in _segmenter().tokenize(run):
        if end - start > 1 and df(opts.field, word) > opts.rare_df:
            covered[start:end] = [True] * (end - start)
    found: list[tuple[int, str, str]] = []
    i = 0
    while i < len(run) - 1:
        pair = run[i:i + 2]
        if covered[i] or covered[i + 1]:
            i += 1
            continue
        typed = None if words.get(pair) else df(opts.field, pair)  # a dictionary word is no typo
        best: tuple[int, str] | None = None
        if typed is not None and typed <= opts.rare_df:
            for k in (0, 1):
                for h in homophones(pair[k]):
                    cand = pair[:k] + h + pair[k + 1:]
                    if not words.get(cand):
                        continue
                    n = df(opts.field, cand)
                    if n >= opts.min_df and n >= opts.ratio * max(typed, 1) and (best is None or n > best[0]):
                        best = (n, cand)
        if best is not None:
            found.append((i, pair, best[1]))
            i += 2
        else:
            i += 1
    return found


def rewrite(text: str, df: Callable[[str, str], int] | None, opts: VariantOptions) -> Rewritten:
    """The query simplified, and corrected where a homophone gives a word the index knows far better."""
    variants: list[Variant] = []
    simplified = to_simplified(text) if opts.traditional else text
    if simplified != text:
        variants.append(Variant(text, simplified, VariantKind.SIMPLIFIED))
    corrected = simplified
    if opts.typos and df is not None:
        pieces: list[str] = []
        last = 0
        for m in _CJK_RUN.finditer(simplified):
            run = m.group()
            fixed = list(run)
            for pos, typed, fix in _correct_run(run, df, opts):
                fixed[pos:pos + 2] = list(fix)
                variants.append(Variant(typed, fix, VariantKind.CORRECTED))
            pieces += [simplified[last:m.start()], "".join(fixed)]
            last = m.end()
        corrected = "".join(pieces) + simplified[last:]
    return Rewritten(simplified, corrected if corrected != simplified else None, tuple(variants))


def combine(typed: Q.Node, corrected: Q.Node, weight: float) -> Q.Node:
    """The typed query OR the corrected one at `weight` (a unit matching both scores both)."""
    if isinstance(typed, Q.Null):
        return Q.Or((corrected,), boost=weight)
    if isinstance(corrected, Q.Null):
        return typed
    return Q.Or((typed, Q.Or((corrected,), boost=weight)))
