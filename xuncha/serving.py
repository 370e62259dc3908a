"""`xuncha serve`'s processes: waitress with threads, in one process or in several sharing one socket.

A search is CPU work in Python, and one process runs one thread at a time: on the whole corpus one
process answered 3–4 search pages a second under 50 clients whatever its thread count (measured: 8
threads 3.5/s, 4 threads 3.1/s, and each thread's searcher maps the index again). Several processes
accept on one listening socket, bound once before forking, so every core searches. Only the first runs
the job worker and the watch folder (the `make_app` callback decides); each has its own caches. The
children die with the parent (PR_SET_PDEATHSIG) and the parent ends them on SIGTERM or Ctrl-C; when one
child ends, the others are ended too and `serve` exits with its status.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
from collections.abc import Callable
from typing import Any

import waitress

from indexer.processes import die_with_parent


def settle() -> None:
    """Move what a server process has loaded so far (the dictionary: half a million objects, the open
    index) out of the garbage collector's reach: a search allocates enough to trigger full collections,
    and each one walked all of it. Measured on the 238 benchmark queries: p50 40 → 31 ms, p95 252 → 195 ms.
    Called before forking too, so the children share those pages instead of copying them on collection."""
    gc.freeze()


def listen(host: str, port: int) -> socket.socket:
    """The socket every process accepts on (IPv4 or IPv6, as the host is), bound but not yet listening:
    each process's waitress listens on it once its app is built, so that no connection waits in the
    backlog while the first process is still loading (measured: that wait was most of a first page)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    return sock


def serve(make_app: Callable[[int], Any], host: str, port: int, threads: int, processes: int) -> int:
    """Serve `make_app(i)` from `processes` processes (1: this one); the exit status."""
    if processes <= 1:
        waitress.serve(make_app(0), host=host, port=port, threads=threads, ident="xuncha")
        return 0
    sock = listen(host, port)
    parent = os.getpid()
    children: list[int] = []
    for i in range(processes):
        pid = os.fork()
        if pid == 0:  # the child: its own app (threads start after the fork), the shared socket
            status = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                die_with_parent(parent)
                waitress.serve(make_app(i), sockets=[sock], threads=threads, ident="xuncha")
                status = 0
            finally:
                os._exit(status)
        children.append(pid)
    sock.close()

    def stop(signum: int, frame: object) -> None:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    first_status = None
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid in children:
            children.remove(pid)
            if first_status is None:
                first_status = os.waitstatus_to_exitcode(status)
                stop(signal.SIGTERM, None)  # one ended: end the others
    return 0 if first_status in (None, 0, -signal.SIGTERM) else 1
