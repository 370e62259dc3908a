"""The synthetic archive of benchmarks/scale.py on the Whoosh backend and on Sphinx shards, in one run.

    nice -n 10 python -m benchmarks.scale_cluster [--factor 10] [--root /tmp/xuncha-scale] [--shards 2,4]
        [--base-port 19800] [--phases prepare,whoosh,sphinx]

The archive (`--factor` × the real regulations, benchmarks.scale.generate, plus the two real notices) is
generated and ingested once under ROOT/x<factor>/ and reused by later runs. Then, on that archive: the
Whoosh backend's full build in its own process (seconds, units/s, peak RSS, index bytes) and p50/p95 over
benchmarks.workload's queries; then for each shard count, loopback shards under HOME/cluster: the Sphinx
backend's full build (seconds, units/s), p50/p95 over the same queries through the distributed index and
against one shard's local index alone (the per-shard cost), each searchd's RSS (now and peak) and data
bytes after the build; ratios against Whoosh. Each phase's figures are kept in ROOT/x<factor>/results.json
as they come (a later run skips a phase already there unless --again), and printed as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from archive import store
from archive.database import Archive
from archive.pipeline import ingest
from xuncha.settings import load_settings

from .scale import generate
from .speed import SHARED, percentile_ms

ROOT = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _cpu_self() -> float:
    """CPU seconds of this process and its waited-for children (a Whoosh build's workers)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _cpu_of(pids: list[int | None]) -> float:
    """CPU seconds so far of running processes (utime + stime of /proc/<pid>/stat: a searchd's threads)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


class Sampler:
    """searchd's CPU over a build: each pid's counter read every 0.2 s and its last reading kept, since the
    build restarts every shard at its end (engine.restart_for_idf) and a stopped process's counter is gone."""

    def __init__(self, pids: Callable[[], list[int | None]]) -> None:
        self.pids, self.first, self.last = pids, {}, {}
        self._stop = threading.Event()
        self._sample()
        self.first = dict(self.last)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        for pid in self.pids():
            if pid is not None and (cpu := _cpu_of([pid])):
                self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def total(self) -> float:
        return sum(v - self.first.get(pid, 0.0) for pid, v in self.last.items())


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Results:
    """results.json: one entry per phase, written after each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict = json.loads(path.read_text()) if path.is_file() else {}

    def put(self, phase: str, value: dict) -> None:
        self.data[phase] = value
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, ensure_ascii=False))
        tmp.replace(self.path)
        print(json.dumps({"phase": phase, **value}, ensure_ascii=False), flush=True)


def prepare(work: Path, factor: float) -> dict:
    """Generate and ingest the synthetic archive (skipped when the archive already holds its documents)."""
    src, home = work / "src", work / "home"
    settings = load_settings(environ={}, home=home)
    done = work / "prepared.json"
    if done.is_file():
        return json.loads(done.read_text())
    t = time.perf_counter()
    n = generate(src, factor)
    gen_s = time.perf_counter() - t
    _log(f"generated {n} regulations in {gen_s:.0f} s")
    seen = [0]

    def progress(_outcome: object) -> None:
        seen[0] += 1
        if seen[0] % 1000 == 0:
            _log(f"ingested {seen[0]} files ({seen[0] / (time.perf_counter() - t1):.1f}/s)")

    t1 = time.perf_counter()
    with Archive(store.connect(settings.db_path)) as archive:
        report = ingest(archive, settings.ingest_options(), [str(src), str(SHARED / "notices")], progress=progress)
        failed = sum(1 for o in report.outcomes if o.outcome == "failed")
    out = {"factor": factor, "regulations": n, "generate_s": round(gen_s, 1),
           "ingest_s": round(time.perf_counter() - t1, 1), "files": len(report.outcomes), "failed": failed,
           "db_bytes": settings.db_path.stat().st_size}
    done.write_text(json.dumps(out, indent=2))
    return out


def _queries(home: Path) -> list[str]:
    from .workload import staff_queries

    settings = load_settings(environ={}, home=home)
    with Archive.open(settings.db_path) as archive:
        return [q for _, q in staff_queries(archive, 240)]


def time_queries(svc: object, queries: list[str], servers: list[int | None] = ()) -> dict:  # type: ignore[assignment]
    """Each query once, after one warm-up search (benchmarks/scale.py's protocol): wall p50, p95, max, mean;
    the client's CPU per query (thread time: p50, p95) and, for shards, searchd's CPU over the pass."""
    svc.search("预热")  # type: ignore[attr-defined]
    times, cpu, partial = [], [], 0
    load0, served0 = _load(), _cpu_of(list(servers))
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        r = svc.search(q, per_page=10)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        partial += bool(getattr(r, "missing_shards", ()))
    out = {"queries": len(times), "p50_ms": percentile_ms(times, 0.5), "p95_ms": percentile_ms(times, 0.95),
           "max_ms": round(max(times) * 1000, 1), "mean_ms": round(sum(times) / len(times) * 1000, 1),
           "client_cpu_p50_ms": percentile_ms(cpu, 0.5), "client_cpu_p95_ms": percentile_ms(cpu, 0.95),
           "client_cpu_mean_ms": round(sum(cpu) / len(cpu) * 1000, 1), "partial": partial,
           "load": [load0, _load()]}
    if servers:
        out["searchd_cpu_mean_ms"] = round((_cpu_of(list(servers)) - served0) / len(queries) * 1000, 1)
    return out


def _whoosh_child(home: str, out: mp.Queue) -> None:
    from indexer.backends.whoosh.build import current_dir, full_rebuild

    settings = load_settings(environ={}, home=Path(home))
    cpu0, load0 = _cpu_self(), _load()
    with Archive(store.connect(settings.db_path)) as archive:
        r = full_rebuild(archive, settings.index_options())
    cpu = _cpu_self() - cpu0
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    out.put({"seconds": round(r.seconds, 1), "units": r.grains, "units_per_s": round(r.grains / r.seconds, 1),
             "segmented": r.segmented, "reused": r.reused, "peak_rss_mb": round(peak / 1024, 1),
             "workers_peak_mb": r.peak_mb, "cpu_s": round(cpu, 1), "cpu_per_unit_ms": round(cpu / r.grains * 1000, 2),
             "load": [load0, _load()], "index_bytes": _size(current_dir(settings.index_root))})  # type: ignore[arg-type]


def whoosh(work: Path) -> dict:
    """The Whoosh backend's full build in its own process (its peak RSS its own), then the queries."""
    import dataclasses

    from indexer.search import SearchService

    home = work / "home"
    ctx = mp.get_context("fork")
    q: mp.Queue = ctx.Queue()
    p = ctx.Process(target=_whoosh_child, args=(str(home), q))
    p.start()
    info = q.get()
    p.join()
    settings = load_settings(environ={}, home=home)
    svc = SearchService(dataclasses.replace(settings.search_options(), result_cache=0))
    return {**info, **time_queries(svc, _queries(home))}


def _proc(pid: int | None) -> dict:
    """A searchd's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key.lower() + "_mb"] = round(int(value.split()[0]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return out


def sphinx(work: Path, shards: int, base_port: int) -> dict:
    """Fresh loopback shards, the Sphinx backend's full build, the queries through the distributed index and
    against shard 0's local index alone, then each searchd's memory and data bytes; the shards are stopped."""
    import dataclasses

    from indexer.backends.sphinx import engine, process, service
    from indexer.backends.sphinx.config import local_index
    from indexer.backends.sphinx.service import SphinxBackend
    from indexer.search import SearchService

    home = work / "home"
    settings = load_settings(environ={}, home=home)
    root = settings.cluster_dir
    engine.stop_local(settings.index_root)
    for f in (*root.glob("shard*/data/*"), *root.glob("*.json"), *root.glob("*.idf")):
        f.unlink()
    cluster = process.up(root, shards, base_port)
    try:
        pids = lambda: [process.pid_of(cluster, s.number) for s in cluster.shards]  # noqa: E731
        sampler = Sampler(pids)
        t, load0, client0 = time.monotonic(), _load(), _cpu_self()
        with Archive.open(settings.db_path) as archive:
            report = engine.reindex(archive, dataclasses.replace(settings.index_options(), backend="sphinx"),
                                    full=True)
        build_s = time.monotonic() - t
        sampler.stop()
        build_cpu = {"client_cpu_s": round(_cpu_self() - client0, 1), "searchd_cpu_s": round(sampler.total(), 1),
                     "load": [load0, _load()]}
        _log(f"sphinx {shards} shards: {report.grains} units in {build_s:.0f} s")
        queries = _queries(home)
        options = dataclasses.replace(settings.search_options(), result_cache=0, backend="sphinx")
        dist = time_queries(SearchService(options, backend=SphinxBackend(cluster)), queries, pids())
        whole = service.dist_index
        service.dist_index = lambda slot: local_index(0, slot)  # shard 0 alone: no agents, no merge
        try:
            alone = time_queries(SearchService(options, backend=SphinxBackend(cluster)), queries, pids()[:1])
        finally:
            service.dist_index = whole
        per_shard = []
        for s in cluster.shards:
            data = cluster.shard_dir(s.number) / "data"
            per_shard.append({"shard": s.number, **_proc(process.pid_of(cluster, s.number)),
                              "data_bytes": _size(data)})
    finally:
        process.down(cluster)
    return {"shards": shards, "units": report.grains, "documents": report.documents,
            "seconds": round(build_s, 1), "units_per_s": round(report.grains / build_s, 1),
            "segmented": report.segmented, "reused": report.reused, **build_cpu,
            "cpu_per_unit_ms": round((build_cpu["client_cpu_s"] + build_cpu["searchd_cpu_s"]) / report.grains * 1000, 2),
            "queries": dist,
            "shard0_alone": alone, "per_shard": per_shard}


def summary(data: dict) -> list[str]:
    """The comparison table, ratios against Whoosh from the same run."""
    w = data.get("whoosh")
    lines = ["| backend | units | build s | units/s | build CPU ms/unit | p50 / p95 ms | query CPU ms (mean) "
             "| memory MB | index MB |", "|---|---|---|---|---|---|---|---|---|"]
    if w:
        lines.append(f"| Whoosh | {w['units']:,} | {w['seconds']:.0f} | {w['units_per_s']:.0f} | "
                     f"{w['cpu_per_unit_ms']:.2f} | {w['p50_ms']:.0f} / {w['p95_ms']:.0f} | "
                     f"{w['client_cpu_mean_ms']:.0f} | build peak {w['peak_rss_mb']:.0f} | "
                     f"{w['index_bytes'] / 2**20:.0f} |")
    for key in sorted(k for k in data if k.startswith("sphinx")):
        s = data[key]
        q, a = s["queries"], s["shard0_alone"]
        rss = ", ".join(f"{p.get('vmrss_mb', 0):.0f}" for p in s["per_shard"])
        hwm = ", ".join(f"{p.get('vmhwm_mb', 0):.0f}" for p in s["per_shard"])
        disk = ", ".join(f"{p['data_bytes'] / 2**20:.0f}" for p in s["per_shard"])
        lines.append(f"| Sphinx, {s['shards']} shards | {s['units']:,} | {s['seconds']:.0f} | "
                     f"{s['units_per_s']:.0f} | {s['cpu_per_unit_ms']:.2f} | {q['p50_ms']:.0f} / {q['p95_ms']:.0f} "
                     f"(shard 0 alone {a['p50_ms']:.0f} / {a['p95_ms']:.0f}) | client {q['client_cpu_mean_ms']:.0f} "
                     f"+ searchd {q.get('searchd_cpu_mean_ms', 0):.0f} (shard 0 alone {a.get('searchd_cpu_mean_ms', 0):.0f})"
                     f" | searchd RSS {rss} (peak {hwm}) | {disk} |")
        if w:
            lines.append(f"| ratio to Whoosh | | {s['seconds'] / w['seconds']:.2f}× | "
                         f"{s['units_per_s'] / w['units_per_s']:.2f}× | {s['cpu_per_unit_ms'] / w['cpu_per_unit_ms']:.2f}× | "
                         f"{q['p50_ms'] / w['p50_ms']:.2f}× / {q['p95_ms'] / w['p95_ms']:.2f}× | | | "
                         f"{sum(p['data_bytes'] for p in s['per_shard']) / w['index_bytes']:.2f}× |")
    return lines


def _line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(intercept, slope) through two measured points (one: through the origin)."""
    if len(points) < 2:
        return 0.0, points[0][1] / points[0][0]
    (x0, y0), (x1, y1) = sorted(points)[:1] + sorted(points)[-1:]
    slope = (y1 - y0) / (x1 - x0)
    return y0 - slope * x0, slope


def project(data: dict, total_units: float = 1e8, machines: tuple[int, ...] = (4, 8, 16, 32, 64, 128)) -> list[str]:
    """The projection table for `total_units` over K machines (one shard on each, 2 cores). Per-unit costs
    (disk, build CPU) come from the run with the largest shards; a shard's p95 and resident memory from the
    line through the runs' two shard sizes (shard 0 alone; searchd's RSS), plus the fan-out and merge measured
    at the largest shards (the distributed p95 less shard 0's alone)."""
    runs = sorted((v for k, v in data.items() if k.startswith("sphinx")), key=lambda r: r["units"] / r["shards"])
    if not runs:
        return []
    s = runs[-1]
    per = s["units"] / s["shards"]
    bytes_unit = sum(p["data_bytes"] for p in s["per_shard"]) / s["units"]
    searchd_ms = s["searchd_cpu_s"] / s["units"] * 1000
    client_ms = s["client_cpu_s"] / s["units"] * 1000
    p95 = _line([(r["units"] / r["shards"], r["shard0_alone"]["p95_ms"]) for r in runs])
    cpu = _line([(r["units"] / r["shards"], r["shard0_alone"].get("searchd_cpu_mean_ms", 0)) for r in runs])
    rss = _line([(r["units"] / r["shards"], r["per_shard"][0].get("vmrss_mb", 0)) for r in runs])
    merge_ms = max(0.0, s["queries"]["p95_ms"] - s["shard0_alone"]["p95_ms"])
    lines = [f"From {', '.join('sphinx' + str(r['shards']) for r in runs)} "
             f"(largest shards {per:,.0f} units): {bytes_unit:,.0f} bytes/unit on disk; build CPU searchd "
             f"{searchd_ms:.3f} + feeder {client_ms:.3f} ms/unit; shard alone p95 = {p95[0]:.0f} ms + "
             f"{p95[1] * 1000:.2f} ms per 1,000 units; searchd CPU a query = {cpu[0]:.0f} + {cpu[1] * 1000:.2f} ms "
             f"per 1,000 units; RSS = {rss[0]:.0f} MB + {rss[1] * 1024:.2f} KB/unit; fan-out + merge {merge_ms:.0f} ms",
             "| K machines | units a shard | index a shard (GB) | searchd build (h) | one feeder (h) | a feeder "
             "a machine (h) | p95 a shard + merge (ms) | searchd CPU a query (ms) | searchd RSS a shard (GB) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for k in machines:
        u = total_units / k
        lines.append(f"| {k} | {u:,.0f} | {u * bytes_unit / 1e9:.1f} | {u * searchd_ms / 3.6e6:.2f} | "
                     f"{total_units * client_ms / 3.6e6:.1f} | {u * client_ms / 3.6e6:.2f} | "
                     f"{p95[0] + p95[1] * u + merge_ms:,.0f} | {cpu[0] + cpu[1] * u:,.0f} | "
                     f"{(rss[0] + rss[1] * u) / 1024:.1f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--factor", type=float, default=10.0)
    ap.add_argument("--root", type=Path, default=Path("/tmp/xuncha-scale"))
    ap.add_argument("--phases", default="prepare,whoosh,sphinx")
    ap.add_argument("--shards", default="2,4")
    ap.add_argument("--base-port", type=int, default=19800)
    ap.add_argument("--again", action="store_true", help="measure phases already in results.json again")
    ap.add_argument("--tag", default="", help="a second work folder ROOT/x<factor><tag> (a copy of the archive: "
                    "run the Whoosh and the Sphinx phases side by side)")
    ap.add_argument("--summary-of", default="", help="only print the table of these results.json files, merged")
    args = ap.parse_args()
    if args.summary_of:
        merged: dict = {}
        for path in args.summary_of.split(","):
            merged.update(json.loads(Path(path).read_text()))
        print("\n".join(summary(merged) + [""] + project(merged)))
        return
    work = (args.root / f"x{args.factor:g}{args.tag}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    results = Results(work / "results.json")
    phases = args.phases.split(",")
    if "prepare" in phases:
        results.put("prepare", prepare(work, args.factor))
    if "whoosh" in phases and (args.again or "whoosh" not in results.data):
        _log("whoosh build")
        results.put("whoosh", whoosh(work))
    if "sphinx" in phases:
        for n in (int(x) for x in args.shards.split(",")):
            if args.again or f"sphinx{n}" not in results.data:
                _log(f"sphinx build, {n} shards")
                results.put(f"sphinx{n}", sphinx(work, n, args.base_port))
    print("\n".join(summary(results.data) + [""] + project(results.data)), flush=True)


if __name__ == "__main__":
    main()
