"""The watch folder (`xuncha watch DIR`, or the `watch_dir` setting under `xuncha serve`), like paperless-ngx's
consume folder: a file dropped into DIR (or a folder below it) is ingested once its size and modification time
have not changed for `watch_settle_s` seconds, then moved to DIR/done/ (left in place with `watch_keep`), or
to DIR/failed/ with NAME.reason.txt beside it saying why. The index is updated after each ingested file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from archive import accounts
from archive.database import Archive
from archive.pipeline import FileOutcome, ingest
from indexer.backends import update
from indexer.checks import prepare
from indexer.search import SearchService

from .options import JobOptions

log = logging.getLogger(__name__)
DONE, FAILED = "done", "failed"
INDEX_WAIT_S = 120.0


@dataclass(frozen=True, slots=True)
class Taken:
    """What the watcher did with one file."""

    source: Path
    outcome: str
    reason: str | None
    moved_to: Path | None


def _free(target: Path) -> Path:
    """target, or target with -1, -2 … before the suffix when that name is taken already."""
    if not target.exists():
        return target
    for i in range(1, 10_000):
        candidate = target.with_name(f"{target.stem}-{i}{target.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(target)


class Watcher:
    """Scans one folder every `poll_s` seconds; scan_once() does one pass (tests call it directly)."""

    def __init__(self, options: JobOptions, folder: Path | None = None, poll_s: float = 1.0) -> None:
        self.options = options
        self.folder = Path(folder or options.watch_dir).expanduser()
        self.poll_s = poll_s
        self._seen: dict[Path, tuple[tuple[int, int], float]] = {}  # path → (size, mtime_ns), since when
        self._kept: dict[Path, tuple[int, int]] = {}  # watch_keep: files ingested already, as they were then
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Watcher:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self.run_forever, name="xuncha-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan_once()
            except (sqlite3.Error, OSError):
                log.exception("watch folder %s", self.folder)
            self._stop.wait(self.poll_s)

    def pending(self) -> list[Path]:
        """The files waiting in the folder (not in its done and failed folders, no hidden or Office lock files)."""
        out = []
        for dirpath, dirnames, filenames in os.walk(self.folder):
            here = Path(dirpath)
            if here == self.folder:
                dirnames[:] = [d for d in dirnames if d not in (DONE, FAILED)]
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            out += [here / f for f in sorted(filenames) if not f.startswith((".", "~$"))]
        return out

    def stable(self) -> list[Path]:
        """Files whose size and mtime have not changed for watch_settle_s (the clock starts when first seen)."""
        now = time.monotonic()
        ready, present = [], set()
        for path in self.pending():
            try:
                st = path.stat()
            except OSError:
                continue
            present.add(path)
            snap = (st.st_size, st.st_mtime_ns)
            if self._kept.get(path) == snap:
                continue
            before = self._seen.get(path)
            if before is None or before[0] != snap:
                self._seen[path] = (snap, now)
            elif now - before[1] >= self.options.watch_settle_s:
                ready.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready

    def scan_once(self) -> list[Taken]:
        """Ingest every file that has settled; move each to done/ or failed/."""
        ready = self.stable()
        if not ready:
            return []
        archive = Archive.open(self.options.db_path)
        try:
            taken = [self._take(archive, path) for path in ready]
            if any(t.outcome in ("added", "updated") for t in taken):
                update(archive, self.options.index, wait_s=INDEX_WAIT_S)
                prepare(archive, SearchService(self.options.search))  # the cross-check pages' suggestions
            accounts.record(archive, "watch", "watch ingest", f"{len(taken)} 个文件，来自 {self.folder}",
                            tuple(f"{t.source.name}: {t.outcome}" for t in taken))
        finally:
            archive.close()
        return taken

    def _take(self, archive: Archive, path: Path) -> Taken:
        outcomes: list[FileOutcome] = []
        ingest(archive, self.options.ingest, [str(path)], progress=outcomes.append)
        o = outcomes[0] if outcomes else FileOutcome(str(path), "failed", "nothing was read")
        self._seen.pop(path, None)
        rel = path.relative_to(self.folder)
        if o.outcome in ("added", "updated", "unchanged"):
            if self.options.watch_keep:
                st = path.stat()
                self._kept[path] = (st.st_size, st.st_mtime_ns)
                return Taken(path, o.outcome, o.reason, None)
            target = _free(self.folder / DONE / rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            return Taken(path, o.outcome, o.reason, target)
        target = _free(self.folder / FAILED / rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        reason = f"{o.outcome}: {o.reason or 'unknown reason'}\n"
        target.with_name(target.name + ".reason.txt").write_text(reason, encoding="utf-8")
        return Taken(path, o.outcome, o.reason, target)
