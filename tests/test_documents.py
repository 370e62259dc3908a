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
