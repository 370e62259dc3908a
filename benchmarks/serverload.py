"""A real `xuncha serve` on loopback: first load of every page, throughput under N clients, memory.

Bounded in count and in time: each client stops at its deadline or after `max_requests`.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (`xuncha serve --processes N` forks N servers)."""
    out = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out += process_tree(int(child))
    except OSError:
        pass
    return out


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of a server and its children, from /proc: RSS summed, and PSS (each shared page counted
    once over all of them: the index's mapped pages are shared by every thread's searcher and process)."""
    out = {"rss": 0.0, "pss": 0.0}
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("Rss", "Pss"):
                    out[key.lower()] += int(value.split()[0]) / 1024
        except OSError:
            pass
    return {k: round(v, 1) for k, v in out.items()}


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, float]:
    """Status and seconds of one GET (the whole body read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t = time.perf_counter()
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.perf_counter() - t
    finally:
        conn.close()


@contextmanager
def server(home: Path, threads: int | None = None) -> Iterator[tuple[int, subprocess.Popen]]:
    """`xuncha serve` in its own process on a free loopback port, stopped afterwards."""
    port = _port()
    cmd = [sys.executable, "-c", "from xuncha.cli import main; main()", "--home", str(home), "serve",
           "--port", str(port)] + (["--threads", str(threads)] if threads else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("xuncha serve did not start") from None
                time.sleep(0.2)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def first_loads(home: Path, pages: dict[str, str]) -> dict[str, dict]:
    """Each page's first load on a freshly started server (nothing warmed but the process itself)."""
    out = {}
    with server(home) as (port, _proc):
        for name, path in pages.items():
            status, secs = get(port, path, timeout=120)
            out[name] = {"path": path, "status": status, "ms": round(secs * 1000, 1)}
    return out


def load(home: Path, queries: Sequence[str], clients: int = 50, seconds: float = 20.0,
         max_requests: int = 4000) -> dict:
    """`clients` threads searching GET /?q=… in a loop for `seconds`; throughput, latency, errors, RSS."""
    paths = [f"/?q={urllib.parse.quote(q)}" for q in queries]
    with server(home) as (port, proc):
        get(port, paths[0], timeout=120)  # the process has loaded its index
        idle = memory_mb(proc.pid)
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds
        counter = iter(range(max_requests))

        def client(k: int) -> None:
            i = k
            while time.monotonic() < deadline:
                with lock:
                    if next(counter, None) is None:
                        return
                try:
                    status, secs = get(port, paths[i % len(paths)], timeout=30)
                    with lock:
                        (times.append(secs) if status == 200 else errors.append(str(status)))
                except OSError as exc:
                    with lock:
                        errors.append(type(exc).__name__)
                i += clients

        start = time.monotonic()
        workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.monotonic() - start
        after = memory_mb(proc.pid)
        # serving processes, counted while the server still runs (with --processes N, a parent and N children)
        tree = len(process_tree(proc.pid))
        processes = tree - 1 if tree > 1 else tree
    times.sort()
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(times), "errors": len(errors),
            "req_per_s": round(len(times) / wall, 1) if wall else 0.0,
            "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1) if times else None,
            "max_ms": round(times[-1] * 1000, 1) if times else None,
            "rss_idle_mb": idle["rss"], "rss_after_mb": after["rss"], "pss_idle_mb": idle["pss"],
            "pss_after_mb": after["pss"], "processes": processes,
            "error_kinds": dict(Counter(errors).most_common())}
