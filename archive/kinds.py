"""The kinds and statuses every layer shares, as StrEnums (their values are the stored and JSON strings)."""

from __future__ import annotations

from enum import StrEnum


class DocType(StrEnum):
    """What a document is."""

    NOTICE = "notice"
    REGULATION = "regulation"
    OTHER = "other"


class Grain(StrEnum):
    """The four grains the archive searches at (`kind` in the index and the JSON)."""

    DOCUMENT = "document"
    PROBLEM = "problem"
    MEASURE = "measure"
    ARTICLE = "article"


class VersionStatus(StrEnum):
    """A regulation version's standing among the versions of the same title."""

    CURRENT = "现行有效"
    SUPERSEDED = "已修订"
    UNDATED = "版本不明"


class CitationStatus(StrEnum):
    """Where a 《…》 citation leads."""

    RESOLVED = "resolved"
    NOT_IN_ARCHIVE = "not_in_archive"
    AMBIGUOUS = "ambiguous"
    NOT_A_REGULATION = "not_a_regulation"
    INTERNAL = "internal"


class RectStatus(StrEnum):
    """How far the rectification of one problem has come, as the notice or ledger states it (issue 12)."""

    DONE = "done"  # 已完成整改
    IN_PROGRESS = "in_progress"  # 正在整改
    NOT_DONE = "not_done"  # 未完成
    ONGOING = "ongoing"  # 长期坚持


class MentionKind(StrEnum):
    """What a 《…》 names (archive/citations.py mention_kind): a regulation, or a book, article, speech, plan…"""

    REGULATION = "regulation"
    OTHER = "other"


class Verdict(StrEnum):
    """An inspector's verdict on a (measure, article) pair on the check page (issue 33)."""

    APPLIES = "适用"
    NOT_APPLIES = "不适用"

    @property
    def keep(self) -> int:
        """The grade of benchmarks/quality/suggestions.py's judged pairs: 适用 → keep 1, 不适用 → keep 0."""
        return 1 if self is Verdict.APPLIES else 0


class ReportStage(StrEnum):
    """Where a notice stands in its unit's inspection round (issue 30), read from its title and lead."""

    FEEDBACK = "feedback"  # 反馈意见: what the inspection group reported to the unit
    RECTIFICATION = "rectification"  # 整改情况的通报 / 报告: the unit's report after the feedback
    PROGRESS = "progress"  # 整改进展情况, 阶段性进展, 持续整改: a later report of the same round
    REVISIT = "revisit"  # 巡察“回头看”: the inspection that comes back to check the rectification
