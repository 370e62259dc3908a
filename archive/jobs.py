"""The job queue, persisted in SQLite: upload batches (ingest) and re-index runs, one at a time, oldest first.

A job is queued → running → done | failed | cancelled. A worker that dies mid-job leaves it `running`;
`recover()` (called when a worker starts) puts such jobs back in the queue, and their files that already
have an outcome are not read again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from . import store

if TYPE_CHECKING:
    from .database import Archive


class JobKind(StrEnum):
    INGEST = "ingest"
    REINDEX = "reindex"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class JobFile:
    id: int
    ord: int
    name: str  # as uploaded (relative path inside a folder upload)
    staged_path: str | None
    size: int
    outcome: str  # pending | added | updated | unchanged | failed | skipped
    reason: str | None
    doc_id: str | None


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: JobKind
    state: JobState
    full: bool
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    cancel_requested: bool
    done: int
    total: int
    message: str

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file for a new ingest job: staged on disk, or refused already (outcome and reason set)."""

    name: str
    staged_path: str | None
    size: int
    outcome: str = PENDING
    reason: str | None = None


def _job(r: sqlite3.Row) -> Job:
    return Job(r["id"], JobKind(r["kind"]), JobState(r["state"]), bool(r["full"]), r["created_by"], r["created_at"],
               r["started_at"], r["finished_at"], bool(r["cancel_requested"]), r["done"], r["total"], r["message"])


def _file(r: sqlite3.Row) -> JobFile:
    return JobFile(r["id"], r["ord"], r["name"], r["staged_path"], r["size"], r["outcome"], r["reason"], r["doc_id"])


def create_ingest(archive: Archive, created_by: str, files: list[NewFile]) -> Job:
    """Queue an upload batch; files refused at upload count as done already."""
    with archive.transaction():
        cur = archive.conn.execute("INSERT INTO jobs (kind, state, created_by, created_at, total, done) VALUES (?,?,?,?,?,?)",
                           (JobKind.INGEST, JobState.QUEUED, created_by, store.now(), len(files),
                            sum(1 for f in files if f.outcome != PENDING)))
        job_id = int(cur.lastrowid or 0)
        archive.conn.executemany("INSERT INTO job_files (job_id, ord, name, staged_path, size, outcome, reason) "
                         "VALUES (?,?,?,?,?,?,?)",
                         [(job_id, i, f.name, f.staged_path, f.size, f.outcome, f.reason) for i, f in enumerate(files)])
    return get(archive, job_id)  # type: ignore[return-value]


def create_reindex(archive: Archive, created_by: str, full: bool) -> Job:
    with archive.transaction():
        cur = archive.conn.execute("INSERT INTO jobs (kind, state, full, created_by, created_at) VALUES (?,?,?,?,?)",
                           (JobKind.REINDEX, JobState.QUEUED, int(full), created_by, store.now()))
    return get(archive, int(cur.lastrowid or 0))  # type: ignore[return-value]


def get(archive: Archive, job_id: int) -> Job | None:
    row = archive.conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def files(archive: Archive, job_id: int) -> tuple[JobFile, ...]:
    return tuple(_file(r) for r in archive.conn.execute("SELECT * FROM job_files WHERE job_id = ? ORDER BY ord", (job_id,)))


def recent(archive: Archive, limit: int = 50) -> tuple[Job, ...]:
    return tuple(_job(r) for r in archive.conn.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,)))


def position(archive: Archive, job_id: int) -> int:
    """How many queued or running jobs are ahead of this one."""
    return archive.conn.execute("SELECT COUNT(*) FROM jobs WHERE id < ? AND state IN ('queued', 'running')",
                        (job_id,)).fetchone()[0]


def recover(archive: Archive) -> int:
    """Jobs a dead worker left running go back to the queue (a cancel asked for meanwhile is honoured)."""
    with archive.transaction():
        archive.conn.execute("UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE state = 'running' "
                     "AND cancel_requested = 1", (store.now(),))
        return archive.conn.execute("UPDATE jobs SET state = 'queued', message = '服务重启后继续' "
                            "WHERE state = 'running'").rowcount


def claim_next(archive: Archive) -> Job | None:
    """Take the oldest queued job and mark it running (one statement under BEGIN IMMEDIATE: no two workers share it)."""
    with archive.transaction():
        row = archive.conn.execute("SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        archive.conn.execute("UPDATE jobs SET state = 'running', started_at = COALESCE(started_at, ?) WHERE id = ?",
                     (store.now(), row["id"]))
    return get(archive, row["id"])


def pending_files(archive: Archive, job_id: int) -> tuple[JobFile, ...]:
    return tuple(_file(r) for r in archive.conn.execute(
        "SELECT * FROM job_files WHERE job_id = ? AND outcome = 'pending' ORDER BY ord", (job_id,)))


def file_done(archive: Archive, job_id: int, file_id: int, outcome: str, reason: str | None,
              doc_id: str | None) -> None:
    with archive.transaction():
        archive.conn.execute("UPDATE job_files SET outcome = ?, reason = ?, doc_id = ? WHERE id = ?",
                     (outcome, reason, doc_id, file_id))
        archive.conn.execute("UPDATE jobs SET done = (SELECT COUNT(*) FROM job_files WHERE job_id = ? AND outcome != 'pending')"
                     " WHERE id = ?", (job_id, job_id))


def set_progress(archive: Archive, job_id: int, done: int, total: int, message: str = "") -> None:
    with archive.transaction():
        archive.conn.execute("UPDATE jobs SET done = ?, total = ?, message = ? WHERE id = ?", (done, total, message, job_id))


def cancel_requested(archive: Archive, job_id: int) -> bool:
    row = archive.conn.execute("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return bool(row and row[0])


def request_cancel(archive: Archive, job_id: int) -> Job | None:
    """Cancel a queued job at once; a running one stops after its current file. None: no such job."""
    with archive.transaction():
        archive.conn.execute("UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = ? "
                     "WHERE id = ? AND state = 'queued'", (store.now(), job_id))
        archive.conn.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'", (job_id,))
        archive.conn.execute("UPDATE job_files SET outcome = 'cancelled', reason = 'job cancelled' "
                     "WHERE job_id = ? AND outcome = 'pending' AND "
                     "(SELECT state FROM jobs WHERE id = ?) = 'cancelled'", (job_id, job_id))
    return get(archive, job_id)


def finish(archive: Archive, job_id: int, state: JobState, message: str) -> None:
    with archive.transaction():
        if state == JobState.CANCELLED:
            archive.conn.execute("UPDATE job_files SET outcome = 'cancelled', reason = 'job cancelled' "
                         "WHERE job_id = ? AND outcome = 'pending'", (job_id,))
        archive.conn.execute("UPDATE jobs SET state = ?, message = ?, finished_at = ? WHERE id = ?",
                     (state, message, store.now(), job_id))
