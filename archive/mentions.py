"""The cross-check's outcome of a 《…》 under the one classification of titles (citations.mention_kind).

A title the archive resolves is a regulation whatever it is called. Otherwise its name decides: a book,
article, speech or plan (mention of kind other) is not_a_regulation; a title named like a regulation
(…条例, …意见, …通知, …方案) that the archive lacks is not_in_archive, unless resolve found it the unit's own.
"""

from __future__ import annotations

from .citations import mention_kind
from .kinds import CitationStatus, MentionKind
from .resolve import Resolution

OTHER_REASON = "书籍、文章、讲话、影视或计划等，不是法规"
_KEPT = (CitationStatus.RESOLVED, CitationStatus.AMBIGUOUS, CitationStatus.INTERNAL)


def as_mention(resolution: Resolution, title: str) -> Resolution:
    """The resolution the cross-check reports for 《title》 (stats and exports read the cross-check)."""
    if resolution.status in _KEPT:
        return resolution
    if mention_kind(title) is MentionKind.OTHER:
        if resolution.status is CitationStatus.NOT_A_REGULATION:
            return resolution
        return Resolution(CitationStatus.NOT_A_REGULATION, OTHER_REASON)
    if resolution.status is CitationStatus.NOT_A_REGULATION:
        return Resolution(CitationStatus.NOT_IN_ARCHIVE, "档案中没有这部法规（按名称是法规或规范性文件）")
    return resolution
