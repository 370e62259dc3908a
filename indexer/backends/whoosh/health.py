"""`xuncha doctor`, index side: does the current index hold exactly the stored documents, at their hashes?"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Mapping
from pathlib import Path

from ...backend import IndexHealth
from .build import META, current_dir, rebuild_reason
from .mapped import open_for_search


def unfinished_generations(root: Path) -> list[Path]:
    """Generation folders without their meta file that are not current: builds killed half way."""
    cur = current_dir(root)
    return sorted(p for p in root.glob("gen-*")
                  if p.is_dir() and p != cur and not (p / META).is_file())


def check_index(root: Path, stored: Mapping[str, str]) -> IndexHealth:
    """Compare the current index with stored {doc id: sha256}."""
    unfinished = tuple(p.name for p in unfinished_generations(root)) if root.is_dir() else ()
    reason = rebuild_reason(root)
    if reason:
        return IndexHealth(reason, unfinished=unfinished)
    cur = current_dir(root)
    assert cur is not None
    with open_for_search(cur).searcher() as s:
        indexed = {f["doc_id"]: f.get("sha", "") for f in s.documents(kind="document")}
    return IndexHealth(None, missing=tuple(sorted(set(stored) - set(indexed))),
                       stale=tuple(sorted(i for i in stored if i in indexed and indexed[i] != stored[i])),
                       extra=tuple(sorted(set(indexed) - set(stored))), unfinished=unfinished)


def remove_unfinished(root: Path) -> list[str]:
    """Delete the generations of killed builds, unless a build is running now (it holds the lock)."""
    lock = root / ".lock"
    if not lock.exists():
        return []
    with open(lock, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []  # a live build's folder looks unfinished too: leave it
        try:
            gone = unfinished_generations(root)
            for p in gone:
                shutil.rmtree(p, ignore_errors=True)
            return [p.name for p in gone]
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
