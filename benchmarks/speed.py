"""Speed, size and memory against the stock baseline, in the same run on the same archive.

    python -m benchmarks.speed [--quick] [--home DIR] [--clients 50] [--load-seconds S] [--no-readme]

Builds xuncha's index (indexer.backends.whoosh.build.full_rebuild) and the stock one (benchmarks.quality.stock:
Whoosh + jieba's ChineseAnalyzer) from the same archive, each in its own process (peak RSS);
times every query of benchmarks.workload through xuncha's search API (facets and snippets, result
cache off) and through stock's QueryParser with OR grouping (plus Whoosh highlighting of the hits)
and with AND; then starts a real `xuncha serve` on loopback for the first load of every page and
for N concurrent clients; times the cross-check of the notice nearest 60 measures in fresh processes, its
suggestions kept, not kept and with nothing kept, against stock Whoosh's more-like-this per measure
(benchmarks.crosscheck_speed). Writes benchmarks/results/speed-<time>.json and the table in the README's
"Performance" section. --quick (CI, under two minutes) uses the notices and 1 in 60 regulations.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from pathlib import Path

from archive import store
from archive.database import Archive
from archive.kinds import DocType
from archive.pipeline import ingest
from xuncha.settings import load_settings

from . import crosscheck_speed, serverload
from .workload import staff_queries

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
README = ROOT / "README.md"
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _paths(quick: bool) -> list[str]:
    if not quick:
        return [str(SHARED), str(ROOT / "corpus")]
    regs = sorted((SHARED / "regulations").rglob("*.md"))
    return [str(SHARED / "notices"), str(SHARED / "related"), str(ROOT / "corpus")] + [str(p) for p in regs[::60]]


def percentile_ms(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of times in seconds, in milliseconds to 0.1; 0.0 for no times."""
    v = sorted(values)
    return round(v[min(len(v) - 1, max(0, int(round(len(v) * p)) - 1))] * 1000, 1) if v else 0.0


def _build_child(kind: str, home: str, stock_dir: str, out: mp.Queue) -> None:
    settings = load_settings(environ={}, home=Path(home))
    conn = store.connect(settings.db_path)
    if kind == "xuncha":
        from indexer.backends.whoosh.build import current_dir, full_rebuild

        from indexer.checks import prepare
        from indexer.search import SearchService

        options = settings.index_options()
        if options.tokens_path is not None:
            options.tokens_path.unlink(missing_ok=True)  # the first build segments every text
        first = full_rebuild(Archive(conn), options)
        # a full re-index (schema change, `xuncha reindex --full`): the kept tokens are read, nothing segmented
        r = full_rebuild(Archive(conn), options)
        info = {"seconds": round(r.seconds, 1), "grains": r.grains,
                "bytes": _size(current_dir(settings.index_root)),  # type: ignore[arg-type]
                "first_build_s": round(first.seconds, 1), "segmented_first": first.segmented,
                "segmented": r.segmented, "reused": r.reused, "workers_peak_mb": max(first.peak_mb, r.peak_mb)}
        # what `xuncha ingest` and `reindex` do next: the cross-check's suggestions (kept ones are reused)
        p = prepare(Archive(conn), SearchService(settings.search_options()))
        info["checks"] = {"seconds": round(p.seconds, 1), "notices": p.notices, "measures": p.measures}
    else:
        from benchmarks.quality.stock import StockIndex

        s = StockIndex(Path(stock_dir)).build(conn)
        info = {"seconds": round(s.seconds, 1), "grains": s.grains, "bytes": _size(Path(stock_dir))}
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    info["peak_rss_mb"] = round(peak / 1024, 1)
    out.put(info)


def build(kind: str, home: Path, stock_dir: Path) -> dict:
    """One build in its own process (fork), so that its peak RSS is its own."""
    ctx = mp.get_context("fork")
    q: mp.Queue = ctx.Queue()
    p = ctx.Process(target=_build_child, args=(kind, str(home), str(stock_dir), q))
    p.start()
    info = q.get()
    p.join()
    return info


def incremental(home: Path, tmp: Path, paths: list[str]) -> dict:
    """What an operator waits for on this archive, as `xuncha ingest` does it (in a copy of the archive,
    which stays as it was): the same files again (nothing changed: nothing is segmented or indexed), then
    ten new notices (fictional, tests/fixtures/notices): ingest, index update and cross-check suggestions."""
    copy = tmp / "incremental"
    shutil.copytree(home, copy, symlinks=True)
    new = sorted((ROOT / "tests" / "fixtures" / "notices").glob("*.txt"))[:10]

    def run(args: list[str]) -> dict:
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", "from xuncha.cli import main; main()", "--home", str(copy),
                               "ingest", *args], capture_output=True, text=True, cwd=ROOT)
        lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
        # the summary, and what the index update and the cross-check's suggestions took (their own lines)
        said = lines[:1] + [ln for ln in lines if ln.startswith(("index:", "cross-check"))]
        return {"seconds": round(time.perf_counter() - t, 1), "exit": done.returncode, "said": said}

    first = run(paths)  # an archive kept with --home may lack a file of these paths: ingested first, untimed
    out = {"catch_up": first, "unchanged": run(paths), "ten_notices": run([str(p) for p in new])}
    shutil.rmtree(copy, ignore_errors=True)
    return out


def time_queries(home: Path, stock_dir: Path, queries: list[tuple[str, str]],
                 warm_up: list[str] | None = None) -> dict:
    """Per-query latency of xuncha's API and of stock-OR (with highlights) and stock-AND, each query run once.

    With `warm_up`, every system first runs those other queries untimed: a server that has been answering
    for a while (xuncha keeps common terms' scores across searches, stock only has the page cache). Without,
    each system starts from a fresh process, as the first queries after a restart do."""
    from whoosh import query as Q
    from whoosh.qparser import OrGroup, QueryParser

    from benchmarks.quality.stock import StockIndex
    from indexer.search import SearchService
    from xuncha.serving import settle

    settings = load_settings(environ={}, home=home)
    svc = SearchService(dataclasses.replace(settings.search_options(), result_cache=0))
    svc.search("预热")
    settle()  # as `xuncha serve` does once its index is open (xuncha/serving.py)
    stock = StockIndex(stock_dir).open()
    searcher = stock.ix.searcher()  # type: ignore[union-attr]
    parsers = {"stock-OR": QueryParser("body", stock.ix.schema, group=OrGroup),  # type: ignore[union-attr]
               "stock-AND": QueryParser("body", stock.ix.schema)}  # type: ignore[union-attr]
    mask = Q.Term("kind", "document")

    def run_stock(system: str, text: str) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = searcher.search(parsers[system].parse(text), limit=10, mask=mask)
            if system == "stock-OR":
                for hit in results:
                    hit.highlights("body")

    for text in warm_up or ():
        svc.search(text, per_page=10)
        for system in ("stock-OR", "stock-AND"):
            run_stock(system, text)
    times: dict[str, list[float]] = {"xuncha": [], "stock-OR": [], "stock-AND": []}
    slowest: list[tuple[float, str]] = []
    for _kind, text in queries:
        t = time.perf_counter()
        svc.search(text, per_page=10)
        dt = time.perf_counter() - t
        times["xuncha"].append(dt)
        slowest.append((dt, text))
        for system in ("stock-OR", "stock-AND"):
            t = time.perf_counter()
            run_stock(system, text)
            times[system].append(time.perf_counter() - t)
    out = {name: {"p50_ms": percentile_ms(v, 0.5), "p95_ms": percentile_ms(v, 0.95), "p99_ms": percentile_ms(v, 0.99),
                  "max_ms": round(max(v) * 1000, 1), "over_1s": sum(1 for x in v if x > 1.0)}
           for name, v in times.items()}
    out["queries"] = len(queries)
    out["warm_up"] = len(warm_up or ())
    out["by_kind"] = {k: len([1 for kk, _ in queries if kk == k]) for k in dict.fromkeys(k for k, _ in queries)}
    out["slowest_xuncha"] = [{"ms": round(dt * 1000, 1), "q": q[:60]} for dt, q in sorted(slowest, reverse=True)[:5]]
    return out


def pages(home: Path) -> dict[str, str]:
    """One URL of every page kind, on documents of this archive."""
    with Archive.open(load_settings(environ={}, home=home).db_path) as archive:
        docs = list(archive.documents())
    picked = crosscheck_speed.notice_to_time(home)  # the cross-check's notice: the one nearest 60 measures
    notice = next((d for d in docs if picked and d.id == picked[0]), None)
    reg = max((d for d in docs if d.doc_type == DocType.REGULATION), key=lambda d: len(d.text), default=None)
    out = {"home": "/", "search": f"/?q={urllib.parse.quote('公务接待 标准')}",
           "api_search": f"/api/search?q={urllib.parse.quote('政府采购')}"}
    if notice:
        out.update(notice=f"/doc/{notice.id}", check=f"/doc/{notice.id}/check",
                   check_csv=f"/doc/{notice.id}/check.csv")
    if reg:
        out["regulation"] = f"/doc/{reg.id}"
    return out


def ratios(out: dict) -> dict:
    b, q, ld = out["builds"], out["query"], out.get("load", {})
    r = {"query_p95_vs_stock_or_p95": round(q["xuncha"]["p95_ms"] / q["stock-OR"]["p95_ms"], 2),
         "query_p50_vs_stock_and_p50": round(q["xuncha"]["p50_ms"] / q["stock-AND"]["p50_ms"], 2),
         "build_time_stock_vs_xuncha": round(b["stock"]["seconds"] / b["xuncha"]["seconds"], 2),
         "first_build_stock_vs_xuncha": round(b["stock"]["seconds"] / b["xuncha"].get("first_build_s", b["xuncha"]["seconds"]), 2),
         "index_size_xuncha_vs_stock": round(b["xuncha"]["bytes"] / b["stock"]["bytes"], 2)}
    if qw := out.get("query_warm"):
        r["warm_query_p50_vs_stock_and_p50"] = round(qw["xuncha"]["p50_ms"] / qw["stock-AND"]["p50_ms"], 2)
        r["warm_query_p95_vs_stock_or_p95"] = round(qw["xuncha"]["p95_ms"] / qw["stock-OR"]["p95_ms"], 2)
    if cc := out.get("crosscheck"):
        r.update({k: cc[k] for k in ("kept_vs_stock", "not_kept_vs_stock", "nothing_kept_vs_stock",
                                     "kept_cpu_vs_stock_cpu") if k in cc})
    if ld.get("req_per_s"):
        r["throughput_vs_7_req_s"] = round(ld["req_per_s"] / 7.0, 1)
    if (dl := out.get("load_distinct", {})).get("req_per_s"):
        r["distinct_throughput_vs_7_req_s"] = round(dl["req_per_s"] / 7.0, 1)
    return r


def table(out: dict, command: str) -> str:
    """The README's table (markdown)."""
    b, q, ld, r = out["builds"], out["query"], out.get("load", {}), out["ratios"]
    rows = [("query p50 (ms): xuncha / stock-OR / stock-AND",
             _systems(q, "p50_ms"),
             f"{r['query_p50_vs_stock_and_p50']}× stock-AND (target ≤ 1)"),
            ("query p95 (ms)", _systems(q, "p95_ms"),
             f"{r['query_p95_vs_stock_or_p95']}× stock-OR (target ≤ 0.33)"),
            ("query p99 (ms)", _systems(q, "p99_ms"), ""),
            ("queries over 1 s", _systems(q, "over_1s"),
             f"of {q['queries']}"),
            *_warm_rows(out),
            ("full re-index (s): xuncha / stock", f"{b['xuncha']['seconds']} / {b['stock']['seconds']}",
             f"stock takes {r['build_time_stock_vs_xuncha']}× (target ≥ 2); "
             f"{b['xuncha'].get('segmented', '?')} texts segmented, {b['xuncha'].get('reused', '?')} reused"),
            ("first build, nothing kept yet (s): xuncha / stock",
             f"{b['xuncha'].get('first_build_s')} / {b['stock']['seconds']}",
             f"stock takes {r.get('first_build_stock_vs_xuncha')}×; {b['xuncha'].get('segmented_first')} texts segmented"),
            ("index size (MB)", f"{b['xuncha']['bytes'] / 1e6:.1f} / {b['stock']['bytes'] / 1e6:.1f}",
             f"{r['index_size_xuncha_vs_stock']}× (target ≤ 1.5)"),
            ("build peak RSS (MB): xuncha, all processes summed / stock",
             f"{b['xuncha'].get('workers_peak_mb', b['xuncha']['peak_rss_mb'])} / {b['stock']['peak_rss_mb']}",
             "target ≤ 1,500")]
    if inc := out.get("incremental"):
        rows += [("`xuncha ingest` of the same files again (s)", f"{inc['unchanged']['seconds']}",
                  "; ".join(inc["unchanged"]["said"]) or "(no output)"),
                 ("`xuncha ingest` of 10 new notices (s)", f"{inc['ten_notices']['seconds']}",
                  "; ".join(inc["ten_notices"]["said"]) + " (target: seconds)")]
    if "checks" in b["xuncha"]:
        c = b["xuncha"]["checks"]
        rows.append(("cross-check suggestions prepared after the build (s)", f"{c['seconds']}",
                     f"{c['measures']} measures of {c['notices']} notices, kept for every later check page"))
    rows += _crosscheck_rows(out)
    if ld:
        kinds = ", ".join(f"{n} {kind}" for kind, n in (ld.get("error_kinds") or {}).items())
        rows += [(f"server, {ld['clients']} clients, {ld.get('processes')} process(es): req/s, p50, p95 (ms), errors",
                  f"{ld['req_per_s']}, {ld['p50_ms']}, {ld['p95_ms']}, {ld['errors']}" + (f" ({kinds})" if kinds else ""),
                  f"{r.get('throughput_vs_7_req_s')}× the 7 req/s before (target ≥ 10)"),
                 *_distinct_rows(out),
                 ("server memory idle / after load (MB): PSS, all processes",
                  f"{ld.get('pss_idle_mb')} / {ld.get('pss_after_mb')}", "target ≤ 1,000"),
                 ("server RSS idle / after load (MB), summed", f"{ld['rss_idle_mb']} / {ld['rss_after_mb']}",
                  "counts the index's shared mapped pages once per thread and process")]
    for name, p in out.get("first_load", {}).items():
        rows.append((f"first load: {name}", f"{p['ms']} ms (HTTP {p['status']})", "target ≤ 1,000 ms"))
    lines = [f"Command: `{command}` — {out['documents']} documents, {b['xuncha']['grains']} units, "
             f"{q['queries']} queries, {out['cores']} cores, {out['finished']}.", "",
             "| figure | measured | ratio / target |", "|---|---|---|"]
    lines += [f"| {a} | {m} | {t} |" for a, m, t in rows]
    return "\n".join(lines)


def _systems(q: dict, figure: str) -> str:
    """One figure of xuncha, stock-OR and stock-AND, as the table shows it."""
    return " / ".join(str(q[system][figure]) for system in ("xuncha", "stock-OR", "stock-AND"))


def _warm_rows(out: dict) -> list[tuple[str, str, str]]:
    qw, r = out.get("query_warm"), out["ratios"]
    if not qw:
        return []
    return [(f"the same queries after {qw['warm_up']} others (a running server): p50 (ms)",
             _systems(qw, "p50_ms"),
             f"{r['warm_query_p50_vs_stock_and_p50']}× stock-AND (target ≤ 1)"),
            ("… p95 (ms), queries over 1 s",
             f"{_systems(qw, 'p95_ms')}; {_systems(qw, 'over_1s')}",
             f"{r['warm_query_p95_vs_stock_or_p95']}× stock-OR (target ≤ 0.33)")]


def _crosscheck_rows(out: dict) -> list[tuple[str, str, str]]:
    cc = out.get("crosscheck")
    if not cc:
        return []
    sec, cpu = cc["seconds"], cc.get("cpu_seconds", {})
    return [(f"`xuncha check` of a {cc['measures']}-measure notice, a new process, wall (CPU) s: suggestions kept / "
             "not kept / nothing kept / stock more-like-this",
             " / ".join(f"{sec[k]} ({cpu.get(k, '?')})" for k in ("kept", "not_kept", "nothing_kept", "stock")),
             f"kept {cc['kept_vs_stock']}×, not kept {cc['not_kept_vs_stock']}×, nothing kept "
             f"{cc['nothing_kept_vs_stock']}× stock (target: kept under 1 s); the three reports "
             + ("identical" if cc["same"] else "DIFFER"))]


def _distinct_rows(out: dict) -> list[tuple[str, str, str]]:
    dl = out.get("load_distinct")
    if not dl:
        return []
    return [(f"… {dl['requests']} requests, none repeated (no answer from the result cache): req/s, p50, p95 (ms), "
             "errors", f"{dl['req_per_s']}, {dl['p50_ms']}, {dl['p95_ms']}, {dl['errors']}",
             f"{out['ratios'].get('distinct_throughput_vs_7_req_s')}× the 7 req/s before; server PSS after "
             f"{dl.get('pss_after_mb')} MB")]


def write_readme(text: str) -> None:
    body = README.read_text(encoding="utf-8")
    if BEGIN in body and END in body:
        head, rest = body.split(BEGIN, 1)
        body = head + BEGIN + "\n" + text + "\n" + END + rest.split(END, 1)[1]
        README.write_text(body, encoding="utf-8")


def main() -> None:
    """Run the benchmark; print and save the JSON report; update the README table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="notices + 1 in 60 regulations, short load (CI)")
    ap.add_argument("--home", type=Path, help="reuse this archive (ingest skipped when it has documents)")
    ap.add_argument("--queries", type=int, default=240)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--load-seconds", type=float, default=None)
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args()
    command = "python -m benchmarks.speed" + (" --quick" if args.quick else "")
    tmp = Path(tempfile.mkdtemp(prefix="xuncha-speed-"))
    home = (args.home or tmp / "home").resolve()
    out: dict = {"quick": args.quick, "cores": os.cpu_count(), "command": command}
    settings = load_settings(environ={}, home=home)
    with Archive(store.connect(settings.db_path)) as archive:
        if not archive.hashes():
            t = time.perf_counter()
            report = ingest(archive, settings.ingest_options(), _paths(args.quick))
            out["ingest_s"] = round(time.perf_counter() - t, 1)
            out["ingest_files"] = len(report.outcomes)
        out["documents"] = len(archive.hashes())
        queries = staff_queries(archive, args.queries)
        measured = {q for _, q in queries}
        # other queries of the same kinds (another seed; the graded ones are in both and left out)
        warm_up = [q for kind, q in staff_queries(archive, args.queries, seed=15)
                   if kind != "graded" and q not in measured]
        # never repeated, so that no answer comes from a server's result cache
        distinct = list(dict.fromkeys(q for _, q in staff_queries(archive, 4000, seed=21)))
    print(f"{out['documents']} documents, {len(queries)} queries", flush=True)
    stock_dir = tmp / "stock"
    out["builds"] = {"xuncha": build("xuncha", home, stock_dir)}
    print(f"xuncha build {out['builds']['xuncha']}", flush=True)
    out["builds"]["stock"] = build("stock", home, stock_dir)
    print(f"stock build {out['builds']['stock']}", flush=True)
    out["incremental"] = incremental(home, tmp, _paths(args.quick))
    print(f"incremental {out['incremental']}", flush=True)
    out["query"] = time_queries(home, stock_dir, queries)
    print(f"queries {json.dumps({k: out['query'][k] for k in ('xuncha', 'stock-OR', 'stock-AND')})}", flush=True)
    out["query_warm"] = time_queries(home, stock_dir, queries, warm_up)
    print(f"queries after {len(warm_up)} others "
          f"{json.dumps({k: out['query_warm'][k] for k in ('xuncha', 'stock-OR', 'stock-AND')})}", flush=True)
    out["crosscheck"] = crosscheck_speed.measure(home, stock_dir)
    print(f"cross-check {json.dumps(out['crosscheck'].get('seconds'))}", flush=True)
    out["first_load"] = serverload.first_loads(home, pages(home))
    seconds = args.load_seconds or (10.0 if args.quick else 60.0)
    out["load"] = serverload.load(home, [q for _, q in queries], args.clients, seconds)
    out["load_distinct"] = serverload.load(home, distinct, args.clients, seconds)
    out["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out["ratios"] = ratios(out)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"speed-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(out, ensure_ascii=False, indent=2))
    if not args.no_readme:
        write_readme(table(out, command))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
