"""党内法规: which regulations are Party rules, who issued them, and the names notices cite them by.

Notices cite Party rules by names that drop a leading qualifier (《纪律处分条例》 for 《中国共产党纪律处分条例》,
《八项规定实施细则》 for 《中共中央政治局贯彻落实中央八项规定实施细则》), by abbreviations that drop characters
(《廉洁准则》, 《选任条例》) and, after one full mention, by the bare kind (《条例》, 《准则》). Nothing here
lists particular rules: the rules are general, so real texts added to ../shared/corpus/party need no code.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

from .citations import short_title, title_key
from .models import Category, Citation, Notice, Problem

PARTY_LEVEL = "党内法规"  # the 效力级别 (documents.category, the reg_category facet) of a Party rule
PARTY_FOLDER = "party"  # ../shared/corpus/party, corpus/party: every regulation below it is a Party rule

# what a Party rule's title ends with (a 准则, 条例, 规定, 细则 …), (试行) allowed
RULE_KIND = re.compile(r"(?:实施细则|实施办法|条例|准则|规定|细则|办法|规则|章程|规范)$")
# a national Party rule's title opens with the Party or a central Party body …
# (中央 alone is no Party body: 中央储备粮管理条例 is an administrative regulation)
_PARTY_OPENING = re.compile(r"^(?:中国共产党|中共|中央(?:政治局|纪委|办公厅|组织部|宣传部)|党政|党委|党组|党内|"
                            r"党员|关于新形势下党内|十[一二三四五六七八九]届中央)")
# … and a Party rule is issued by one (中共中央, 中共中央办公厅, 中央纪委 …)
_PARTY_ISSUER = re.compile(r"^(?:中共中央|中国共产党中央|中央纪委|中共中央纪律检查委员会|中央组织部|中共中央组织部|"
                           r"中央办公厅|中国共产党全国代表大会)")
# after a full mention a notice names the rule by its kind alone: 《条例》第二十条
GENERIC = frozenset({"条例", "准则", "规定", "细则", "实施细则", "办法", "规则", "章程"})
_CITE = re.compile(r"《([^《》\n]{1,120})》")


_VARIANT = re.compile(r"\((?:试行|暂行|草案|修订|修正|[0-9]{4}年?修订|[0-9]{4}年?修正)\)$")


def without_variant(title: str) -> str:
    """A title's comparable form without (试行)/(暂行)/(2018年修订): a rule's trial and final texts are versions
    of one rule (中国共产党党内监督条例（试行） 2003 → 中国共产党党内监督条例 2016)."""
    return _VARIANT.sub("", title_key(title))


def _bare(title: str) -> str:
    """The comparable short title without (试行)/(暂行): what a rule's kind is read from."""
    return short_title(title_key(title))


def is_party_rule(title: str, issuer: str | None = None) -> bool:
    """Whether a regulation is a Party rule by its title and issuing body: a rule's kind (条例, 准则 …) with
    a title that opens with the Party or a central Party body, or issued by a central Party body."""
    key = title_key(title)
    if not RULE_KIND.search(_bare(key)):
        return False
    # issued by Party bodies alone: 中共中央、国务院 (信访工作条例) is filed with the State's regulations
    return bool(_PARTY_OPENING.match(key) or (issuer and all(_PARTY_ISSUER.match(i) for i in issuer.split("、"))))


def in_party_folder(path: PurePath) -> bool:
    """Whether a file sits below a folder named party (../shared/corpus/party, corpus/party)."""
    return PARTY_FOLDER in path.parts[:-1]


def level_of(path: PurePath, title: str, issuer: str | None, category: str | None) -> str | None:
    """A regulation's 效力级别: 党内法规 for a file below party/ or a Party rule by title and issuer, else the
    category the folder gave (行政法规, 地方性法规 …)."""
    if in_party_folder(path) or is_party_rule(title, issuer):
        return PARTY_LEVEL
    return category


# --- the names notices use ------------------------------------------------------------------------

def kind_of(name: str) -> str | None:
    """The kind a rule's name ends with (条例, 准则, 实施细则 …), None when it names none."""
    m = RULE_KIND.search(_bare(name))
    return m.group(0) if m else None


def cites_rule(cited: str, title: str) -> bool:
    """Whether a cited name is what notices call the rule `title` (compared as short titles): the title
    without a leading qualifier (纪律处分条例, 八项规定实施细则, 问责条例), or such a name with characters
    dropped, keeping its first character and its kind (廉洁准则 for 廉洁自律准则, 选任条例 for 选拔任用工作条例)."""
    short, full = _bare(cited), _bare(title)
    kind = kind_of(short)
    if kind is None or len(short) < 4 or len(short) > len(full) or not full.endswith(kind):
        return False
    if full.endswith(short):  # the rule's own short title too
        return True
    body = short[: len(short) - len(kind)]
    for start in (i for i, ch in enumerate(full) if ch == short[0]):
        it = iter(full[start: len(full) - len(kind)])
        if all(ch in it for ch in body):
            return True
    return False


# --- 《条例》 after a full mention ------------------------------------------------------------------

def _antecedents(text: str) -> list[tuple[int, str, str]]:
    """(position, kind, title) of every full 《…》 mention of a rule in text, in order."""
    out = []
    for m in _CITE.finditer(text):
        title = m.group(1).strip()
        kind = kind_of(title)
        if kind and title_key(title) not in GENERIC:
            out.append((m.start(), kind, title))
    return out


def named_before(text: str, pos: int, generic: str, mentions: list[tuple[int, str, str]] | None = None) -> str | None:
    """The rule a bare 《条例》 (《准则》 …) at pos refers to: the last full mention before it of a rule of
    that kind (a 实施细则 also answers 《细则》)."""
    for at, kind, title in reversed(mentions if mentions is not None else _antecedents(text)):
        if at < pos and (kind == generic or kind.endswith(generic)):
            return title
    return None


def _expand(citations: tuple[Citation, ...], unit: str, text: str, offset: int,
            mentions: list[tuple[int, str, str]]) -> tuple[Citation, ...]:
    out = []
    for c in citations:
        if title_key(c.title) in GENERIC:
            local = unit.find(f"《{c.title}》{c.article or ''}")
            local = unit.find(f"《{c.title}》") if local < 0 else local
            pos = offset + local if offset >= 0 and local >= 0 else -1
            full = named_before(text, pos, title_key(c.title), mentions) if pos >= 0 else \
                named_before(unit, max(local, 0), title_key(c.title))
            if full:
                c = replace(c, title=full)
        out.append(c)
    return tuple(dict.fromkeys(out))


def with_full_names(notice: Notice, text: str) -> Notice:
    """The notice with each bare 《条例》/《准则》… citation named after the rule the text last named in full
    before it (the previously named 条例), so it resolves like a full citation; a bare name with no full
    mention before it stays as written."""
    if not any(title_key(c.title) in GENERIC for c in notice.citations):
        return notice
    mentions = _antecedents(text)

    def unit(cits: tuple[Citation, ...], own: str) -> tuple[Citation, ...]:
        return _expand(cits, own, text, text.find(own) if own else -1, mentions)

    def problem(p: Problem) -> Problem:
        return replace(p, citations=unit(p.citations, p.text),
                       measures=tuple(replace(m, citations=unit(m.citations, m.text)) for m in p.measures),
                       subproblems=tuple(problem(s) for s in p.subproblems))

    def category(c: Category) -> Category:
        return replace(c, problems=tuple(problem(p) for p in c.problems))

    return replace(notice, citations=unit(notice.citations, text),
                   categories=tuple(category(c) for c in notice.categories))


__all__ = ["GENERIC", "PARTY_FOLDER", "PARTY_LEVEL", "RULE_KIND", "cites_rule", "in_party_folder",
           "is_party_rule", "kind_of", "level_of", "named_before", "with_full_names", "without_variant"]
