"""A ledger's header and footer rows: 填报单位：…  填报日期：… (and 填报人 / 审核人 beside them).

Ledgers (整改台账) state who files them and when in a row above or below the table, not in a signature:
`填报单位：中共某县某局党组    填报日期：2023年7月20日`, often with 填报人：… and 审核人：… in the same
row or the next. meta_row tells such a row; row_meta reads the publisher and the date out of it. Both are
pure, for .xlsx sheets and .docx tables and paragraphs alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..figures import find_dates

_SEAL = r"(?:[(（](?:盖章|公章|签章|签字|签名)[)）])?"
_UNIT = r"填报单位|报送单位|填表单位|编制单位|制表单位|上报单位|单位名称"
_DATE = r"填报日期|填报时间|填表日期|填表时间|报送日期|报送时间|上报日期|制表日期|编制日期|日期|时间"
_PERSON = r"填报人|填表人|制表人|审核人|审核|审批人|负责人|联系人|经办人|单位负责人|主要负责人|分管领导|联系电话|电话|手机"
_LABEL = re.compile(rf"(?P<label>{_UNIT}|{_PERSON}|{_DATE}){_SEAL}\s*[:：]")
# a row is a header or footer row when it opens with one of these labels (a ledger cell never does)
_OPENS = re.compile(rf"^\s*(?:{_UNIT}|{_PERSON}|{_DATE}){_SEAL}\s*[:：]")
_IS_UNIT = re.compile(rf"^(?:{_UNIT})")
_IS_DATE = re.compile(rf"^(?:{_DATE})$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TRIM = " \t\u3000|｜,，;；。"


def meta_row(cells: Iterable[str]) -> bool:
    """Whether a row (its cells) is a 填报单位 / 填报日期 / 填报人 row rather than part of the table."""
    filled = [c for c in cells if c and c.strip()]
    return bool(filled) and bool(_OPENS.match(filled[0]))


def _values(line: str) -> list[tuple[str, str]]:
    """(label, value) pairs of one line; a value runs to the next label, its own cell's end, or a wide gap."""
    found = list(_LABEL.finditer(line))
    out = []
    for m, nxt in zip(found, found[1:] + [None]):
        value = line[m.end(): nxt.start() if nxt else len(line)]
        value = re.split(r"\s{2,}|\u3000|\s*[|｜]\s*", value.strip(_TRIM), maxsplit=1)[0] if value else ""
        value = re.sub(_SEAL + r"$", "", value.strip(_TRIM)).strip(_TRIM)
        out.append((m.group("label"), value))
    return out


def row_meta(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The publisher (填报单位) and ISO date (填报日期) that header and footer lines state; the first of each."""
    publisher = published = None
    for line in lines:
        for label, value in _values(line):
            if publisher is None and _IS_UNIT.match(label) and _CJK.search(value) and len(value) <= 40:
                publisher = value
            elif published is None and _IS_DATE.match(label):
                dates = [d for d in find_dates(value) if d.kind == "date"]
                if dates:
                    published = dates[0].value
    return publisher, published
