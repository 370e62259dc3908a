"""The check page at a glance (issue 33): each measure of a notice is found, none or abstained.

- found: a citation of the measure resolves to an article in the archive, or the engine suggests ≥ 1 article;
- abstained: neither, and the suggestion engine had candidates but abstained (too unsure to suggest any:
  the page says 未找到把握较大的对照条文);
- none: neither, and no suggestion was asked for (no index, or `--suggest 0`), so nothing was weighed.

Computed from the CheckReport only: `MeasureCheck.abstained` (suggestions asked for, none kept) says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from archive.crosscheck import CheckReport, MeasureCheck


class Outcome(StrEnum):
    FOUND = "found"
    NONE = "none"
    ABSTAINED = "abstained"


SHOW: dict[str, str] = {"": "全部措施", Outcome.FOUND: "找到对照条文", Outcome.NONE: "无对照条文",
                        Outcome.ABSTAINED: "把握不足未建议"}


def outcome(report: CheckReport, m: MeasureCheck) -> Outcome:
    """What the check found for one measure."""
    if m.suggested or any(c.resolution.article_id for c in report.in_unit(m.measure_id)):
        return Outcome.FOUND
    return Outcome.ABSTAINED if m.abstained else Outcome.NONE


@dataclass(frozen=True, slots=True)
class Glance:
    """Each measure's outcome and how many measures have each."""

    outcomes: dict[str, Outcome]

    def count(self, which: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == which)

    def shows(self, measure_id: str, show: str) -> bool:
        """Whether the filter ?show= keeps this measure ('' keeps every one)."""
        return not show or self.outcomes.get(measure_id) == show


def glance(report: CheckReport) -> Glance:
    return Glance({m.measure_id: outcome(report, m) for m in report.measures})
