"""Statistics across the archive for /stats and /api/stats: counts only, read in a few GROUP BY queries.

Rectification status (整改状态) is the problems' stated status (a RectStatus value; '' where the notice
states none).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from .citations import mention_kind
from .kinds import CitationStatus, DocType, MentionKind

if TYPE_CHECKING:
    from .database import Archive

TOP = 15
NO_DATE = "日期不明"
NO_PUBLISHER = "发布单位不明"


@dataclass(frozen=True, slots=True)
class Count:
    """One bar: a label and how many; title and article say what a citation bar counts."""

    label: str
    count: int
    title: str | None = None
    article: str | None = None


@dataclass(frozen=True, slots=True)
class Unresolved:
    title: str
    status: str  # not_in_archive | ambiguous | not_a_regulation | internal
    label: str  # the status in Chinese, as the cross-check shows it
    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    documents: int
    notices: int
    regulations: int
    problems: int
    measures: int
    citations: int
    problems_by_category: tuple[Count, ...]
    notices_by_year: tuple[Count, ...]
    notices_by_publisher: tuple[Count, ...]
    status_available: bool
    problems_by_status: tuple[Count, ...]
    cited_regulations: tuple[Count, ...]
    cited_articles: tuple[Count, ...]
    unresolved: tuple[Unresolved, ...]
    measures_per_problem: tuple[Count, ...]  # label: the number of measures; count: problems with that many

    def to_json(self) -> dict:
        return asdict(self)


def document_count(archive: Archive) -> int:
    return archive.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


def _counts(archive: Archive, sql: str, params: tuple = ()) -> tuple[Count, ...]:  # type: ignore[type-arg]
    return tuple(Count(r[0], r[1]) for r in archive.conn.execute(sql, params))


def _unresolved(archive: Archive) -> tuple[Unresolved, ...]:
    """Citations that lead to no regulation in the archive, resolved as the cross-check does (archive.crosscheck)."""
    from .crosscheck import check_notice

    counts: Counter[tuple[str, str, str, str]] = Counter()
    for doc in archive.documents_of_type(DocType.NOTICE):
        for c in check_notice(archive, doc).citations:
            if c.status != "resolved":
                counts[(c.title, str(c.status), c.label, c.resolution.reason)] += 1
    # the whole row breaks ties, so the order does not depend on the order notices are read in
    return tuple(Unresolved(t, s, label, reason, n) for (t, s, label, reason), n in
                 sorted(counts.items(), key=lambda kv: (-kv[1], *kv[0])))


def regulations_only(archive: Archive, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    """The first TOP rows (title first, ordered by count) whose title names a regulation (citations.mention_kind:
    by its name, or a regulation of the archive): books, articles, speeches and plans are mentions, not cited
    regulations."""
    from .resolve import Catalog

    catalog: Catalog | None = None
    kinds: dict[str, MentionKind] = {}

    def known(title: str) -> bool:
        nonlocal catalog
        catalog = catalog or Catalog.of(archive)
        return catalog.resolve(title).status == CitationStatus.RESOLVED

    out = []
    for row in archive.conn.execute(sql):
        title = row[0]
        if title not in kinds:
            kinds[title] = mention_kind(title, known)
        if kinds[title] is MentionKind.REGULATION:
            out.append(tuple(row))
            if len(out) == TOP:
                break
    return out


def archive_stats(archive: Archive) -> ArchiveStats:
    """Every figure /stats draws."""
    by_type = dict(archive.conn.execute("SELECT doc_type, COUNT(*) FROM documents GROUP BY doc_type").fetchall())
    by_status = _counts(archive, "SELECT COALESCE(status, '') AS s, COUNT(*) FROM problems "
                                 "GROUP BY s ORDER BY COUNT(*) DESC, s")
    per_problem = _counts(archive, """SELECT CAST(n AS TEXT), COUNT(*) FROM (
            SELECT p.id, COUNT(m.id) AS n FROM problems p LEFT JOIN measures m ON m.problem_id = p.id GROUP BY p.id)
            GROUP BY n ORDER BY n""")
    return ArchiveStats(
        documents=sum(by_type.values()), notices=by_type.get("notice", 0), regulations=by_type.get("regulation", 0),
        problems=archive.conn.execute("SELECT COUNT(*) FROM problems").fetchone()[0],
        measures=archive.conn.execute("SELECT COUNT(*) FROM measures").fetchone()[0],
        citations=archive.conn.execute("SELECT COUNT(*) FROM citations WHERE problem_id IS NOT NULL").fetchone()[0],
        problems_by_category=_counts(archive, """SELECT c.title, COUNT(p.id) FROM problems p
            JOIN categories c ON c.id = p.category_id GROUP BY c.title ORDER BY COUNT(p.id) DESC, c.title LIMIT ?""",
                                     (TOP,)),
        notices_by_year=_counts(archive, """SELECT COALESCE(NULLIF(substr(published, 1, 4), ''), ?) AS y, COUNT(*)
            FROM documents WHERE doc_type = 'notice' GROUP BY y ORDER BY y""", (NO_DATE,)),
        notices_by_publisher=_counts(archive, """SELECT COALESCE(NULLIF(publisher, ''), ?) AS p, COUNT(*)
            FROM documents WHERE doc_type = 'notice' GROUP BY p ORDER BY COUNT(*) DESC, p LIMIT ?""",
                                     (NO_PUBLISHER, TOP)),
        status_available=any(c.label for c in by_status), problems_by_status=by_status,
        cited_regulations=tuple(Count(f"《{t}》", n, t) for t, n in regulations_only(archive, """
            SELECT title, COUNT(*) FROM citations WHERE problem_id IS NOT NULL GROUP BY title
            ORDER BY COUNT(*) DESC, title""")),
        cited_articles=tuple(Count(f"《{t}》{a}", n, t, a) for t, a, n in regulations_only(archive, """
            SELECT title, article, COUNT(*) FROM citations WHERE problem_id IS NOT NULL AND article IS NOT NULL
            GROUP BY title, article ORDER BY COUNT(*) DESC, title, article""")),
        unresolved=_unresolved(archive), measures_per_problem=per_problem)
