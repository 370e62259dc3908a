"""Run one extractor on one untrusted file in a child process under a time and a memory limit.

The child is forked (the extractors are already imported, so it starts in milliseconds), leads its
own process group, lowers its address-space limit (RLIMIT_AS) to what it has plus `memory_mb`, runs
the extractor chosen by suffix and sends the pickled result back through a pipe. The parent waits at
most `timeout_s`; on timeout it kills the whole group (the child and anything it started), so a file
whose parsing grows with the square of its nesting (a 2 KB .docx, a PDF page loop) costs one failure
line, never the batch. A crash, a MemoryError or an exception in the child becomes an ExtractionError.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable

from ..models import Extracted
from ..options import ExtractOptions
from .errors import ExtractionError, NeedsOCR, ScannedPDF

class ExtractorBug(Exception):
    """The extractor raised something other than ExtractionError (str: "TypeName: message")."""


_ERRORS: dict[str, type[ExtractionError]] = {c.__name__: c for c in (ExtractionError, NeedsOCR, ScannedPDF)}
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _address_space() -> int:
    """This process's current virtual size in bytes (the child's limit is set above it)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _bounded(result: Extracted, max_chars: int) -> Extracted:
    """Refuse a text too short to be a document (a file of one random byte); cut one longer than max_chars."""
    visible = len("".join(result.text[:64].split()))
    if visible < 2 and len("".join(result.text.split())) < 2:
        raise ExtractionError(f"too little text to be a document ({visible} character)")
    if max_chars <= 0 or len(result.text) <= max_chars:
        return result
    note = (f"text truncated to the first {max_chars:,} of {len(result.text):,} characters "
            "(setting max_text_chars)")
    return Extracted(text=result.text[:max_chars], title=result.title, method=result.method,
                     warnings=result.warnings + (note,))


def _child(extractor: Callable[[bytes, ExtractOptions], Extracted], data: bytes, options: ExtractOptions,
           out: int) -> None:
    """In the child: limit, extract, write ("ok", Extracted) or ("error", class name, message, extra)."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills us on Ctrl-C
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        limit = _address_space() + options.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        result: tuple = ("ok", _bounded(extractor(data, options), options.max_text_chars))
    except ExtractionError as exc:
        result = ("error", type(exc).__name__ if type(exc).__name__ in _ERRORS else "ExtractionError",
                  str(exc), getattr(exc, "title", None))
    except MemoryError:
        result = ("error", "ExtractionError", f"needs more memory than allowed (limit {options.memory_mb} MB, "
                  "setting extract_memory_mb)", None)
    except BaseException as exc:  # noqa: BLE001 - reported as one failure line by the parent
        result = ("bug", type(exc).__name__, " ".join(str(exc).split())[:200], None)
    try:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("error", "ExtractionError", "the extracted text needs more memory than allowed",
                                None))
    view = memoryview(payload)
    while view:
        view = view[os.write(out, view[:1 << 20]):]


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):  # the group, and the child itself should it not lead one yet
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _collect(pid: int, fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything the child writes until it closes the pipe; (bytes, timed_out)."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), True
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def run_limited(extractor: Callable[[bytes, ExtractOptions], Extracted], data: bytes,
                options: ExtractOptions, what: str = "extraction") -> Extracted:
    """extractor(data, options) in a forked child under options.timeout_s and options.memory_mb."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            os.setpgid(0, 0)
            os.close(read_fd)
            _child(extractor, data, options, write_fd)
        except BaseException:  # noqa: BLE001 - the parent sees a crash with no output
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        os.setpgid(pid, pid)  # both sides set it: no race with an early kill
    except (PermissionError, ProcessLookupError):
        pass
    timed_out = False
    try:
        payload, timed_out = _collect(pid, read_fd, time.monotonic() + options.timeout_s)
    finally:
        os.close(read_fd)
        if timed_out or not _reaped_soon(pid):
            _kill_group(pid)
        _reap(pid)
    if timed_out:
        raise ExtractionError(f"{what} timed out after {options.timeout_s:g} s (setting extract_timeout_s)")
    try:
        result = pickle.loads(payload) if payload else None
    except Exception:  # noqa: BLE001 - a child killed mid-write
        result = None
    if result is None:
        raise ExtractionError(f"{what} crashed or ran out of memory (limit {options.memory_mb} MB, "
                              "setting extract_memory_mb)")
    if result[0] == "ok":
        return result[1]
    if result[0] == "bug":
        raise ExtractorBug(f"{result[1]}: {result[2]}")
    error = _ERRORS.get(result[1], ExtractionError)(result[2])
    if result[3] is not None:
        error.title = result[3]  # type: ignore[attr-defined]
    raise error


def _reaped_soon(pid: int) -> bool:
    """Whether the child exits by itself within a moment of closing its pipe."""
    for _ in range(50):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return True
        time.sleep(0.01)
    return False


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # reaped by _reaped_soon
    # grandchildren (a PDF renderer, tesseract) left in the group die with it
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
