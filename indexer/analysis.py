"""Our own jieba analyzer for Whoosh: word positions, exact character offsets, numbers kept whole.

Why not jieba.analyse.ChineseAnalyzer: it sets token.pos to a character offset (phrases never
match), drops single digits and letters (第5条 → 第, 条), and its search-mode sub-words are
ANDed at query time (人民共和国 misses 中华人民共和国). Here sub-words share the position of the
word they come from, like synonyms, so phrases still line up and shorter query words still hit.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Container, Iterator
from importlib import import_module
from pathlib import Path

import jieba

from archive.normalize import fold_chars
from archive.numerals import DIGITS, cn_to_int

DICT_PATH = Path(__file__).with_name("data") / "userdict.txt"
# bump whenever segment()'s output for a text changes (kept tokens, indexer/tokens.py, are then re-made)
ANALYSIS_VERSION = 1
_lock = threading.Lock()
_segmenter: jieba.Tokenizer | None = None

_CN = "〇零一二三四五六七八九十百千两"
# 第5条 / 第二十六条 → one token 第26条 (the original form kept as an alias at the same position)
_ARTICLE = rf"第\s*(?P<anum>\d+|[{_CN}]+)\s*(?P<aunit>[条章节款项编])"
# 20万元 / 十万元 / 30日 / 三十日 / 12.5% → 20万元 / 10万元 / 30日 / 30日 / 12.5%
_AMOUNT = (rf"(?P<num>\d+(?:\.\d+)?|[{_CN}]{{2,}}|[二三四五六七八九十两])\s*(?P<big>万|亿|千)?"
           r"(?P<unit>元|个工作日|工作日|个月|日|天|年|场次|人次|次|人|名|项|家|岁|小时|%|倍|份|号|个)")
# 百分之一点五 / 百分之三十 → 1.5% / 30%, as 1.5% and 30% index
_PERCENT = rf"百分之(?P<pnum>\d+(?:\.\d+)?|[{_CN}]+(?:点[{_CN}]+)?)"
_SAME_UNIT = {"天": "日", "工作日": "个工作日"}
_ASCII = r"(?P<ascii>[a-zA-Z0-9]+(?:[._\-][a-zA-Z0-9]+)*)"
SPECIAL = re.compile(f"{_ARTICLE}|{_PERCENT}|{_AMOUNT}|{_ASCII}")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")


def analysis_version() -> str:
    """What a text's tokens depend on: this module's rules, the domain dictionary and jieba's release."""
    return f"{ANALYSIS_VERSION}:{dictionary_version()}:{jieba.__version__}"


def dictionary_version() -> str:
    """A short hash of the domain dictionary; recorded beside the index so a change triggers a rebuild."""
    return hashlib.sha1(DICT_PATH.read_bytes()).hexdigest()[:12]


def load_segmenter() -> jieba.Tokenizer:
    """The process's jieba, with the domain dictionary loaded; call at start-up in every process that segments."""
    global _segmenter
    with _lock:
        if _segmenter is None:
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            with open(DICT_PATH, "rb") as fh:  # jieba leaves a path's file open
                tk.load_userdict(fh)
            _segmenter = tk
    return _segmenter


def _number(raw: str) -> str:
    if raw[0].isdigit():
        return raw
    value = cn_to_int(raw)
    return str(value) if value is not None else raw


def _decimal(raw: str) -> str:
    """一点五 → 1.5, 三十 → 30, 2.5 → 2.5 (the raw text when it is not a number)."""
    whole, _, frac = raw.partition("点")
    value = _number(whole)
    if not frac:
        return value
    if not value.isdigit() or any(ch not in DIGITS for ch in frac):
        return raw
    return f"{value}.{''.join(str(DIGITS[ch]) for ch in frac)}"


def special(m: re.Match[str]) -> tuple[str, list[str]]:
    """Canonical token and same-position aliases for an article number, an amount or a Latin/digit run."""
    if m.group("pnum"):
        value = _decimal(m.group("pnum"))
        return f"{value}%", [value, "%", m.group()]
    if m.group("aunit"):
        canonical = f"第{_number(m.group('anum'))}{m.group('aunit')}"
        return canonical, [m.group()] if m.group() != canonical else []
    if m.group("unit"):
        num, big, unit = _number(m.group("num")), m.group("big") or "", m.group("unit")
        unit = _SAME_UNIT.get(unit, unit)  # 30天 is 30日 (regulations count days in 日)
        canonical = f"{num}{big}{unit}"
        aliases = [num, big + unit] + ([big] if big else [])
        if m.group() != canonical:
            aliases.append(m.group())
        return canonical, [a for a in aliases if a and a != canonical]
    return m.group().lower(), []


def segment(text: str, mode: str = "index") -> Iterator[tuple[str, int, int, bool]]:
    """(word, start, end, primary) over text; secondary tokens share the preceding primary's position."""
    tk = load_segmenter()
    folded = fold_chars(text)
    pos = 0

    def words(start: int, end: int) -> Iterator[tuple[str, int, int, bool]]:
        if start >= end:
            return
        for word, s, e in tk.tokenize(folded[start:end], mode="default", HMM=True):
            if not _WORDLIKE.search(word) or word.isspace():
                continue
            yield word, start + s, start + e, True
            if mode == "index" and len(word) > 2:
                for n in (2, 3):
                    for i in range(len(word) - n + 1):
                        gram = word[i:i + n]
                        if gram != word and tk.FREQ.get(gram):
                            yield gram, start + s + i, start + s + i + n, False

    for m in SPECIAL.finditer(folded):
        yield from words(pos, m.start())
        canonical, aliases = special(m)
        yield canonical, m.start(), m.end(), True
        for alias in aliases:
            yield alias, m.start(), m.end(), False
        pos = m.end()
    yield from words(pos, len(folded))


_SHORT_CACHE: dict[tuple[str, str], tuple[tuple[str, int, int, bool], ...]] = {}
_SHORT = 200  # characters; contexts (document title + chapter) and titles repeat for every unit of a document
_SHORT_CACHE_SIZE = 20_000


def segment_cached(text: str, mode: str) -> Iterator[tuple[str, int, int, bool]] | tuple[tuple[str, int, int, bool], ...]:
    """segment(), memoised for short texts: a regulation's context is the same for each of its
    articles (profiled: jieba was half of a build's time, repeated contexts a good share of it)."""
    if len(text) > _SHORT:
        return segment(text, mode)
    key = (text, mode)
    hit = _SHORT_CACHE.get(key)
    if hit is None:
        if len(_SHORT_CACHE) >= _SHORT_CACHE_SIZE:
            _SHORT_CACHE.clear()
        hit = _SHORT_CACHE[key] = tuple(segment(text, mode))
    return hit


SEP, SUB = "\x1f", "\x1e"  # between tokens; before a token that shares the preceding word's position


class Segmented(str):
    """A text already segmented (encode()): the tokenizer reads its tokens instead of running jieba.
    Index time only: it carries positions, not character offsets."""

    __slots__ = ()


def encode(text: str) -> str | None:
    """The index-mode tokens of `text` as one string (what Segmented holds), or None when a token holds
    a separator character and so cannot be kept."""
    if SEP in text or SUB in text:
        return None
    return SEP.join(word if primary else SUB + word for word, _, _, primary in segment_cached(text, "index"))


def query_words(text: str) -> list[str]:
    """A query's words as the index spells them (no sub-words: the index already holds those)."""
    return [w.lower() for w, _, _, primary in segment(text, "query") if primary]


def split_word(word: str, known: Container[str] = ()) -> list[str] | None:
    """The fewest dictionary words of two or more characters that make up `word` exactly
    (哪些项目 → 哪些, 项目; 懒政怠政 → 懒政, 怠政 with 懒政 and 怠政 in `known`), or None.

    jieba's dictionary holds many phrases (哪些项目, 多长时间) that documents never contain as a
    word: the query falls back to their parts, as a search engine decompounds.
    """
    freq = load_segmenter().FREQ
    n = len(word)
    # best[i]: fewest pieces covering word[:i] (None: not coverable), and where the last piece starts
    best: list[tuple[int, int] | None] = [(0, 0)] + [None] * n
    for i in range(2, n + 1):
        for j in range(0, i - 1):
            piece = word[j:i]
            if best[j] is None or piece == word or not (freq.get(piece) or piece in known):
                continue
            if best[i] is None or best[j][0] + 1 < best[i][0]:
                best[i] = (best[j][0] + 1, j)
    if best[n] is None:
        return None
    pieces, i = [], n
    while i > 0:
        j = best[i][1]
        pieces.append(word[j:i])
        i = j
    return pieces[::-1]


def __getattr__(name: str) -> object:
    """Indexes built before the Whoosh engine moved to indexer/backends/whoosh/ pickled their analyzer in the
    index's table of contents as indexer.analysis.ChineseTokenizer: resolved here, so that they still open (and
    `reindex --if-needed` keeps them). Looked up by name, not imported: analysis knows no engine."""
    if name == "ChineseTokenizer":
        return import_module("indexer.backends.whoosh.analyzer").ChineseTokenizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
