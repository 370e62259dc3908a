"""The cross-check of a ~60-measure notice, each run a fresh process, against a stock baseline in the same run.

    python -m benchmarks.crosscheck_speed --home DIR --stock-dir DIR [--repeats 3]     (benchmarks.speed calls it)

Systems, each timed from process start to the report printed (what an inspector waits for at the shell), in
wall seconds and in the process's CPU seconds (user + system: what a busy shared machine disturbs least):
- kept: `xuncha check DOC --json`, the suggestions kept by the ingest's prepare (indexer/checks.py);
- not kept: the same report for an index state no suggestion was kept for (the suggestion code's version
  changed), computed and printed; the index-side sets prepare keeps beside the index (indexer/kept.py) read;
- nothing kept: as "not kept", with nothing read from beside the index either (a new index generation);
- stock: for each measure, stock Whoosh's key terms of the problem title and the measure
  (Searcher.key_terms_from_text, the more-like-this of Whoosh) as an OR query over the articles of the stock
  index (benchmarks/quality/stock.py), top 3 with their stored text, printed as JSON.
The not-kept report must equal the kept one (same suggestions, order and scores): `same` says whether it does.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MEASURES = 60  # the notice timed: the one whose measure count is nearest this (issue 33)
STOCK_TERMS = 12  # key terms per measure for the stock more-like-this query


def notice_to_time(home: Path) -> tuple[str, int] | None:
    """The id and measure count of the archive's notice nearest TARGET_MEASURES measures (None: no notice)."""
    from archive.crosscheck import measure_topics
    from archive.database import Archive
    from archive.kinds import DocType
    from xuncha.settings import load_settings

    with Archive.open(load_settings(environ={}, home=home).db_path) as archive:
        counts = [(d.id, sum(1 for _ in measure_topics(d, archive.notice_tree(d.id))))
                  for d in archive.documents_of_type(DocType.NOTICE)]
    return min(counts, key=lambda c: (abs(c[1] - TARGET_MEASURES), c[0]), default=None)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system: steadier than wall on a shared machine) and output of one process."""
    t, cpu = time.perf_counter(), _cpu_of_children()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT)
    seconds, cpu = time.perf_counter() - t, _cpu_of_children() - cpu
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, cpu, done.stdout


def measure(home: Path, stock_dir: Path, repeats: int = 3) -> dict:
    """Median seconds of each system over `repeats` fresh processes, their ratios, and whether the reports agree."""
    picked = notice_to_time(home)
    if picked is None:
        return {}
    doc, measures = picked
    systems = {
        "kept": ["-c", "from xuncha.cli import main; main()", "--home", str(home), "check", doc, "--json"],
        "not_kept": ["-m", "benchmarks.crosscheck_speed", "--home", str(home), "--doc", doc, "--mode", "not_kept"],
        "nothing_kept": ["-m", "benchmarks.crosscheck_speed", "--home", str(home), "--doc", doc,
                         "--mode", "nothing_kept"],
        "stock": ["-m", "benchmarks.crosscheck_speed", "--home", str(home), "--doc", doc, "--mode", "stock",
                  "--stock-dir", str(stock_dir)],
    }
    times: dict[str, list[float]] = {k: [] for k in systems}
    cpus: dict[str, list[float]] = {k: [] for k in systems}
    outputs: dict[str, str] = {}
    for _ in range(repeats):  # interleaved, so that a busy moment of the machine falls on every system alike
        for name, args in systems.items():
            seconds, cpu, outputs[name] = _run(args)
            times[name].append(seconds)
            cpus[name].append(cpu)
    med = {k: round(statistics.median(v), 3) for k, v in times.items()}
    med_cpu = {k: round(statistics.median(v), 3) for k, v in cpus.items()}
    kept, fresh = json.loads(outputs["kept"]), json.loads(outputs["not_kept"])
    return {"doc": doc, "measures": measures, "repeats": repeats, "seconds": med, "cpu_seconds": med_cpu,
            "all_seconds": {k: [round(x, 3) for x in v] for k, v in times.items()},
            "same": kept == fresh == json.loads(outputs["nothing_kept"]),
            "suggested": sum(len(m["suggested"]) for m in kept["measures"]),
            "kept_vs_stock": round(med["kept"] / med["stock"], 2),
            "not_kept_vs_stock": round(med["not_kept"] / med["stock"], 2),
            "nothing_kept_vs_stock": round(med["nothing_kept"] / med["stock"], 2),
            "kept_cpu_vs_stock_cpu": round(med_cpu["kept"] / med_cpu["stock"], 2)}


def _report_not_kept(home: Path, doc_id: str, read_kept_sets: bool) -> dict:
    """The check report of an index state no suggestion was kept for; what it computed is removed again."""
    import uuid

    import indexer.checks as checks
    import indexer.kept as kept
    from archive.crosscheck import check_notice
    from archive.database import Archive
    from indexer.search import SearchService
    from xuncha.settings import load_settings

    checks.SUGGEST_VERSION = f"bench-{uuid.uuid4().hex}"  # a suggestion code nobody kept anything for
    if not read_kept_sets:
        kept._path = lambda *_args: None  # nothing read from (or written beside) the index generation
    settings = load_settings(environ={}, home=home)
    with Archive.open(settings.db_path) as archive:
        service = SearchService(settings.search_options(), warm=False)
        record = archive.document(doc_id)
        assert record is not None, doc_id
        report = check_notice(archive, record, checks.notice_suggester(service, archive, record), 3).to_json()
        with archive.transaction() as conn:  # the benchmark's archive is left as it was
            conn.execute("DELETE FROM suggestions WHERE index_key = ?", (service.suggestion_key(),))
    return report


def _stock(home: Path, doc_id: str, stock_dir: Path) -> list[list[dict]]:
    """Stock Whoosh's more-like-this of each measure over the stock index's articles: 3 per measure."""
    import warnings

    from whoosh import query as Q

    from archive.crosscheck import measure_topics
    from archive.database import Archive
    from benchmarks.quality.stock import StockIndex
    from xuncha.settings import load_settings

    with Archive.open(load_settings(environ={}, home=home).db_path) as archive:
        record = archive.document(doc_id)
        assert record is not None, doc_id
        topics = [t for *_, t in measure_topics(record, archive.notice_tree(doc_id))]
    stock = StockIndex(stock_dir).open()
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba's ResourceWarning (benchmarks/quality/stock.py)
        with stock.ix.searcher() as s:  # type: ignore[union-attr]
            articles = set(s.docs_for_query(Q.Term("kind", "article")))
            for t in topics:
                terms = s.key_terms_from_text("body", f"{t.problem_title}\n{t.text}", numterms=STOCK_TERMS)
                q = Q.Or([Q.Term("body", word, boost=weight) for word, weight in terms])
                out.append([{"id": h["id"], "title": h.get("doc_title", ""), "score": round(h.score, 4),
                             "text": h.get("body", "")[:200]} for h in s.search(q, limit=3, filter=articles)])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--stock-dir", type=Path)
    ap.add_argument("--doc", help="one system's run on this notice (benchmarks.speed's child processes)")
    ap.add_argument("--mode", choices=("not_kept", "nothing_kept", "stock"))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if args.doc and args.mode == "stock":
        print(json.dumps(_stock(args.home, args.doc, args.stock_dir), ensure_ascii=False))
    elif args.doc and args.mode:
        print(json.dumps(_report_not_kept(args.home, args.doc, args.mode == "not_kept"), ensure_ascii=False, indent=2))
    else:
        if args.stock_dir is None:
            ap.error("--stock-dir is needed (a stock index benchmarks.speed or benchmarks.quality.stock built)")
        print(json.dumps(measure(args.home, args.stock_dir, args.repeats), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
