"""Grain records: the cited-article keys the index gets from the archive."""

from __future__ import annotations

from archive.database import Archive
from indexer.documents import grain_records


def test_measures_carry_the_article_they_cite(indexed_settings) -> None:  # type: ignore[no-untyped-def]
    archive = Archive.open(indexed_settings.db_path)
    conn = archive.conn
    try:
        row = conn.execute("SELECT c.title, c.article_number, c.measure_id FROM citations c "
                           "WHERE c.measure_id IS NOT NULL AND c.article_number IS NOT NULL LIMIT 1").fetchone()
        doc_id = conn.execute("SELECT doc_id FROM measures WHERE id = ?", (row["measure_id"],)).fetchone()[0]
        rec = next(r for r in grain_records(archive, [doc_id]) if r["id"] == row["measure_id"])
    finally:
        archive.close()
    keys = rec["cites"].split(",")
    assert any(k.endswith(f"#{row['article_number']}") for k in keys), keys


def test_problems_carry_their_recurring_and_common_marks(indexed_settings) -> None:  # type: ignore[no-untyped-def]
    """Issue 30's facets: yes|no on every problem record, none on the other grains; the notice's document
    record carries the key of its problems' marks (what an update compares)."""
    from indexer.documents import link_digest

    with Archive.open(indexed_settings.db_path) as archive:
        marks = archive.problem_marks()
        clustered = {m.doc_id for m in marks.values() if m.cluster_id is not None}
        assert clustered
        doc_id = sorted(clustered)[0]
        records = list(grain_records(archive, [doc_id]))
        mine = {k: m for k, m in marks.items() if m.doc_id == doc_id}
    problems = [r for r in records if r["kind"] == "problem"]
    assert {r["id"] for r in problems} == set(mine)
    for r in problems:
        assert r["common"] == ("yes" if mine[r["id"]].cluster_id is not None else "no")
        assert r["recurring"] == ("yes" if mine[r["id"]].recurring else "no")
    assert "yes" in {r["common"] for r in problems}
    assert all("recurring" not in r and "common" not in r for r in records if r["kind"] != "problem")
    doc = next(r for r in records if r["kind"] == "document")
    assert doc["links"] == link_digest(mine.values()) != ""
