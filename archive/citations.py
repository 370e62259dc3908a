"""《…》 citations and the title forms used to match them to regulations."""

from __future__ import annotations

import re

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


def short_title(title: str) -> str:
    """The title without 中华人民共和国 and the like, and without (试行)/(暂行)."""
    key = title_key(title)
    for prefix in _PREFIXES:
        # 中国共产党章程 stays whole (its short name 党章 is an alias, not a prefix cut)
        if key.startswith(prefix) and len(key) >= len(prefix) + (2 if prefix == "中华人民共和国" else 4):
            key = key[len(prefix):]
            break
    return _VARIANT_SUFFIX.sub("", key)
