"""Inspectors' reviews of recurring links (issue 30: "precision first"): a reviewer says of two problems of one unit's
two rounds that they are the same fault (屡改屡犯, confirmed) or not (rejected), and every relink after holds to it.

Record linkage keeps a clerical review beside the matcher for the pairs it cannot decide (Fellegi–Sunter's possible
matches; dedupe's and Splink's labelled pairs). Here the matcher's recurring bar is chosen on the judged pairs; what it
still gets wrong is mostly two sibling faults of one area (benchmarks/quality/links/results.md), which an inspector
tells apart at a glance. A review is kept by problem ids (stable for a notice's path and its problems' order,
archive/ids.py) together with the titles the reviewer saw: after a re-ingest that changed either title the review no
longer holds (`stale`) and the link is the matcher's again, never silently moved to another finding.

A rejected pair is taken out before the rounds are aligned (pairlinks.recurring), so the later problem may align
with another earlier one; a confirmed pair is a recurring link whatever its score, in place of the link either of
its problems had to the other's round. Same-round links and common clusters are not reviewed here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Review(StrEnum):
    """A reviewer's verdict on two problems of one unit's two rounds."""

    SAME = "same"  # the same fault came back: 屡改屡犯, confirmed
    DIFFERENT = "different"  # not the same fault: the link is rejected


REVIEW_LABELS = {Review.SAME: "已确认为同一问题", Review.DIFFERENT: "已否定：不是同一问题"}


@dataclass(frozen=True, slots=True)
class LinkReview:
    """One review: problems a < b (ids), the verdict, the titles the reviewer saw, who and when."""

    a: str
    b: str
    verdict: Review
    a_title: str
    b_title: str
    user: str
    at: str

    def holds(self, titles: Mapping[str, str]) -> bool:
        """Whether both problems are still in the archive under the titles reviewed."""
        return titles.get(self.a) == self.a_title and titles.get(self.b) == self.b_title

    def to_json(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "verdict": str(self.verdict), "user": self.user, "at": self.at}


@dataclass(frozen=True, slots=True)
class Reviewed:
    """The pairs (a < b) the reviews that hold confirm and reject: what linking reads."""

    same: frozenset[tuple[str, str]] = frozenset()
    different: frozenset[tuple[str, str]] = frozenset()


def ordered(a: str, b: str) -> tuple[str, str]:
    """A pair's key: its two problem ids in order."""
    return (a, b) if a < b else (b, a)


def holding(reviews: Iterable[LinkReview], titles: Mapping[str, str]) -> Reviewed:
    """Pure: the reviews that hold over problems id → title."""
    kept = [r for r in reviews if r.holds(titles)]
    return Reviewed(frozenset((r.a, r.b) for r in kept if r.verdict is Review.SAME),
                    frozenset((r.a, r.b) for r in kept if r.verdict is Review.DIFFERENT))


def state_part(reviews: Iterable[LinkReview]) -> list[tuple[str, str, str, str, str]]:
    """What of the reviews the links' state key covers (links.state_key): a new or changed review relinks."""
    return [(r.a, r.b, str(r.verdict), r.a_title, r.b_title) for r in reviews]


# store migration 9 (archive/store.py): one review per pair, the latest; the audit trail keeps who changed it
MIGRATION = """
CREATE TABLE link_reviews (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('same', 'different')),
    a_title TEXT NOT NULL,
    b_title TEXT NOT NULL,
    user_name TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
)
"""


def put_review(conn: sqlite3.Connection, review: LinkReview) -> None:
    """Record a review in the caller's transaction, in place of the pair's earlier one."""
    conn.execute("INSERT OR REPLACE INTO link_reviews (a, b, verdict, a_title, b_title, user_name, at) "
                 "VALUES (?,?,?,?,?,?,?)", (review.a, review.b, str(review.verdict), review.a_title, review.b_title,
                                            review.user, review.at))


def drop_review(conn: sqlite3.Connection, a: str, b: str) -> bool:
    """Remove a pair's review (the link is the matcher's again); False when there was none."""
    return conn.execute("DELETE FROM link_reviews WHERE a = ? AND b = ?", ordered(a, b)).rowcount > 0


class LinkReviewQueries:
    """The typed reads of the reviews (a base of database.Archive)."""

    conn: sqlite3.Connection

    def link_reviews(self) -> tuple[LinkReview, ...]:
        """Every review, in pair order."""
        return tuple(LinkReview(r[0], r[1], Review(r[2]), r[3], r[4], r[5], r[6]) for r in self.conn.execute(
            "SELECT a, b, verdict, a_title, b_title, user_name, at FROM link_reviews ORDER BY a, b"))

    def link_review(self, a: str, b: str) -> LinkReview | None:
        row = self.conn.execute("SELECT a, b, verdict, a_title, b_title, user_name, at FROM link_reviews "
                                "WHERE a = ? AND b = ?", ordered(a, b)).fetchone()
        return LinkReview(row[0], row[1], Review(row[2]), row[3], row[4], row[5], row[6]) if row else None
