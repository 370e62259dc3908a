"""TokenStore: segmented text kept by content hash, so that rebuilds and re-ingests segment nothing twice.

Derived data beside the index, never part of the record: deleting the file costs one slower build.
What is kept is opaque here (the indexer encodes its tokens); a store is valid for one `version`
(the indexer's analysis and dictionary versions), and opening it under another empties it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .store import transaction

_CHUNK = 500  # keys per SELECT (well under SQLite's variable limit)


class TokenStore:
    """One open token store file: get and put blobs by key, in batches."""

    def __init__(self, path: Path, version: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.version = path, version
        self.conn = sqlite3.connect(path, timeout=120, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        with transaction(self.conn) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS tokens (key BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID")
            row = conn.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
            if row is None or row[0] != version:
                conn.execute("DELETE FROM tokens")
                conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('version', ?)", (version,))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> TokenStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """The kept data of those keys that are here."""
        keys = list(keys)
        out: dict[bytes, bytes] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            rows = self.conn.execute(f"SELECT key, data FROM tokens WHERE key IN ({','.join('?' * len(chunk))})",
                                     chunk)
            out.update(rows.fetchall())
        return out

    def put(self, items: Mapping[bytes, bytes]) -> None:
        """Keep these (one transaction: all or none)."""
        if items:
            with transaction(self.conn) as conn:
                conn.executemany("INSERT OR REPLACE INTO tokens (key, data) VALUES (?, ?)", items.items())

    def keep_only(self, keys: Iterable[bytes]) -> int:
        """Drop every entry whose key is not among `keys` (after a full build: what no unit uses); how many went."""
        with transaction(self.conn) as conn:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS used (key BLOB PRIMARY KEY) WITHOUT ROWID")
            conn.execute("DELETE FROM used")
            conn.executemany("INSERT OR IGNORE INTO used (key) VALUES (?)", ((k,) for k in keys))
            gone = conn.execute("DELETE FROM tokens WHERE key NOT IN (SELECT key FROM used)").rowcount
            conn.execute("DELETE FROM used")
        return gone

    def values(self) -> Iterator[bytes]:
        """Every kept blob, in key order (what a build learns related words from: indexer/related.py)."""
        for (data,) in self.conn.execute("SELECT data FROM tokens ORDER BY key"):
            yield data

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0])


@contextmanager
def open_store(path: Path | None, version: str) -> Iterator[TokenStore | None]:
    """A token store at `path` (None: no store, everything is segmented)."""
    if path is None:
        yield None
        return
    ts = TokenStore(path, version)
    try:
        yield ts
    finally:
        ts.close()
