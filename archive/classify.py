"""classify: notice, regulation or other."""

from __future__ import annotations

import re

_NOTICE_TITLE = re.compile(r"(?:巡察|巡视).{0,20}整改|整改.{0,10}(?:通报|情况)")
_NOTICE_LEAD = re.compile(r"(?:巡察|巡视)[^。]{0,60}(?:整改|反馈)")
_REG_TITLE = re.compile(r"(?:法|条例|规定|办法|规则|细则|规范|准则|章程|决定|解释|标准|制度|规程|纲要|意见)"
                        r"(?:\((?:试行|暂行|草案)\))?$")
_ARTICLE_LINE = re.compile(r"^第[一二三四五六七八九十百千零〇\d]+条", re.M)
_PROBLEM_LINE = re.compile(r"^\d{1,3}[.．、]", re.M)


def classify(text: str, title: str | None = None) -> str:
    """notice (巡察/巡视整改情况…), regulation (章/条 structure, 法/条例/规定…) or other."""
    title = (title or "").strip()
    head = text[:800]
    if _NOTICE_TITLE.search(title) or (_NOTICE_LEAD.search(head) and "整改" in text[:3000]
                                       and len(_PROBLEM_LINE.findall(text)) >= 2):
        return "notice"
    articles = len(_ARTICLE_LINE.findall(text))
    if articles >= 2 and (_REG_TITLE.search(title) or articles >= 5):
        return "regulation"
    return "other"
