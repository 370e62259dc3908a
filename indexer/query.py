"""build_query(): user text → a backend-neutral query tree (indexer/querytree.py), pure and total (no input raises).

Syntax: words (segmented by jieba), "quoted phrases", a leading - to exclude. Anything
unbalanced or odd is read as plain words. Filters come as parameters, not syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .analysis import query_words, segment, split_word
from .citequery import find_citation, pick_version, query_date
from . import querytree as Q
from .backend import FACETS
from .frame import FrameOptions, is_frame
from .minmatch import MinMatchOptions
from .minmatch import clause as min_match_clause

SYNONYMS_PATH = Path(__file__).with_name("data") / "synonyms.txt"
# terms staff use that no text defines (双规, 小金库, 红包 …), each with its source: same format
COLLOQUIAL_PATH = Path(__file__).with_name("data") / "colloquial.txt"
# function words a question carries that no document needs to contain
STOP = frozenset("的 了 和 与 及 或 是 在 由 对 把 被 哪个 哪些 哪 什么 如何 怎么 怎样 多少 是否 吗 呢 吧 啊 请问 有关 关于 "
                 "应当 应该 可以 能否 谁 几 多久 多长 时间 要求 规定 几种 有几种 哪几种 几个 几项 多少天 "
                 "什么样 怎么办 需要 能不能 会不会 有没有 要不要 什么时候 何时 之内 以内 有".split())
_TOKEN = re.compile(r'(-?)"([^"]+)"|(\S+)')
_CJK = re.compile(r"[\u3400-\u9fff]")

# weights: whole words in the unit's title > in its body > in its context
W_TITLE, W_BODY, W_CONTEXT, W_SYNONYM = 1.5, 1.0, 0.4, 0.7
W_PHRASE, W_CITED_ARTICLE, W_CITED_REG = 2.0, 40.0, 6.0
W_CITING_REG, W_CITING_ARTICLE = 1.0, 4.0  # units citing the regulation / the very article
W_STRICT_IN_RELAXED = 3.0
MAX_WORDS = 10  # distinct words one query token may expand to (the rest add work, not precision)
RELAXED_POSTINGS = 300_000  # postings the relaxed form's OR of single words may read (the rarest words first)
SYNONYM_SLOP = 3  # a synonym phrase's words may stand this far apart (1: adjacent)


class QueryTooLong(ValueError):
    """The query exceeds the configured length cap."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"query is {length} characters; the limit is {limit}")
        self.length, self.limit = length, limit


@dataclass(frozen=True, slots=True)
class QueryCitation:
    """A regulation the query names (its short-title key), and the article number when one is given."""

    key: str
    article: int | None = None
    version: str | None = None  # the version a year in the query picked (YYYY-MM-DD), else the one in force


@dataclass(frozen=True, slots=True)
class BuiltQuery:
    """The strict (AND) and relaxed (OR) forms of a query, plus the words to highlight."""

    strict: Q.Node
    relaxed: Q.Node
    highlight: tuple[str, ...]
    filters: Q.Node | None
    empty: bool = False
    citation: QueryCitation | None = None
    # any word at all, common ones included: the last resort, so that no query sharing a word with a
    # unit finds nothing
    any_word: Q.Node | None = None
    # the relaxed form's OR of every word without the AND-first boost (plain BM25-OR): for rank fusion
    plain: Q.Node | None = None
    words: int = 0  # content words (of two characters or more, or not Chinese): a query's length for the gates


@lru_cache(maxsize=4)
def load_synonyms(path: str = str(SYNONYMS_PATH), *more: str) -> dict[str, tuple[str, ...]]:
    """word → the other sides of its synonym group(s).

    Sides are separated by `=`. A side with spaces is an expansion whose parts all appear together
    (三会一课 = 支部党员大会 支部委员会 党小组会 党课): it is searched for, but is not itself a key,
    so a query for one part (党课) is not widened to the others.
    """
    table: dict[str, set[str]] = {}
    more = more or ((str(COLLOQUIAL_PATH),) if path == str(SYNONYMS_PATH) else ())
    lines = [ln for p in (path, *more) for ln in Path(p).read_text(encoding="utf-8").splitlines()]
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        sides = [" ".join(side.split()) for side in re.split(r"[=＝]", line)]
        sides = [side for side in sides if side]
        for side in sides:
            if " " not in side:
                table.setdefault(side, set()).update(x for x in sides if x != side)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def _word_clause(word: str, boost: float = 1.0, skip: Container[str] = ()) -> Q.Node:
    """One segmented word in title, body or context; not in `skip` fields."""
    parts: list[Q.Node] = [Q.Term(f, word, boost=w * boost) for f, w in
                            (("title", W_TITLE), ("body", W_BODY), ("context", W_CONTEXT)) if f not in skip]
    return Q.Or(tuple(parts))


@dataclass(slots=True)
class _Loose:
    """The relaxed form's OR of every word, sub-word and synonym, minus fields where a word is common.

    A word in a large share of units (人民, 共和国 in every national law's title) adds almost nothing
    to the ranking of an OR query but makes it score most of the index: there it is left out. And the
    OR reads at most RELAXED_POSTINGS postings: past that, the commonest words are left out (the
    rarest say most about what is wanted; measured: a 200-character query of common words read 2.8
    million postings and took 0.3-0.5 s, the longest searches of the benchmark).
    """

    df: Callable[[str, str], int] | None
    max_df: int
    offered: list[tuple[int, Q.Node]] = field(default_factory=list)  # (postings it reads, clause)
    words: dict[str, None] = field(default_factory=dict)  # every word offered, common ones included
    # per content word (single Chinese characters left out), the clause a unit holding it matches: the word or its
    # other names (as the strict form asks it), or its sub-words (indexer/minmatch.py counts these)
    groups: dict[str, Q.Node] = field(default_factory=dict)
    grouped: bool = False  # build `groups` (only min_match reads them); `content` is kept either way
    content: dict[str, None] = field(default_factory=dict)

    def add(self, word: str, boost: float = 1.0) -> None:
        self.words.setdefault(word, None)
        skip, cost = set(), 0
        if self.df is not None and self.max_df > 0:
            dfs = {f: self.df(f, word) for f in ("title", "body", "context")}
            skip = {f for f, n in dfs.items() if n > self.max_df}
            cost = sum(n for f, n in dfs.items() if f not in skip)
        if len(skip) < 3:
            self.offered.append((cost, _word_clause(word, boost, skip)))

    @property
    def clauses(self) -> list[Q.Node]:
        """The clauses kept, in the order offered: the rarest first until the postings bound (one at least)."""
        kept, total = set(), 0
        for i in sorted(range(len(self.offered)), key=lambda i: self.offered[i][0]):
            cost = self.offered[i][0]
            if kept and total + cost > RELAXED_POSTINGS:
                break
            kept.add(i)
            total += cost
        return [clause for i, (_, clause) in enumerate(self.offered) if i in kept]


def _subwords(word: str) -> list[str]:
    """Dictionary words inside a long word (公车私用 → 公车, 私用), for the relaxed form only."""
    if len(word) < 3 or not _CJK.search(word):
        return []
    return [w for w in dict.fromkeys(t for t, _, _, primary in segment(word, "index") if not primary)
            if len(w) >= 2]


def _unit(raw: str, synonyms: Mapping[str, tuple[str, ...]], highlight: list[str],
          loose: _Loose | None = None, frame: Container[str] = ()) -> Q.Node | None:
    """A whitespace-separated query token: all its words, or its whole form as a phrase, or a synonym.

    Every word, sub-word and synonym is also appended to `loose`: the relaxed form ORs them all.
    """
    words = _content_words(raw, synonyms, loose.df if loose is not None else None, frame)
    if not words:
        return None
    if loose is not None:
        for w in words:
            loose.add(w)
        for sub in (sub for w in words for sub in _subwords(w)):
            loose.add(sub, W_SYNONYM)
    highlight.extend(words)
    if raw not in words and len(raw) <= 20:
        highlight.append(raw)
    def other_names(names: tuple[str, ...]) -> Q.Node | None:
        # the best-matching other name counts, not their sum: a text listing every part of an
        # expansion must not outrank the one that uses the abbreviation itself
        sides = [c for name in names if (c := _side(name, highlight, loose))]
        # (no tiebreak: a document scores its best other name, weighting.DisMax)
        return Q.DisMax(tuple(sides), boost=W_SYNONYM) if sides else None

    # with groups, a word's clause is built once (its other names add to highlight and loose), not again for them
    made: dict[str, Q.Node] | None = {} if loose is not None and loose.grouped else None

    def clause(word: str) -> Q.Node:
        # a word with other names matches any of them, in its place among the other words; a
        # compound without any (懒政怠政) matches its parts' names together (懒政 + 怠政)
        if made is not None and word in made:
            return made[word]
        alts = [_word_clause(word)]
        if (names := other_names(synonyms.get(word, ()))) is not None:
            alts.append(names)
        elif (pieces := split_word(word, synonyms)) and any(p in synonyms for p in pieces):
            alts.append(Q.And(tuple(clause(p) for p in pieces if p not in STOP)))
        built = Q.Or(tuple(alts)) if len(alts) > 1 else alts[0]
        if made is not None:
            made[word] = built
        return built

    for w in (w for w in words if len(w) > 1 or not _CJK.search(w)):
        if loose is not None:
            loose.content.setdefault(w, None)
            if loose.grouped and w not in loose.groups:
                subs = [_word_clause(sub, W_SYNONYM) for sub in _subwords(w)]
                loose.groups[w] = Q.Or((clause(w), *subs)) if subs else clause(w)
    alts: list[Q.Node] = []
    if len(words) == 1:
        alts.append(clause(words[0]))
    else:
        # single characters (送, 由, 核) rarely carry the meaning: they rank but are not required
        required = [w for w in words if len(w) > 1 or not _CJK.search(w)] or words
        optional = [w for w in words if w not in required]
        core = Q.And(tuple(clause(w) for w in required)) if len(required) > 1 else clause(required[0])
        alts.append(Q.AndMaybe(core, Q.Or(tuple(_word_clause(w) for w in optional))) if optional else core)
        alts.append(Q.Phrase("body", tuple(words), boost=W_PHRASE))
        if (whole := other_names(synonyms.get(raw, ()))) is not None:
            alts.append(whole)
    return alts[0] if len(alts) == 1 else Q.Or(tuple(alts))


def _content_words(raw: str, synonyms: Mapping[str, tuple[str, ...]],
                   df: Callable[[str, str], int] | None, frame: Container[str] = ()) -> list[str]:
    """A token's words minus question words (and, in a long query, the words that frame a finding: indexer/frame.py);
    a word no unit contains is replaced by its parts (哪些项目 → 项目), unless it has synonyms to stand for it."""
    words, every = [], query_words(raw)
    if frame and any(w not in STOP and w not in frame for w in every):
        every = [w for w in every if w not in frame]
    for w in every:
        if w in STOP:
            continue
        if (df is not None and w not in synonyms and _CJK.search(w)
                and not any(df(f, w) for f in ("title", "body", "context"))
                and (pieces := split_word(w, synonyms))):
            words.extend(p for p in pieces if p not in STOP)
        else:
            words.append(w)
    words = list(dict.fromkeys(words or every))  # a repeated word adds no meaning, only work
    if len(words) > MAX_WORDS and df is not None:
        # bounded work: a long query keeps its rarest words (they carry it), in their order
        rare = set(sorted(words, key=lambda w: sum(df(f, w) for f in ("title", "body")))[:MAX_WORDS])
        words = [w for w in words if w in rare]
    return words[:MAX_WORDS]


def _side(side: str, highlight: list[str], loose: _Loose | None) -> Q.Node | None:
    """One side of a synonym group: a word, a phrase, or an expansion whose parts must all appear."""
    parts = []
    for part in side.split():
        words = query_words(part)
        highlight.append(part)
        if loose is not None:
            for w in words:
                if len(w) > 1:
                    loose.add(w, W_SYNONYM)
        if len(words) == 1:
            parts.append(_word_clause(words[0]))
        elif words:
            # a few words may come between (从事营利性活动 ~ 从事或者参与营利性活动)
            parts.append(Q.Phrase("body", tuple(words), slop=SYNONYM_SLOP))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(tuple(parts))


def _only_stop(raw: str) -> bool:
    """Whether every word of a token is a question or function word."""
    words = query_words(raw.replace('"', "").lstrip("-"))
    return bool(words) and all(w in STOP for w in words)


def _phrase(text: str, highlight: list[str]) -> Q.Node | None:
    words = query_words(text)
    if not words:
        return None
    highlight.append(text)
    if len(words) == 1:
        return _word_clause(words[0])
    return Q.Or((Q.Phrase("body", tuple(words)), Q.Phrase("title", tuple(words), boost=W_TITLE)))


def with_expansion(q: Q.Node, terms: Collection[tuple[str, float]], rerank: bool = False) -> Q.Node:
    """`q` with expansion words added (indexer/feedback.py, related.py): each raises a unit that has it, none
    is required; with `rerank` only the units `q` finds are raised (no new ones)."""
    extra = tuple(_word_clause(w, boost, skip=("context",)) for w, boost in terms)
    if not extra:
        return q
    return Q.AndMaybe(q, Q.Or(extra)) if rerank else Q.Or((q, *extra))


def build_filters(filters: Mapping[str, str]) -> Q.Node | None:
    """Facet filters as an And of exact terms; unknown fields are ignored by the caller's validation."""
    terms = [Q.Term(k, v) for k, v in sorted(filters.items()) if k in FACETS and v]
    return Q.And(tuple(terms)) if terms else None


def _frame_of(tokens: Sequence[re.Match[str]], frame: FrameOptions | None) -> frozenset[str]:
    """The frame words this query leaves out: none unless it has `min_words` content words and `keep` stay."""
    if frame is None:
        return frozenset()
    words = {w for m in tokens if m.group(3) is not None and not m.group(3).startswith("-")
             for w in query_words(m.group(3)) if w not in STOP and (len(w) > 1 or not _CJK.search(w))}
    drop = frozenset(w for w in words if is_frame(w))
    return drop if len(words) >= frame.min_words and len(words - drop) >= frame.keep else frozenset()


def build_query(text: str, filters: Mapping[str, str] | None = None, reg_keys: Collection[str] = (),
                synonyms: Mapping[str, tuple[str, ...]] | None = None, max_chars: int = 200,
                df: Callable[[str, str], int] | None = None, max_df: int = 0,
                versions: Callable[[str], Collection[str]] | None = None,
                min_match: MinMatchOptions | None = None, frame: FrameOptions | None = None) -> BuiltQuery:
    """Parse user text into strict and relaxed query trees (indexer/querytree.py); raises only QueryTooLong.

    `df(field, word)` with `max_df` leaves words common in a field out of the relaxed form's OR.
    `versions(key)` lists a regulation's version dates, so that a year in the query picks one.
    `min_match`: a long query's relaxed form asks a share of its words (indexer/minmatch.py).
    `frame`: a query of `min_words` content words or more leaves out the words that frame a finding (indexer/frame.py),
    as long as `keep` words stay.
    """
    if len(text) > max_chars:
        raise QueryTooLong(len(text), max_chars)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    synonyms = load_synonyms() if synonyms is None else synonyms
    highlight: list[str] = []
    positive: list[Q.Node] = []
    negative: list[Q.Node] = []
    loose = _Loose(df, max_df, grouped=min_match is not None)
    key, article, rest = find_citation(text, reg_keys) if reg_keys else (None, None, text)
    version = None
    if key and versions is not None:
        on_date, without = query_date(rest)
        if on_date:
            version, rest = pick_version(versions(key), on_date), without
    tokens = list(_TOKEN.finditer(rest))
    # a token of question words only (有哪些, 是多少, 要不要) is dropped when the query says more
    content = [m for m in tokens if m.group(2) is not None or not _only_stop(m.group(3))]
    drop = _frame_of(content, frame)
    for m in content if content or key else tokens:
        if m.group(2) is not None:
            neg, clause = bool(m.group(1)), _phrase(m.group(2), highlight if not m.group(1) else [])
        else:
            raw = m.group(3).replace('"', "")
            neg = raw.startswith("-") and len(raw) > 1
            raw = raw.lstrip("-") if neg else raw
            clause = _unit(raw, synonyms, highlight if not neg else [], None if neg else loose, () if neg else drop)
        if clause is not None:
            (negative if neg else positive).append(clause)
    citation_clause = None
    if key:
        highlight.append(key)
        anchor: list[Q.Node] = [Q.Term("reg_key", key)]
        if article:
            anchor.append(Q.Term("article_num", article))
        if version:
            anchor.append(Q.Term("version", version))
        weight = W_CITED_ARTICLE if article else W_CITED_REG
        scoped = Q.And(tuple(anchor + positive), boost=weight) if positive and not article else Q.And(tuple(anchor), boost=weight)
        citing: Q.Node = Q.Term("cites", key, boost=W_CITING_REG)
        if article:  # a measure citing this very article ranks next to it
            citing = Q.Or((citing, Q.Term("cites", f"{key}#{article}", boost=W_CITING_ARTICLE)))
        citation_clause = Q.Or((scoped, citing))
        # as typed, the other words go with the regulation's name: a unit naming it and every word
        named = [_word_clause(w) for w in query_words(key) if len(w) > 1]
        with_name = Q.And(tuple(positive + named)) if positive and named else None
        # relaxed only: units whose own words name it (not their context: every article of every regulation
        # with one of the name's words in its title has them there, tens of thousands of units for 实施条例,
        # and collecting those was a citation query's whole time, at the CPU bound)
        mentioned = [_word_clause(w, skip=("context",)) for w in query_words(key) if len(w) > 1]
        loose_cite = Q.Or(tuple(mentioned)) if mentioned and not positive else None
    if not positive and citation_clause is None:
        return BuiltQuery(Q.NULL, Q.NULL, (), build_filters(filters or {}), empty=True)
    strict_parts = [Q.And(tuple(positive))] if positive and citation_clause is None else []
    # relaxed: documents with every word still first (the strict form, boosted), then any word
    relaxed_parts = [Q.Or((Q.And(tuple(positive), boost=W_STRICT_IN_RELAXED), *loose.clauses))] if positive else []
    if positive and min_match is not None and (mm := min_match_clause(tuple(loose.groups.values()), min_match)):
        rest = loose.clauses if min_match.keep_or else []
        relaxed_parts = [Q.Or((Q.And(tuple(positive), boost=W_STRICT_IN_RELAXED), mm, *rest))]
    if citation_clause is not None:
        strict_parts.append(citation_clause)
        relaxed_parts.append(citation_clause)
        if with_name is not None:
            strict_parts.append(with_name)
        if loose_cite is not None:
            relaxed_parts.append(loose_cite)
    strict: Q.Node = Q.Or(tuple(strict_parts)) if len(strict_parts) > 1 else strict_parts[0]
    relaxed: Q.Node = Q.Or(tuple(relaxed_parts)) if len(relaxed_parts) > 1 else relaxed_parts[0]
    if negative:
        strict = Q.AndNot(strict, Q.Or(tuple(negative)))
        relaxed = Q.AndNot(relaxed, Q.Or(tuple(negative)))
    seen: dict[str, None] = {}
    for h in highlight:
        if h and h not in STOP:
            seen.setdefault(h, None)
    any_word = Q.Or(tuple(_word_clause(w) for w in loose.words)) if loose.words else None
    plain = Q.Or(tuple(loose.clauses)) if loose.offered else None
    if plain is not None and negative:
        plain = Q.AndNot(plain, Q.Or(tuple(negative)))
    return BuiltQuery(strict, relaxed, tuple(seen), build_filters(filters or {}),
                      citation=QueryCitation(key, article, version) if key else None, any_word=any_word, plain=plain,
                      words=len(loose.content))
