"""Ids of documents and of the units inside them: built and parsed here and nowhere else.

A document's id is stable for its path; units append to it: DOC-cN (category), DOC-pN (problem,
numbered in document order), DOC-pN-mM (measure M of that problem), DOC-aN (article, in order).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_UNIT = re.compile(r"^(?P<doc>[0-9A-Za-z_]+)-(?:(?P<kind>[cpa])(?P<n>\d+)(?:-m(?P<m>\d+))?)$")


def document_id(resolved_path: str) -> str:
    """A document's id: stable for its path, so links survive re-ingest of a changed file."""
    return hashlib.sha1(resolved_path.encode("utf-8")).hexdigest()[:12]


def category_id(doc_id: str, ordinal: int) -> str:
    return f"{doc_id}-c{ordinal}"


def problem_id(doc_id: str, ordinal: int) -> str:
    return f"{doc_id}-p{ordinal}"


def measure_id(problem: str, number: int) -> str:
    return f"{problem}-m{number}"


def article_id(doc_id: str, ordinal: int) -> str:
    return f"{doc_id}-a{ordinal}"


@dataclass(frozen=True, slots=True)
class UnitId:
    """A parsed unit id."""

    doc_id: str
    kind: str  # "c", "p", "a"; a measure is kind "p" with a measure number
    ordinal: int
    measure: int | None = None

    @property
    def problem_id(self) -> str | None:
        """The problem a problem or measure id belongs to."""
        return problem_id(self.doc_id, self.ordinal) if self.kind == "p" else None


def parse_unit(unit_id: str) -> UnitId | None:
    """The parts of a unit id, or None for a document id or anything else."""
    m = _UNIT.match(unit_id)
    if m is None:
        return None
    return UnitId(m["doc"], m["kind"], int(m["n"]), int(m["m"]) if m["m"] else None)


def problem_of(unit_id: str) -> str | None:
    """The problem id of a problem or measure id (None for other ids)."""
    parsed = parse_unit(unit_id)
    return parsed.problem_id if parsed else None
