"""The words that frame a finding (针对…问题, 落实不到位, 不规范, 存在, 管理), left out of a long query.

A pasted problem title (issue 31's `title` kind) is mostly the genre's frame around the few words that say what went
wrong: 关于意识形态工作责任制落实不到位、阵地管理存在薄弱环节的问题. Every finding of the archive is worded in that frame,
so a query that keeps those words ranks any finding sharing them (落实, 不到位, 存在, 问题) beside the ones about the same
fault, and notices' problems crowd out the articles and measures. This is verbose-query reduction (Kumaran and
Carvalho 2009; Bendersky and Croft 2008) with the frame the archive's linking already reads off its findings: a word
is frame when each of its character bigrams is one of how a finding is worded (archive.faults.FRAME, beside
archive.titles.MORE_FRAME) — the same lists that keep 落实不到位 from making two findings the same fault.

Learning the frame from the archive's own problem titles alone (a word in ≥ 5% of them) was tried first and
rejected: on the sample archive's 134 titles it took topic words as frame (采购 8%, 拆分, 规避, 决策, 超标准). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.faults import FRAME
from archive.titles import MORE_FRAME

_BIGRAMS = FRAME | MORE_FRAME


@dataclass(frozen=True, slots=True)
class FrameOptions:
    """When a long query's frame words are left out (SearchOptions.frame; None: off)."""

    min_words: int = 6  # a query of fewer content words keeps them all (a short query's every word is chosen)
    keep: int = 2  # … and so does one that would keep fewer than this many

    def __post_init__(self) -> None:
        if self.min_words < 1 or self.keep < 1:
            raise ValueError(f"frame options out of range: {self}")


def is_frame(word: str) -> bool:
    """Whether a word (two characters or more) is all frame: 落实, 不到位, 不规范, 存在, 问题; not 公车私用, 程序."""
    return len(word) > 1 and all(word[i:i + 2] in _BIGRAMS for i in range(len(word) - 1))
