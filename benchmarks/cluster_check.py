"""`make cluster-check`: the Sphinx backend on 2 loopback shards against the Whoosh backend, same archive, same run.

    python -m benchmarks.cluster_check [--corpus ../shared/corpus] [--home DIR] [--shards 2] [--base-port 19700]

Ingests the corpus into an archive (Whoosh index included; a --home that has documents is reused), starts the
shards under HOME/cluster, indexes the archive through the Sphinx backend, runs every benchmark query
(benchmarks/quality/*.jsonl) through both, then kills one shard and checks that answers come back partial,
naming it, and that the shard restarted from its files answers again with no rebuild. Prints as its last line
`cluster: shards=… units=… top10_overlap=… facets_equal=… totals_equal=… p50_ms=… p95_ms=… whoosh_p95_ms=…
shard_down=ok|fail`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archive.database import Archive
from indexer.backend import BuildReport, SearchRequest
from indexer.backends.sphinx import engine, process
from indexer.backends.sphinx.service import SphinxBackend
from indexer.search import SearchService
from xuncha.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "benchmarks" / "quality"


def queries() -> list[str]:
    seen: dict[str, None] = {}
    for path in sorted(QUERIES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and (q := json.loads(line).get("query")):
                seen.setdefault(q, None)
    return list(seen)


def answer(svc: SearchService, text: str, per_page: int = 10) -> dict:
    """The first page as `xuncha search` answers it: total, the crowded top hits, facets, missing shards."""
    r = svc.search(text, per_page=per_page)
    return {"total": r.total, "ids": [h.id for h in r.hits], "facets": {k: list(v) for k, v in r.facets.items()}
            if r.hits else {}, "missing": r.missing_shards}


def jaccard(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return 1.0 if not sa and not sb else len(sa & sb) / len(sa | sb)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))] if values else 0.0


def ensure_archive(home: Path, corpus: Path) -> None:
    settings = load_settings(environ={}, home=home)
    if settings.db_path.is_file():
        with Archive.open(settings.db_path) as a:
            if a.hashes():
                return
    subprocess.run([sys.executable, "-m", "xuncha", "--home", str(home), "ingest", str(corpus)], check=True,
                   cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)


def shard_down_check(sphinx: SearchService, backend: SphinxBackend, texts: list[str],
                     full: dict[str, dict]) -> tuple[bool, list[str]]:
    """Kill the last shard; every answer must come back naming it, from the others' units only; then restart it
    from its files and check that the full answers return with no rebuild."""
    options = backend.options
    victim = options.shards[-1]
    notes: list[str] = []
    pid = process.pid_of(options, victim.number)
    if pid is None:
        return False, ["the shard to kill is not running"]
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    ok = True
    for text in texts:
        try:
            a = answer(sphinx, text)
        except Exception as exc:  # a failure here is what the check is for
            ok = False
            notes.append(f"{text}: raised {exc!r}")
            continue
        if full[text]["total"] and victim.name not in a["missing"]:
            ok = False
            notes.append(f"{text}: partial answer does not name {victim.name} ({a['missing']})")
        if a["total"] > full[text]["total"]:
            ok = False
            notes.append(f"{text}: partial total {a['total']} > full {full[text]['total']}")
    (options.shard_dir(victim.number) / "searchd.pid").unlink(missing_ok=True)
    process.start_shard(options, victim)
    for text in texts[:20]:
        a = answer(sphinx, text)
        if a["missing"] or a["total"] != full[text]["total"]:
            ok = False
            notes.append(f"{text}: after restart {a['total']} (full {full[text]['total']}), missing {a['missing']}")
    return ok, notes


def sweep(sphinx: SearchService, backend: SphinxBackend, svc: SearchService, texts: list[str],
          windows: list[int]) -> None:
    """Top-10 overlap with Whoosh and Sphinx's p50/p95 for each second-phase window, interleaved per query
    (each window sees the same machine load), and the share of Whoosh's top 10 the first phase's best
    `window` units hold (the second phase can only reorder what the window holds)."""
    kept = backend.window
    w_ids = {t: answer(svc, t)["ids"] for t in texts}
    ov: dict[int, list[float]] = {w: [] for w in windows}
    ms: dict[int, list[float]] = {w: [] for w in windows}
    try:
        for t in texts:
            for w in windows:
                backend.window = w
                t0 = time.perf_counter()
                a = answer(sphinx, t)
                ms[w].append((time.perf_counter() - t0) * 1000)
                ov[w].append(jaccard(a["ids"], w_ids[t]))
    finally:
        backend.window = kept
    for w in windows:
        print(f"window={w}: top10_overlap={statistics.mean(ov[w]):.3f} p50_ms={pct(ms[w], 0.5):.1f} "
              f"p95_ms={pct(ms[w], 0.95):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--home", type=Path, help="reuse this archive (ingest skipped when it has documents)")
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--base-port", type=int, default=19700)
    ap.add_argument("--keep", action="store_true", help="leave the shards running")
    ap.add_argument("--window", type=int, default=None,
                    help="the second phase's window (default: the backend's, service.WINDOW; 0: none)")
    ap.add_argument("--windows", default="", help="also measure these windows first, e.g. 0,100,200,300 "
                    "(top-10 overlap, p50/p95 each; the last line is the --window run)")
    ap.add_argument("--reuse", action="store_true", help="serve the Sphinx generation the shards already hold "
                    "(no rebuild: for --windows runs on the same build)")
    args = ap.parse_args()
    if process.searchd_path() is None:
        sys.exit("cluster-check: searchd not found (Debian package sphinxsearch: make system-deps)")
    corpus = args.corpus if args.corpus.is_dir() else ROOT / "corpus"
    home = (args.home or Path(tempfile.mkdtemp(prefix="xuncha-cluster-")) / "home").resolve()
    ensure_archive(home, corpus)
    settings = load_settings(environ={}, home=home)
    root = settings.cluster_dir
    engine.stop_local(settings.index_root)
    if not args.reuse:
        for f in root.glob("shard*/data/*"):
            f.unlink()
        for f in (*root.glob("*.json"), *root.glob("*.idf")):
            f.unlink()
    cluster = process.up(root, args.shards, args.base_port)
    try:
        start = time.monotonic()
        if args.reuse:
            report = BuildReport("reused", len(SphinxBackend(cluster).indexed()),
                                         SphinxBackend(cluster).unit_count(), 0, 0.0, "reused")
        else:
            with Archive.open(settings.db_path) as archive:
                report = engine.reindex(archive, dataclasses.replace(settings.index_options(), backend="sphinx"),
                                        full=True)
        build_s = time.monotonic() - start
        backend = SphinxBackend(cluster)
        svc = SearchService(dataclasses.replace(settings.search_options(), result_cache=0))
        sphinx = SearchService(dataclasses.replace(settings.search_options(), result_cache=0, backend="sphinx"),
                               backend=backend)
        texts = queries()
        for t in texts[:5]:  # warm both (segmenter, synonyms, page cache)
            answer(sphinx, t), answer(svc, t)
        if args.windows:
            sweep(sphinx, backend, svc, texts, [int(w) for w in args.windows.split(",") if w.strip()])
        if args.window is not None:
            backend.window = args.window
        overlaps, facets_eq, totals_eq, s_ms, w_ms, full, diffs = [], 0, 0, [], [], {}, []
        for t in texts:
            t0 = time.perf_counter()
            s = answer(sphinx, t)
            s_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            w = answer(svc, t)
            w_ms.append((time.perf_counter() - t0) * 1000)
            full[t] = s
            overlaps.append(jaccard(s["ids"], w["ids"]))
            facets_eq += s["facets"] == w["facets"]
            totals_eq += s["total"] == w["total"]
            if s["total"] != w["total"] or s["facets"] != w["facets"]:
                diffs.append(f"{t}: total sphinx {s['total']} whoosh {w['total']}; facets "
                             f"{'equal' if s['facets'] == w['facets'] else 'differ'}")
        down_ok, notes = shard_down_check(sphinx, backend, texts[:60], full)
        n = len(texts)
        print(f"build: {report.documents} documents, {report.grains} units in {build_s:.1f} s "
              f"({report.grains / max(build_s, 1e-9):.0f} units/s); {n} queries")
        for line in diffs[:40]:
            print("differs:", line)
        for line in notes[:20]:
            print("shard_down:", line)
        print(f"cluster: shards={args.shards} units={report.grains} top10_overlap={statistics.mean(overlaps):.3f} "
              f"facets_equal={facets_eq / n:.3f} totals_equal={totals_eq / n:.3f} p50_ms={pct(s_ms, 0.5):.1f} "
              f"p95_ms={pct(s_ms, 0.95):.1f} whoosh_p95_ms={pct(w_ms, 0.95):.1f} "
              f"shard_down={'ok' if down_ok else 'fail'}")
    finally:
        if not args.keep:
            process.down(cluster)


if __name__ == "__main__":
    main()
