"""Speed and size against the stock baseline, in the same run on the same archive.

    python -m benchmarks.speed [--quick] [--home DIR] [--queries N]

Builds (1) xuncha's index with every core, (2) xuncha's with one process, (3) stock Whoosh +
jieba's ChineseAnalyzer (benchmarks.quality.stock), over the same grain records; then times the
same queries through xuncha's search API and through the stock QueryParser, and the first byte of
the web search page. Prints ratios, saves JSON under benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from archive import store
from archive.database import Archive
from archive.pipeline import ingest
from indexer.build import current_dir, full_rebuild
from indexer.search import SearchService
from xuncha.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
QUERIES = ROOT / "benchmarks" / "quality" / "queries.jsonl"


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _paths(quick: bool) -> list[str]:
    if not quick:
        return [str(SHARED), str(ROOT / "corpus")]
    regs = sorted((SHARED / "regulations").rglob("*.md"))
    return [str(SHARED / "notices"), str(SHARED / "related"), str(ROOT / "corpus")] + [str(p) for p in regs[::25]]


def _timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def main() -> None:
    """Run the benchmark and print ratios."""
    from benchmarks.quality.stock import StockIndex

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a 1-in-25 sample of the regulations")
    ap.add_argument("--home", type=Path, help="reuse this archive (ingest skipped if it exists)")
    ap.add_argument("--queries", type=int, default=40)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xuncha-speed-"))
    home = args.home or tmp / "home"
    out: dict = {"quick": args.quick, "cores": os.cpu_count()}
    settings = load_settings(environ={}, home=home)
    conn = store.connect(settings.db_path)
    if conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0:
        t = time.perf_counter()
        report = ingest(Archive(conn), settings.ingest_options(), _paths(args.quick))
        out["ingest_s"] = round(time.perf_counter() - t, 1)
        out["ingest_files"] = len(report.outcomes)
    out["documents"] = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    builds = {}
    for label, workers in (("xuncha", settings.worker_count), ("xuncha-1proc", 1)):
        s = load_settings(environ={}, home=home, workers=workers)
        r = full_rebuild(Archive(conn), s.index_options())
        builds[label] = {"seconds": round(r.seconds, 1), "grains": r.grains,
                         "bytes": _size(current_dir(s.index_root))}  # type: ignore[arg-type]
    stock = StockIndex(tmp / "stock").build(conn)
    builds["stock"] = {"seconds": round(stock.seconds, 1), "grains": stock.grains, "bytes": _size(tmp / "stock")}
    out["builds"] = builds

    queries = [json.loads(line)["query"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = queries[: args.queries]
    svc = SearchService(settings.search_options())
    svc.search("预热")
    ours = [_timed(lambda q=q: svc.search(q, per_page=10)) for q in queries]
    theirs = [_timed(lambda q=q: stock.search(q, "stock-AND", 10)) for q in queries]
    out["query_ms"] = {"xuncha_median": round(statistics.median(ours) * 1000, 1),
                       "xuncha_p95": round(sorted(ours)[int(len(ours) * 0.95) - 1] * 1000, 1),
                       "stock_median": round(statistics.median(theirs) * 1000, 1),
                       "stock_p95": round(sorted(theirs)[int(len(theirs) * 0.95) - 1] * 1000, 1)}
    out["first_byte_ms"] = _first_byte(settings, queries[:10])

    b = builds
    out["ratios"] = {
        "build_time_xuncha_vs_stock": round(b["xuncha"]["seconds"] / b["stock"]["seconds"], 2),
        "build_time_1proc_vs_stock": round(b["xuncha-1proc"]["seconds"] / b["stock"]["seconds"], 2),
        "index_size_xuncha_vs_stock": round(b["xuncha"]["bytes"] / b["stock"]["bytes"], 2),
        "query_median_xuncha_vs_stock": round(statistics.median(ours) / statistics.median(theirs), 2),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"speed-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(out, ensure_ascii=False, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


def _first_byte(settings, queries: list[str]) -> dict:  # type: ignore[no-untyped-def]
    """Median time to the first byte of GET /?q=… from `xuncha serve` (waitress) in its own process."""
    import socket
    import subprocess
    import sys

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen([sys.executable, "-c", "from xuncha.cli import main; main()", "--home",
                               str(settings.home), "serve", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for q in queries * 2:  # warm every server thread's searcher first: steady state is what users feel
            urllib.request.urlopen(f"http://127.0.0.1:{port}/?q={urllib.parse.quote(q)}", timeout=30).read()
        for q in queries * 2:
            url = f"http://127.0.0.1:{port}/?q={urllib.parse.quote(q)}"
            t = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as resp:
                resp.read(1)
                times.append(time.perf_counter() - t)
                resp.read()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"median": round(statistics.median(times) * 1000, 1), "max": round(max(times) * 1000, 1)}


if __name__ == "__main__":
    main()
