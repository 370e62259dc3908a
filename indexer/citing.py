"""Article-level evidence for a citation query (issue 31, method 3), backend-neutral.

A query naming a law and an article (`招标投标法实施条例 第四十条`) finds the cited article first; the rest of the list
is weak. The articles the cited one refers to inside its own law (`依照本法第十二条`, `违反第三十二条规定`, `前条`) are
what a reader of it turns to next: they become scored candidates, an Or of (regulation, article number, version)
clauses with their own boost, added to the query and run again. The same article's other versions and the measures
citing it are already in the citation clause (indexer/query.py: the anchor without a version, `cites key#N`).

References to another law's article (`《刑法》第二百七十七条`) are left out: the law is not this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.numerals import cn_to_int

from . import querytree as T

_REF = re.compile(r"(《[^》]{1,60}》)?第([零〇一二三四五六七八九十百千两]+)条(?!之)")


@dataclass(frozen=True, slots=True)
class CitedOptions:
    """The referenced articles' boost and number (SearchOptions.cited; None: off). Set on the tune split."""

    weight: float = 8.0  # a referenced article's score (the cited article's is query.W_CITED_ARTICLE, 40)
    limit: int = 5  # referenced articles at most, in the order the text names them

    def __post_init__(self) -> None:
        if self.weight <= 0 or self.limit < 1:
            raise ValueError(f"cited options out of range: {self}")


def references(text: str, own: int, limit: int = 5) -> tuple[int, ...]:
    """The article numbers of its own law an article's text refers to (its own number left out), in order."""
    out: list[int] = []
    for m in _REF.finditer(text):
        if m.group(1):  # another law's article
            continue
        n = cn_to_int(m.group(2))
        if n and n != own and n not in out:
            out.append(n)
    if "前条" in text and own > 1 and own - 1 not in out:
        out.append(own - 1)
    return tuple(out[:limit])


def evidence(key: str, version: str | None, numbers: tuple[int, ...], weight: float) -> T.Node | None:
    """The referenced articles as one clause: each the regulation's article of that number (in that version)."""
    clauses: list[T.Node] = []
    for n in numbers:
        parts: list[T.Node] = [T.Term("reg_key", key), T.Term("article_num", n)]
        if version:
            parts.append(T.Term("version", version))
        clauses.append(T.And(tuple(parts), boost=weight))
    return T.Or(tuple(clauses)) if clauses else None
