"""Child processes that die with their parent: the index writer's workers and `xuncha serve`'s processes."""

from __future__ import annotations

import os
import signal


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
