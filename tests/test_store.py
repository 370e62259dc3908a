"""The store's migrations and its write transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import store


def test_a_new_archive_is_migrated_to_the_latest_schema(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "a.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == len(store.MIGRATIONS)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"documents", "categories", "problems", "measures", "articles", "citations", "figures", "warnings",
            "ingest_log"} <= tables


def test_migrations_apply_step_by_step_and_only_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.sqlite3"
    store.connect(path).close()
    extra = "CREATE TABLE extra_table (id INTEGER PRIMARY KEY)"
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, extra])
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(store.MIGRATIONS))
    conn = store.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(store.MIGRATIONS)
    assert conn.execute("SELECT COUNT(*) FROM extra_table").fetchone()[0] == 0
    conn.close()
    store.connect(path).close()  # applying again would fail: the table exists


def test_a_newer_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    conn = store.connect(path)
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this xuncha"):
        store.connect(path)


def test_a_failing_transaction_rolls_back_and_re_raises(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "a.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction(conn):
            store.log(conn, "a.txt", "added", None, None)
            conn.execute("INSERT INTO documents (id) VALUES ('x')")  # NOT NULL columns missing
    assert conn.execute("SELECT COUNT(*) FROM ingest_log").fetchone()[0] == 0


def test_newest_documents_of_a_type(sample_settings) -> None:  # type: ignore[no-untyped-def]
    """What `xuncha serve` warms: the newest notices, read without every other document's text."""
    from archive.database import Archive
    from archive.kinds import DocType

    with Archive.open(sample_settings.db_path) as a:
        got = a.documents_of_type(DocType.NOTICE, 2)
        every = sorted((d for d in a.documents() if d.doc_type == DocType.NOTICE),
                       key=lambda d: d.published or "", reverse=True)
        assert len(got) == 2 and all(d.doc_type == DocType.NOTICE for d in got)
        assert [d.published for d in got] == [d.published for d in every[:2]]
