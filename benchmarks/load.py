"""Load: concurrent clients against a real `xuncha serve` (waitress, threads) on loopback.

    python -m benchmarks.load [--clients 50] [--seconds 60] [--home DIR | --corpus PATH ...] [--threads 8]

With --home, serves that archive (e.g. one holding the whole ../shared/corpus); otherwise builds a
temporary one from --corpus (default: the sample corpus). Each client loops over a mix of searches
(short and 200-character queries, facets, pages), document pages and the JSON API for --seconds and
records every response. Prints requests/s, p50/p95/p99 and errors; exit 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XUNCHA = str(Path(sys.executable).parent / "xuncha")
QUERIES = ["整改", "公务用车", "三重一大", "违规发放津补贴", "政府采购 第二十条", "巡察反馈问题整改落实情况",
           "公务接待", "党组议事规则", "内部控制", "证照管理", "问责", "形式主义 官僚主义",
           "关于落实全面从严治党主体责任方面存在的问题以及整改措施落实情况和下一步工作打算" * 3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNCHA_")}
    env.update(XUNCHA_HOME=str(home))
    return env


@contextmanager
def serving(home: Path, threads: int = 8) -> Iterator[str]:
    """`xuncha serve` on a free loopback port in its own process group; yields its base URL."""
    port = free_port()
    # the server's output goes to a file: a pipe nobody reads fills up and stalls the server
    log = open(home / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([XUNCHA, "serve", "--port", str(port), "--threads", str(threads)], env=_env(home),
                            cwd=ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/api/search?q=x", timeout=5):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("xuncha serve did not start: "
                                       + (home / "serve.log").read_text(errors="replace")[-500:])
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def get(url: str, timeout_s: float = 30) -> tuple[int, bytes]:
    """Status and body of a GET (an HTTP error status is a status, not an exception)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        exc.close()
        return exc.code, body


@dataclass
class Tally:
    """Responses of every client."""

    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times.append(seconds)
            if error:
                self.errors.append(error)


def _urls(base: str, rng: random.Random, doc_ids: list[str]) -> str:
    roll = rng.random()
    q = urllib.parse.quote(rng.choice(QUERIES))
    if roll < 0.45:
        return f"{base}/api/search?q={q}&page={rng.randint(1, 3)}"
    if roll < 0.8:
        extra = rng.choice(["", "&kind=article", "&kind=measure", "&sort=date", "&doc_type=regulation"])
        return f"{base}/?q={q}{extra}"
    if doc_ids:
        return f"{base}/doc/{rng.choice(doc_ids)}?q={q}"
    return f"{base}/"


def client(base: str, until: float, seed: int, tally: Tally, doc_ids: list[str], max_requests: int) -> None:
    rng = random.Random(seed)
    for _ in range(max_requests):
        if time.monotonic() >= until:
            return
        url = _urls(base, rng, doc_ids)
        started = time.perf_counter()
        try:
            status, _ = get(url)
            error = None if status == 200 else f"{status} {url}"
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc} {url}"
        tally.add(time.perf_counter() - started, error)


def doc_ids_of(base: str) -> list[str]:
    status, body = get(f"{base}/api/search?q={urllib.parse.quote('整改')}&per_page=50")
    return [h["doc_id"] for h in json.loads(body)["hits"]] if status == 200 else []


def hammer(base: str, clients: int, seconds: float, max_requests: int = 10**9) -> Tally:
    """`clients` threads for `seconds` (at most max_requests each)."""
    tally = Tally()
    ids = doc_ids_of(base)
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(base, until, i, tally, ids, max_requests), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return tally


def summary(tally: Tally, seconds: float) -> str:
    times = sorted(tally.times)
    if not times:
        return "no requests"
    pct = lambda p: times[min(len(times) - 1, int(len(times) * p))] * 1000  # noqa: E731
    return (f"{len(times)} requests in {seconds:.0f} s = {len(times) / seconds:.1f} requests/s; "
            f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, "
            f"max {times[-1] * 1000:.0f} ms; errors {len(tally.errors)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--threads", type=int, default=8, help="waitress threads")
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--corpus", nargs="*", default=[str(ROOT / "corpus")])
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xuncha-load-") as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            done = subprocess.run([XUNCHA, "ingest", *args.corpus], env=_env(home), cwd=ROOT, check=False,
                                  capture_output=True, text=True)
            if done.returncode not in (0, 1):
                raise SystemExit(f"load: ingest failed: {done.stderr[-500:]}")
        with serving(home, args.threads) as base:
            started = time.monotonic()
            tally = hammer(base, args.clients, args.seconds)
            took = time.monotonic() - started
    print(f"load: {args.clients} clients, waitress {args.threads} threads, {home}: {summary(tally, took)}")
    for line in tally.errors[:20]:
        print("  " + line)
    return 1 if tally.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
