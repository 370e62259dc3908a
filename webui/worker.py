"""The job worker: runs queued upload batches and re-index runs one at a time, in a thread of `xuncha serve`
or in `xuncha worker`. Everything it knows is in SQLite (archive/jobs.py), so a restart resumes a job.

Each uploaded file is moved from its staging folder into the upload library (uploads/library/<name as
uploaded>, so uploading a file again under the same name updates its document) and ingested with
archive.pipeline.ingest; after each changed file the index is updated incrementally (indexer.backends.update),
so documents become searchable one by one while searches go on reading the previous index state.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import TextIO

from archive import accounts, jobs
from archive.database import Archive
from archive.jobs import Job, JobKind, JobState
from archive.pipeline import FileOutcome, ingest
from indexer.backend import BuildFailed, IndexBusy
from indexer.backends import reindex, update
from indexer.checks import prepare
from indexer.search import SearchService

from .options import JobOptions

log = logging.getLogger(__name__)
INDEX_WAIT_S = 120.0  # another writer (a CLI ingest) may hold the index lock this long
PROGRESS_EVERY_S = 0.5
MODES = {"full": "全部重建", "incremental": "增量更新", "none": "索引已是最新"}


class Cancelled(Exception):
    """The operator cancelled the running job."""


def upload_root(options: JobOptions) -> Path:
    return options.home / "uploads"


def library_path(options: JobOptions, name: str) -> Path:
    """Where an uploaded file lives once taken: its name as uploaded, below uploads/library/."""
    return upload_root(options) / "library" / name


class WorkerBusy(RuntimeError):
    """Another worker (a `xuncha serve` or a `xuncha worker`) runs this archive's queue."""


class Worker:
    """Polls the queue; wake() makes it look at once. One worker per archive: claim() takes HOME/worker.lock
    (released by the OS when the process dies), so recover() never re-queues a job a live worker is running."""

    def __init__(self, options: JobOptions, poll_s: float = 1.0) -> None:
        self.options = options
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock: TextIO | None = None

    def claim(self) -> Worker:
        """Become the archive's one worker and re-queue what a dead one left running; WorkerBusy if taken."""
        if self._lock is None:
            self.options.home.mkdir(parents=True, exist_ok=True)
            fh = open(self.options.home / "worker.lock", "w")  # noqa: SIM115 - held for the worker's life
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                raise WorkerBusy(f"another worker runs the job queue of {self.options.home}") from None
            self._lock = fh
            with Archive.open(self.options.db_path) as archive:
                resumed = jobs.recover(archive)
            if resumed:
                log.info("resuming %d job(s) left running by a previous worker", resumed)
        return self

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def start(self) -> Worker:
        self.claim()
        self._thread = threading.Thread(target=self.run_forever, name="xuncha-worker", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        self.release()

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # noqa: BLE001 - the worker must outlive one bad job; the job is marked failed
                log.exception("job worker")
                worked = False
            if not worked:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def run_once(self) -> bool:
        """Run the next queued job to its end; False when the queue is empty."""
        self.claim()
        archive = Archive.open(self.options.db_path)
        try:
            job = jobs.claim_next(archive)
            if job is None:
                return False
            try:
                if job.kind == JobKind.INGEST:
                    state, message = self._ingest(archive, job)
                else:
                    state, message = self._reindex(archive, job)
            except Cancelled:
                state, message = JobState.CANCELLED, "已由操作员取消"
            except (sqlite3.Error, OSError, IndexBusy, BuildFailed) as exc:
                state, message = JobState.FAILED, f"出错（{type(exc).__name__}）：{str(exc).splitlines()[0]}"
            jobs.finish(archive, job.id, state, message)
            accounts.record(archive, job.created_by, f"job {state}", f"任务 #{job.id}：{message}")
            return True
        finally:
            archive.close()

    def _check_cancel(self, archive: Archive, job: Job) -> None:
        if jobs.cancel_requested(archive, job.id) or self._stop.is_set():
            if self._stop.is_set():  # shutting down: leave it running, recover() re-queues it
                raise SystemExit
            raise Cancelled

    def _ingest(self, archive: Archive, job: Job) -> tuple[JobState, str]:
        options = self.options.ingest
        changed = 0
        pending = jobs.pending_files(archive, job.id)
        for f in pending:
            self._check_cancel(archive, job)
            target = library_path(self.options, f.name)
            if f.staged_path and Path(f.staged_path).is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f.staged_path, target)
            if not target.is_file():
                jobs.file_done(archive, job.id, f.id, "failed", "the uploaded file is gone from the staging folder", None)
                continue
            outcomes: list[FileOutcome] = []
            ingest(archive, options, [str(target)], progress=outcomes.append)
            o = outcomes[0] if outcomes else FileOutcome(str(target), "failed", "nothing was read")
            if o.outcome in ("added", "updated"):
                changed += 1
                update(archive, self.options.index, wait_s=INDEX_WAIT_S)  # searchable now
            jobs.file_done(archive, job.id, f.id, o.outcome, o.reason, o.doc_id)
        _cleanup_staging({Path(f.staged_path).parent for f in jobs.files(archive, job.id) if f.staged_path})
        if changed:
            prepare(archive, SearchService(self.options.search))  # the cross-check pages' suggestions
        return JobState.DONE, f"新增或更新 {changed} 份文件"

    def _reindex(self, archive: Archive, job: Job) -> tuple[JobState, str]:
        total = _document_count(archive)
        jobs.set_progress(archive, job.id, 0, total, "正在建立索引")
        state = {"done": 0, "at": time.monotonic()}

        def progress(n: int) -> None:
            state["done"] += n
            if time.monotonic() - state["at"] >= PROGRESS_EVERY_S:
                state["at"] = time.monotonic()
                self._check_cancel(archive, job)
                jobs.set_progress(archive, job.id, state["done"], total, "正在建立索引")

        report = reindex(archive, self.options.index, full=job.full, progress=progress, wait_s=INDEX_WAIT_S)
        message = (f"{MODES.get(report.mode, report.mode)}：{report.documents} 份文件，移除 {report.removed} 份，"
                   f"用时 {report.seconds:.1f} 秒")
        jobs.set_progress(archive, job.id, total if report.mode != "none" else 0, total, message)
        prepare(archive, SearchService(self.options.search))
        return JobState.DONE, message


def _document_count(archive: Archive) -> int:
    return sum(archive.type_counts().values())


def _cleanup_staging(folders: set[Path]) -> None:
    """Remove a finished batch's staging folder (files refused at upload were never moved out of it)."""
    for folder in folders:
        for path in folder.glob("*") if folder.is_dir() else ():
            path.unlink(missing_ok=True)
        if folder.is_dir():
            folder.rmdir()
