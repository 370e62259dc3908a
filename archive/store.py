"""The SQLite record store: the system of record. Everything the index holds is rebuilt from here."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from . import ids
from .linkreviews import MIGRATION as REVIEWS_MIGRATION
from .linkstore import CANDIDATES_MIGRATION, FIT_MIGRATION, MIGRATION as LINKS_MIGRATION
from .models import Citation, Figure, Parsed, Problem
from .records import Suggestion

# Each entry migrates from version i to i+1; the database records how far it has come.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        source_path TEXT NOT NULL,
        resolved_path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        parser_version INTEGER NOT NULL,
        size INTEGER NOT NULL,
        suffix TEXT NOT NULL,
        doc_type TEXT NOT NULL CHECK (doc_type IN ('notice', 'regulation', 'other')),
        title TEXT NOT NULL,
        short_title TEXT,
        publisher TEXT,
        published TEXT,
        version TEXT,
        category TEXT,
        region TEXT,
        method TEXT NOT NULL,
        text TEXT NOT NULL,
        header_json TEXT,
        extra_json TEXT,
        ingested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX documents_type ON documents(doc_type);
    CREATE INDEX documents_short_title ON documents(short_title);
    CREATE TABLE categories (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        section INTEGER NOT NULL,
        section_title TEXT NOT NULL,
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE problems (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        category_id TEXT NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE measures (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        problem_id TEXT NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        number INTEGER NOT NULL,
        label TEXT NOT NULL,
        chapter TEXT,
        section TEXT,
        text TEXT NOT NULL
    );
    CREATE INDEX articles_doc ON articles(doc_id, number);
    CREATE TABLE citations (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        problem_id TEXT,
        measure_id TEXT,
        title TEXT NOT NULL,
        article TEXT,
        article_number INTEGER
    );
    CREATE INDEX citations_doc ON citations(doc_id);
    CREATE TABLE figures (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        problem_id TEXT,
        measure_id TEXT,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        value TEXT NOT NULL,
        unit TEXT NOT NULL
    );
    CREATE INDEX figures_doc ON figures(doc_id);
    CREATE TABLE warnings (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        message TEXT NOT NULL
    );
    CREATE TABLE ingest_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        source_path TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        doc_id TEXT
    );
    """,
    # 2 (issue 12): rectification progress per problem; sub-problems ((1)(2) under a numbered problem) are
    # problem rows with their parent's id
    """
    ALTER TABLE problems ADD COLUMN parent_id TEXT REFERENCES problems(id) ON DELETE CASCADE;
    ALTER TABLE problems ADD COLUMN status TEXT CHECK (status IS NULL OR status IN
        ('done', 'in_progress', 'not_done', 'ongoing'));
    ALTER TABLE problems ADD COLUMN deadline TEXT;
    ALTER TABLE problems ADD COLUMN responsible TEXT;
    CREATE INDEX problems_status ON problems(status);
    """,
    # 3 (issue 16): operators, their API tokens, the audit trail, saved searches and the job queue
    # (archive/accounts.py, jobs.py)
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_name TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        files_json TEXT NOT NULL,
        address TEXT
    );
    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (user_id, name)
    );
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('ingest', 'reindex')),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        full INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX jobs_state ON jobs(state, id);
    CREATE TABLE job_files (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        name TEXT NOT NULL,
        staged_path TEXT,
        size INTEGER NOT NULL,
        outcome TEXT NOT NULL DEFAULT 'pending',
        reason TEXT,
        doc_id TEXT
    );
    CREATE INDEX job_files_job ON job_files(job_id, ord);
    """,
    # 4: suggested articles per measure topic (records.topic_key) and index state (what they were computed on):
    # the cross-check page's slow part, computed once after each index update (issue 14)
    """
    CREATE TABLE suggestions (
        topic_key TEXT NOT NULL,
        index_key TEXT NOT NULL,
        items_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (topic_key, index_key)
    );
    """,
    # 5 (issue 33): inspectors' verdicts on the check page, one per user, notice, measure and article. No foreign
    # keys: a re-ingest replaces the notice's rows and a removed user's judgments stay evaluation data
    """
    CREATE TABLE verdicts (
        user_name TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        measure_id TEXT NOT NULL,
        article_id TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('适用', '不适用')),
        added INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL,
        PRIMARY KEY (user_name, doc_id, measure_id, article_id)
    );
    CREATE INDEX verdicts_doc ON verdicts(doc_id);
    """,
    # 6 (issue 30): units, aliases, rounds, operators' unit corrections, problem links (archive/linkstore.py)
    LINKS_MIGRATION,
    # 7 (issue 30): problem_pairs (a row per pair) becomes problem_candidates (a row per problem; linkstore.py)
    CANDIDATES_MIGRATION,
    # 8 (issue 30 §6): the kept fit of the link scores and the scored pairs in place of the candidates (linkstore.py)
    FIT_MIGRATION,
    # 9 (issue 30): inspectors' reviews of recurring links, kept across relinks and re-ingest (archive/linkreviews.py)
    REVIEWS_MIGRATION,
]
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """UTC timestamp for records."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect(db_path: Path) -> sqlite3.Connection:
    """Open (creating and migrating as needed) the archive database."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    _wal(conn)  # readers (web UI) never block the ingest's writer
    conn.execute("PRAGMA synchronous = NORMAL")
    migrate(conn)
    return conn


def _wal(conn: sqlite3.Connection, wait_s: float = 30.0) -> None:
    """Switch to WAL, retrying: on a new database another process may be switching it at the same moment,
    and SQLite answers that with "database is locked" at once, without waiting (two ingests raced here)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations this database has not seen yet, under the write lock: two processes opening a
    new archive at once must not both read version 0 and both create the tables (one waits, then sees 1)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    with transaction(conn):
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise RuntimeError(f"archive schema {current} is newer than this xuncha ({SCHEMA_VERSION}): "
                               "upgrade xuncha")
        for version in range(current, SCHEMA_VERSION):
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE; commit on success, roll back and re-raise on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def keep_original(originals: Path, data: bytes, sha256: str, suffix: str) -> Path:
    """Store the original bytes by content hash (write to a temp file, then rename: never half written)."""
    target = originals / sha256[:2] / f"{sha256}{suffix.lower()}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _cites(conn: sqlite3.Connection, doc_id: str, problem_id: str | None, measure_id: str | None,
           citations: tuple[Citation, ...], figures: tuple[Figure, ...]) -> None:
    conn.executemany(
        "INSERT INTO citations (doc_id, problem_id, measure_id, title, article, article_number) VALUES (?,?,?,?,?,?)",
        [(doc_id, problem_id, measure_id, c.title, c.article, c.article_number) for c in citations])
    conn.executemany(
        "INSERT INTO figures (doc_id, problem_id, measure_id, kind, text, value, unit) VALUES (?,?,?,?,?,?,?)",
        [(doc_id, problem_id, measure_id, f.kind, f.text, f.value, f.unit) for f in figures])


def write_document(conn: sqlite3.Connection, *, doc_id: str, source_path: str, resolved_path: str, sha256: str,
                   parser_version: int, size: int, suffix: str, method: str, parsed: Parsed,
                   region: str | None, category: str | None) -> None:
    """Replace one document's records; the caller holds the transaction so it lands whole or not at all."""
    first = conn.execute("SELECT ingested_at FROM documents WHERE id = ?", (doc_id,)).fetchone()
    conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
    notice, reg = parsed.notice, parsed.regulation
    header = asdict(notice.header) if notice else None
    stamp = now()
    conn.execute(
        """INSERT INTO documents (id, source_path, resolved_path, sha256, parser_version, size, suffix, doc_type,
           title, short_title, publisher, published, version, category, region, method, text, header_json,
           extra_json, ingested_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        (doc_id, source_path, resolved_path, sha256, parser_version, size, suffix, parsed.doc_type, parsed.title,
         reg.short_title if reg else None, parsed.publisher, parsed.published, reg.version if reg else None,
         category, region, method, parsed.text, json.dumps(header, ensure_ascii=False) if header else None,
         json.dumps(_extra(parsed), ensure_ascii=False), first["ingested_at"] if first else stamp, stamp))
    conn.executemany("INSERT INTO warnings (doc_id, message) VALUES (?, ?)", [(doc_id, w) for w in parsed.warnings])
    if notice:
        _cites(conn, doc_id, None, None, (), notice.figures)
        p_ord = 0
        for c_ord, cat in enumerate(notice.categories, 1):
            cat_id = ids.category_id(doc_id, c_ord)
            conn.execute("INSERT INTO categories VALUES (?,?,?,?,?,?,?,?)",
                         (cat_id, doc_id, c_ord, cat.section, cat.section_title, cat.number, cat.title, cat.text))
            for prob in cat.problems:
                p_ord = _write_problem(conn, doc_id, cat_id, p_ord, prob, None)
    if reg:
        conn.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?)",
                         [(ids.article_id(doc_id, i), doc_id, i, a.number, a.label, a.chapter, a.section, a.text)
                          for i, a in enumerate(reg.articles, 1)])


def _write_problem(conn: sqlite3.Connection, doc_id: str, cat_id: str, p_ord: int, prob: Problem,
                   parent: str | None) -> int:
    """One problem, its measures and citations, then its sub-problems; returns the last ord used."""
    p_ord += 1
    pid = ids.problem_id(doc_id, p_ord)
    conn.execute("INSERT INTO problems (id, doc_id, category_id, ord, number, title, text, parent_id, status, "
                 "deadline, responsible) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                 (pid, doc_id, cat_id, p_ord, prob.number, prob.title, prob.text, parent,
                  str(prob.status) if prob.status else None, prob.deadline, prob.responsible))
    in_measures = {c for m in prob.measures for c in m.citations}
    in_subs = {c for s in prob.subproblems for c in s.citations}
    _cites(conn, doc_id, pid, None, tuple(c for c in prob.citations if c not in in_measures | in_subs), ())
    for m in prob.measures:
        mid = ids.measure_id(pid, m.number)
        conn.execute("INSERT INTO measures VALUES (?,?,?,?,?)", (mid, doc_id, pid, m.number, m.text))
        _cites(conn, doc_id, pid, mid, m.citations, m.figures)
    for sub in prob.subproblems:
        p_ord = _write_problem(conn, doc_id, cat_id, p_ord, sub, pid)
    return p_ord


def _extra(parsed: Parsed) -> dict:
    if parsed.regulation:
        r = parsed.regulation
        return {"issuer": r.issuer, "promulgated": r.promulgated, "effective": r.effective, "preamble": r.preamble}
    if parsed.notice:
        return {"sections": [list(s) for s in parsed.notice.sections],
                "progress": {k: v for k, v in asdict(parsed.notice.progress).items() if v is not None}}
    return {}


def log(conn: sqlite3.Connection, source_path: str, outcome: str, reason: str | None, doc_id: str | None) -> None:
    """Record one file's ingest outcome."""
    conn.execute("INSERT INTO ingest_log (at, source_path, outcome, reason, doc_id) VALUES (?,?,?,?,?)",
                 (now(), source_path, outcome, reason, doc_id))


def put_suggestions(conn: sqlite3.Connection, topic_key: str, index_key: str, items: Sequence[Suggestion]) -> None:
    """Keep a measure's suggestions for this index state (a later index state's replace them)."""
    conn.execute("INSERT OR REPLACE INTO suggestions (topic_key, index_key, items_json, created_at) VALUES (?,?,?,?)",
                 (topic_key, index_key, json.dumps([asdict(i) for i in items], ensure_ascii=False), now()))


def prune_suggestions(conn: sqlite3.Connection, index_key: str) -> int:
    """Drop the suggestions computed on other index states; how many rows went."""
    return conn.execute("DELETE FROM suggestions WHERE index_key != ?", (index_key,)).rowcount


def put_verdict(conn: sqlite3.Connection, user: str, doc_id: str, measure_id: str, article_id: str,
                verdict: str, added: bool) -> None:
    """An inspector's verdict; a second mark by the same user on the same pair replaces the first (an article
    once added stays added)."""
    conn.execute("""INSERT INTO verdicts (user_name, doc_id, measure_id, article_id, verdict, added, at)
                    VALUES (?,?,?,?,?,?,?) ON CONFLICT (user_name, doc_id, measure_id, article_id) DO UPDATE SET
                    verdict = excluded.verdict, added = MAX(added, excluded.added), at = excluded.at""",
                 (user, doc_id, measure_id, article_id, verdict, int(added), now()))


def delete_verdict(conn: sqlite3.Connection, user: str, doc_id: str, measure_id: str, article_id: str) -> bool:
    """Withdraw a user's verdict on a pair; whether there was one."""
    return conn.execute("DELETE FROM verdicts WHERE user_name = ? AND doc_id = ? AND measure_id = ? AND "
                        "article_id = ?", (user, doc_id, measure_id, article_id)).rowcount > 0
