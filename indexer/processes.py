"""Child processes that die with their parent (the index writer's workers and `xuncha serve`'s processes), and the
one-writer lock every engine's writes take."""

from __future__ import annotations

import fcntl
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .backend import IndexBusy


@contextmanager
def exclusive(path: Path, wait_s: float, busy: str) -> Iterator[IO[str]]:
    """An exclusive flock on `path` (released by the OS when the holder dies, even by kill -9), waited for up to
    `wait_s`; IndexBusy(busy) when another holder keeps it. Yields the open lock file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(busy) from None
                time.sleep(0.2)
        yield fh


def die_with_parent(parent: int) -> None:
    """In a forked child: the kernel kills it when its parent dies (PR_SET_PDEATHSIG); it exits at once when
    `parent` is gone already (re-parented before the call). Used by the writer's workers and by
    `xuncha serve`'s processes."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent or parent == 1:  # the parent died before the line above
        os._exit(1)
