"""《…》 citations and the title forms used to match them to regulations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .kinds import MentionKind
from .models import Citation
from .numerals import cn_to_int

_ARTICLE_NUM = r"[一二三四五六七八九十百千零〇两\d]+"
_CITATION = re.compile(rf"《([^《》\n]{{1,120}})》(?:(?:的|中|规定的|有关)?\s*(第({_ARTICLE_NUM})条(?:第{_ARTICLE_NUM}款)?))?")
# prefixes that a short title drops: 中华人民共和国政府采购法 → 政府采购法
_PREFIXES = ("中华人民共和国", "中国共产党", "全国人民代表大会常务委员会关于", "全国人大常委会关于")
_VARIANT_SUFFIX = re.compile(r"[(（](?:试行|暂行|草案|修订|修正|[0-9]{4}年?修订|[0-9]{4}年?修正)[)）]$")


def find_citations(text: str) -> tuple[Citation, ...]:
    """Every 《title》 in text, with the 第…条 that directly follows it; repeats kept once."""
    seen: set[tuple[str, str | None]] = set()
    out: list[Citation] = []
    for m in _CITATION.finditer(text):
        title = m.group(1).strip()
        if not title:
            continue
        article = m.group(2)
        key = (title, article)
        if key in seen:
            continue
        seen.add(key)
        out.append(Citation(title=title, article=article,
                            article_number=cn_to_int(m.group(3)) if m.group(3) else None))
    return tuple(out)


def title_key(title: str) -> str:
    """Comparable form of a title: no brackets of either width, no 〈〉, no spaces."""
    title = title.replace("〈", "").replace("〉", "").replace("<", "").replace(">", "")
    title = title.replace("（", "(").replace("）", ")")
    return re.sub(r"[\s《》“”\"]", "", title)


# what short_title can change: a prefix's first character, brackets, quotes, spaces (title_key's and the suffix's)
_MAY_SHORTEN = re.compile(r"^[中全]|[\s〈〉<>（）()《》“”\"]")


def short_title(title: str) -> str:
    """The title without 中华人民共和国 and the like, and without (试行)/(暂行)."""
    # most strings asked about are none of that: a query's every substring is (indexer.query.find_citation)
    return _short_title(title) if _MAY_SHORTEN.search(title) else title


def _short_title(title: str) -> str:
    key = title_key(title)
    for prefix in _PREFIXES:
        # 中国共产党章程 stays whole (its short name 党章 is an alias, not a prefix cut)
        if key.startswith(prefix) and len(key) >= len(prefix) + (2 if prefix == "中华人民共和国" else 4):
            key = key[len(prefix):]
            break
    return _VARIANT_SUFFIX.sub("", key)


# what kind of text a title names: an abbreviation keeps its title's kind (保密法 … 法, 招投标法实施条例 … 实施条例)
# (only laws' and 条例's names: 议事规则, 工作规定 and the like are words of their own, not abbreviations)
_KIND_SUFFIX = re.compile(r"(?:实施条例|实施细则|实施办法|条例|法)$")


def is_abbreviation(short: str, full: str) -> bool:
    """Whether `short` abbreviates the title `full` by the general rules staff use, with no per-law entry:
    dropping characters (保密法 ↔ 保守国家秘密法, 招投标法 ↔ 招标投标法, 残保法 ↔ 残疾人保障法) or a
    leading qualifier (政务处分法 ↔ 公职人员政务处分法), keeping the first character and the kind suffix."""
    if len(short) < 3 or len(short) >= len(full):
        return False
    kind = _KIND_SUFFIX.search(short)
    if kind is None or not full.endswith(kind.group(0)):
        return False
    if full.endswith(short) and len(short) >= 4:
        return True
    if short[0] != full[0]:
        return False
    it = iter(full)
    return all(ch in it for ch in short)  # a subsequence: every character, in order


def abbreviation_match(short: str, keys: Iterable[str]) -> str | None:
    """The one title of `keys` that `short` abbreviates best: the fewest dropped characters, national titles
    (no 省/市 prefix) first; None when none or several equally good ones."""
    found = sorted((len(k) - len(short), bool(_LOCAL.match(k)), k) for k in keys if is_abbreviation(short, k))
    if not found:
        return None
    if len(found) > 1 and found[0][:2] == found[1][:2]:
        return None
    return found[0][2]


_LOCAL = re.compile(r".{1,8}?(?:省|市|自治区|自治州|县)")


# what regulations and normative documents are called (法 but not 方法/做法/看法…, 意见/通知/决定/方案 included);
# a 《…》 named otherwise is a book, article, speech, film or plan: a mention of kind other
_REGULATION_NAME = re.compile(r"(?:(?<![方做想看说写用手语兵疗])法|法典|条例|规定|办法|细则|准则|规则|制度|规范|意见|通知|决定|"
                              r"方案|章程|党章|规程|守则|标准|解释|规章|公约)$")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")  # (试行), (2021年修订), (2021-2025年), (草案)


def mention_kind(title: str, known: Callable[[str], bool] | None = None) -> MentionKind:
    """The one classification of a 《…》 title (cross-check, stats, exports): a regulation by what regulations are
    called (条例, 规定, 办法, …, 意见, 通知, 决定, 方案), or by `known` (the archive holds a regulation of that title);
    anything else — 《杨石先》, 《…这“三问”振聋发聩》, 《国家人权行动计划(2021-2025年)》 — is OTHER."""
    key = title_key(title)
    while _TRAILING_NOTE.search(key):
        key = _TRAILING_NOTE.sub("", key)
    if _REGULATION_NAME.search(key):
        return MentionKind.REGULATION
    return MentionKind.REGULATION if known is not None and known(title) else MentionKind.OTHER
