"""`xuncha doctor`, archive side: where the SQLite records and the stored originals disagree, and repairs.

The records are the system of record. An original no record names is garbage (removed by --fix); a
record whose original is missing or does not hash to its sha256 is restored from its source file when
that still has the same bytes, else reported (re-ingest it); a leftover temporary file from a killed
ingest is removed; rows whose document is gone are deleted. The index side is indexer/health.py.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from . import store
from .database import Archive

_CHILD_TABLES = ("categories", "problems", "measures", "articles", "citations", "figures", "warnings")


class Finding(StrEnum):
    """Kinds of disagreement."""

    INTEGRITY = "sqlite-integrity"
    ORPHAN_ROWS = "orphan-rows"
    MISSING_ORIGINAL = "missing-original"
    DAMAGED_ORIGINAL = "damaged-original"
    ORPHAN_ORIGINAL = "orphan-original"
    TEMP_FILE = "temp-file"


@dataclass(frozen=True, slots=True)
class Problem:
    """One disagreement: its kind, what it concerns (a document id, a path, a table) and a sentence."""

    kind: Finding
    subject: str
    detail: str


def _original(originals: Path, sha: str, suffix: str) -> Path:
    return originals / sha[:2] / f"{sha}{suffix.lower()}"


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check(archive: Archive, originals: Path) -> list[Problem]:
    """Every disagreement between the records and the originals folder."""
    conn = archive.conn
    problems: list[Problem] = []
    verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        problems.append(Problem(Finding.INTEGRITY, "archive.sqlite3", f"SQLite integrity check: {verdict}"))
    for table in _CHILD_TABLES:
        n = conn.execute(f"SELECT count(*) FROM {table} WHERE doc_id NOT IN (SELECT id FROM documents)").fetchone()[0]
        if n:
            problems.append(Problem(Finding.ORPHAN_ROWS, table, f"{n} rows of {table} belong to no document"))
    wanted: set[Path] = set()
    for r in conn.execute("SELECT id, sha256, suffix, source_path FROM documents ORDER BY id"):
        path = _original(originals, r["sha256"], r["suffix"])
        wanted.add(path)
        if not path.is_file():
            problems.append(Problem(Finding.MISSING_ORIGINAL, r["id"], f"the original of {r['source_path']} is "
                                    f"missing ({path.name})"))
        elif _sha(path) != r["sha256"]:
            problems.append(Problem(Finding.DAMAGED_ORIGINAL, r["id"], f"the original of {r['source_path']} does "
                                    "not match its recorded hash"))
    if originals.is_dir():
        for path in sorted(p for p in originals.rglob("*") if p.is_file()):
            if path.name.startswith(".tmp-"):
                problems.append(Problem(Finding.TEMP_FILE, str(path), "a half-written original left by an "
                                        "interrupted ingest"))
            elif path not in wanted:
                problems.append(Problem(Finding.ORPHAN_ORIGINAL, str(path), "an original no document names"))
    return problems


def _restore(conn: sqlite3.Connection, originals: Path, doc_id: str) -> str:
    r = conn.execute("SELECT sha256, suffix, source_path, resolved_path FROM documents WHERE id = ?",
                     (doc_id,)).fetchone()
    for candidate in (r["resolved_path"], r["source_path"]):
        src = Path(candidate)
        if src.is_file() and _sha(src) == r["sha256"]:
            target = _original(originals, r["sha256"], r["suffix"])
            target.unlink(missing_ok=True)
            store.keep_original(originals, src.read_bytes(), r["sha256"], r["suffix"])
            return f"restored from {src}"
    return f"not repaired: {r['source_path']} is gone or changed; ingest it again"


def fix(archive: Archive, originals: Path, problems: list[Problem]) -> list[tuple[Problem, str]]:
    """Repair what can be repaired; (problem, what was done) for each."""
    conn = archive.conn
    done: list[tuple[Problem, str]] = []
    for p in problems:
        if p.kind is Finding.ORPHAN_ROWS:
            with archive.transaction():
                conn.execute(f"DELETE FROM {p.subject} WHERE doc_id NOT IN (SELECT id FROM documents)")
            done.append((p, "deleted"))
        elif p.kind in (Finding.MISSING_ORIGINAL, Finding.DAMAGED_ORIGINAL):
            done.append((p, _restore(conn, originals, p.subject)))
        elif p.kind in (Finding.ORPHAN_ORIGINAL, Finding.TEMP_FILE):
            Path(p.subject).unlink(missing_ok=True)
            done.append((p, "removed"))
        else:
            done.append((p, "not repaired: restore archive.sqlite3 from a backup (the index can be rebuilt "
                            "from it, not it from the index)"))
    for folder in sorted((d for d in originals.glob("*") if d.is_dir()), reverse=True) if originals.is_dir() else []:
        if not any(folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)
    return done
