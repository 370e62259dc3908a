"""Build and re-index. A full build writes a new generation directory and swaps it in atomically;
an incremental update rewrites only the documents whose content hash changed.

Whoosh allows one writer and is not crash-safe, hence: an exclusive lock file, generations that
are never modified once current, and a `current` symlink replaced with os.replace (atomic on POSIX).
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex
from whoosh.writing import IndexWriter

from archive.database import Archive
from archive.tokens import open_store

from ...analysis import analysis_version, dictionary_version, load_segmenter
from ...backend import BuildFailed, BuildReport, IndexBusy, NoIndex
from ...documents import grain_records
from ...options import IndexOptions
from ...processes import die_with_parent, exclusive
from ...tokens import Presegmenter
from ...vocabulary import vocabulary_version
from ...vocabulary import write as write_vocabulary
from . import parallel, weights
from .parallel import FastSegmentWriter, add_records
from .schema import SCHEMA_VERSION, build_schema
from ...documents import relinked
from ...related import mine as mine_related
from ...related import write as write_related
from ...tokens import kept_words

Progress = Callable[[int], None]
META = "xuncha-meta.json"  # beside a finished generation: its versions (a generation without it never finished)


__all__ = ["BuildFailed", "BuildReport", "IndexBusy", "NoIndex", "current_dir", "full_rebuild", "rebuild_reason",
           "reindex", "update", "write_lock"]


def current_dir(root: Path) -> Path | None:
    """The generation directory under an index root that searches use now, or None before the first build."""
    link = root / "current"
    if not link.is_symlink():
        return None
    target = root / os.readlink(link)
    return target if target.is_dir() else None


def read_meta(root: Path) -> dict | None:
    """The versions recorded beside the current index."""
    cur = current_dir(root)
    if cur is None or not (cur / META).is_file():
        return None
    return json.loads((cur / META).read_text(encoding="utf-8"))


def rebuild_reason(root: Path) -> str | None:
    """Why a full rebuild is needed (no index, schema or dictionary changed), or None."""
    meta = read_meta(root)
    if meta is None:
        return "no index yet"
    if meta.get("schema_version") != SCHEMA_VERSION:
        return f"schema version {meta.get('schema_version')} → {SCHEMA_VERSION}"
    if meta.get("dictionary_version") != dictionary_version():
        return "the domain dictionary changed"
    if meta.get("vocabulary_version") != vocabulary_version():
        return "the vocabulary rules changed"
    return None


class _LockOwner:
    """Holds the lock file's descriptor number for multiprocessing's after-fork hook (needs a weakref-able object)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd


def _worker_after_fork(owner: _LockOwner) -> None:
    """In each writer worker: drop the inherited lock descriptor and die with the parent.

    Without this, kill -9 of a reindex left Whoosh's worker processes running, and their copy of the
    descriptor kept the lock: every later reindex was refused until a person killed them."""
    try:
        os.close(owner.fd)
    except OSError:
        pass
    die_with_parent(os.getppid())



_TERMINATED = threading.Event()


def _raise_if_terminated() -> None:
    """Between documents and before the swap: a SIGTERM the signal handler's exception missed ends the build."""
    if _TERMINATED.is_set():
        raise KeyboardInterrupt("terminated (SIGTERM)")


@contextmanager
def _terminate_unwinds() -> Iterator[None]:
    """SIGTERM during a build raises like Ctrl-C, so the half-built generation is removed, not left behind.
    The exception raised in the handler can be swallowed (it may land inside a __del__), so a flag is
    checked between documents and before the swap as well."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_interrupt(signum: int, frame: object) -> None:
        first = not _TERMINATED.is_set()
        _TERMINATED.set()
        if first:
            raise KeyboardInterrupt(f"signal {signum}")

    _TERMINATED.clear()
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_workers() -> None:
    """After Ctrl-C or SIGTERM mid-build: end the writer's worker processes before removing their folder."""
    for child in multiprocessing.active_children():
        child.terminate()
        child.join(5)


def _remove_unfinished(root: Path) -> None:
    """Generations of builds that were killed (no meta file, not current): garbage, under the lock."""
    cur = current_dir(root)
    for p in root.glob("gen-*"):
        if p.is_dir() and p != cur and not (p / META).is_file():
            shutil.rmtree(p, ignore_errors=True)


@contextmanager
def write_lock(options: IndexOptions, wait_s: float = 0.0) -> Iterator[None]:
    """Exclusive index writer lock (released by the OS if the holder dies, even by kill -9; writer
    workers never keep it, and die with their parent)."""
    with exclusive(options.root / ".lock", wait_s,
                   "another reindex or ingest is writing the index; try again when it finishes") as fh:
        owner = _LockOwner(fh.fileno())
        multiprocessing.util.register_after_fork(owner, _worker_after_fork)
        try:
            _remove_unfinished(options.root)
            with _terminate_unwinds():
                yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            del owner


@contextmanager
def committing(writer: IndexWriter) -> Iterator[IndexWriter]:
    """Commit on success; cancel and re-raise on any error (Ctrl-C included)."""
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _add_all(writer: IndexWriter, records: Iterator[dict], progress: Progress | None,
             pre: Presegmenter) -> tuple[int, int]:
    def done() -> None:
        _raise_if_terminated()
        if progress:
            progress(1)

    return add_records(writer, pre.records(records), done)


def swap_in(options: IndexOptions, new_dir: Path) -> None:
    tmp_link = options.root / f".current-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    os.symlink(new_dir.name, tmp_link)
    os.replace(tmp_link, options.root / "current")


def collect_garbage(options: IndexOptions, keep: Path) -> None:
    # keep the previous generation too: a searcher opened just before the swap may still read it
    # a generation without meta was never finished (killed mid-build): always garbage
    gens = sorted((p for p in options.root.glob("gen-*") if p.is_dir() and p != keep),
                  key=lambda p: p.stat().st_mtime)
    complete = [g for g in gens if (g / META).is_file()]
    for old in gens:
        if not complete or old != complete[-1]:
            shutil.rmtree(old, ignore_errors=True)


def full_rebuild(archive: Archive, options: IndexOptions, progress: Progress | None = None,
                 reason: str = "full rebuild requested", wait_s: float = 0.0) -> BuildReport:
    """Build a new index generation from the whole archive and swap it in atomically.

    Text is segmented once: what the token store holds (indexer/tokens.py) is reused, what it lacks is
    segmented and kept, and afterwards it holds exactly what this generation's units use."""
    start = time.monotonic()
    load_segmenter()
    with write_lock(options, wait_s):
        new_dir = options.root / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        new_dir.mkdir(parents=True)
        try:
            ix = windex.create_in(str(new_dir), build_schema())
            procs = max(1, options.worker_count)
            with open_store(options.tokens_path, analysis_version()) as store:
                if procs > 1 and archive.path is not None:
                    # every core: each worker reads and indexes its share of the archive (indexer/backends/whoosh/parallel.py)
                    done = parallel.build(ix, archive, archive.path, options.tokens_path, procs, progress,
                                          _raise_if_terminated)
                    docs, grains, used = done.documents, done.grains, done.used
                    counts = (done.segmented, done.reused, done.peak_mb)
                else:
                    pre = Presegmenter(store)
                    with committing(FastSegmentWriter(ix, limitmb=256)) as writer:
                        docs, grains = _add_all(writer, grain_records(archive), progress, pre)
                    used = tuple(pre.used)
                    counts = (pre.misses, pre.hits, parallel.peak_mb())
                _raise_if_terminated()
                if store is not None:
                    store.keep_only(used)  # the texts no unit has any more
                    if options.related_words:  # words that share texts, for expansion (indexer/related.py)
                        write_related(mine_related(kept_words(store)), new_dir)
            meta = {"schema_version": SCHEMA_VERSION, "dictionary_version": dictionary_version(),
                    "vocabulary_version": vocabulary_version(), "vocabulary": write_vocabulary(archive, new_dir),
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "documents": docs, "grains": grains}
            (new_dir / META).write_text(json.dumps(meta), encoding="utf-8")
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                _stop_workers()  # a worker still writing would leave the folder behind after rmtree
            shutil.rmtree(new_dir, ignore_errors=True)
            raise
        swap_in(options, new_dir)
        collect_garbage(options, new_dir)
    return BuildReport("full", docs, grains, 0, time.monotonic() - start, reason, *counts)


def _indexed_hashes(ix: windex.Index) -> dict[str, str]:
    with ix.searcher() as s:
        return {f["doc_id"]: f.get("sha", "") for f in s.documents(kind="document")}


def _relinked(ix: windex.Index, archive: Archive) -> set[str]:
    """The notices whose link digest in the index differs from the archive's (documents.relinked)."""
    with ix.searcher() as s:
        indexed = {f["doc_id"]: f.get("links", "") for f in s.documents(kind="document", doc_type="notice")}
    return relinked(archive, indexed)


def update(archive: Archive, options: IndexOptions, progress: Progress | None = None,
           wait_s: float = 0.0) -> BuildReport:
    """Re-index only the documents whose content hash differs from the index, and drop removed ones."""
    reason = rebuild_reason(options.root)
    if reason:
        return full_rebuild(archive, options, progress, reason=reason, wait_s=wait_s)
    start = time.monotonic()
    load_segmenter()
    with write_lock(options, wait_s):
        cur = current_dir(options.root)
        assert cur is not None
        ix = windex.open_dir(str(cur))
        weights.remove_unfinished(cur)  # of an update killed while writing its segment
        indexed = _indexed_hashes(ix)
        stored = archive.hashes()
        changed = {i for i, sha in stored.items() if indexed.get(i) != sha} | _relinked(ix, archive)
        removed = set(indexed) - set(stored)
        if not changed and not removed:
            return BuildReport("none", 0, 0, 0, time.monotonic() - start, "index is up to date")
        todo = archive.related_ids(changed)
        with open_store(options.tokens_path, analysis_version()) as store:
            with committing(FastSegmentWriter(ix, limitmb=128)) as writer:
                for doc_id in todo | removed:
                    writer.delete_by_term("doc_id", doc_id)
                pre = Presegmenter(store)
                docs, grains = _add_all(writer, grain_records(archive, todo), progress, pre)
        meta = read_meta(options.root) or {}
        meta.update(documents=len(stored), updated_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
        (cur / META).write_text(json.dumps(meta), encoding="utf-8")
    return BuildReport("incremental", docs, grains, len(removed), time.monotonic() - start, "", pre.misses, pre.hits,
                       parallel.peak_mb())


def reindex(archive: Archive, options: IndexOptions, full: bool = False, if_needed: bool = False,
            progress: Progress | None = None, wait_s: float = 0.0) -> BuildReport:
    """`xuncha reindex`: incremental by default, --full to rebuild, --if-needed to rebuild only on version change."""
    if full:
        return full_rebuild(archive, options, progress, wait_s=wait_s)
    if if_needed:
        reason = rebuild_reason(options.root)
        if reason:
            return full_rebuild(archive, options, progress, reason=reason, wait_s=wait_s)
        return BuildReport("none", 0, 0, 0, 0.0, "schema and dictionary unchanged")
    return update(archive, options, progress, wait_s=wait_s)
