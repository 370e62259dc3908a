"""Search-quality runner: xuncha vs stock Whoosh+jieba on the graded development set.

    python -m benchmarks.quality                 # whole corpus (10-20 min on 2 cores)
    python -m benchmarks.quality --quick         # judged files + 150 distractor regulations (< 2 min)
    python -m benchmarks.quality --home DIR      # reuse (or create and keep) an archive + index in DIR
    python -m benchmarks.quality --compare A.json B.json

Each run ingests into a temporary XUNCHA_HOME (unless --home), builds xuncha's index with
indexer.backends.whoosh.build.full_rebuild and the stock index (stock.py) from the same archive, runs every
query through the three systems, scores the top 10 unit-grain hits (metrics.py) and writes
benchmarks/results/quality-<timestamp>.json. See README.md, "Runner".
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import metrics

ROOT = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).with_name("queries.jsonl")  # the tuning split
TEST_QUERIES = Path(__file__).with_name("test_queries.jsonl")  # the frozen test split (README, "Splits")
# a second held-out split, written and judged in session 6 by a judge who had not seen the engine's
# vocabulary files or any system's results (README, "Splits")
FRESH_QUERIES = Path(__file__).with_name("fresh_queries.jsonl")
# issue 31: 112 queries of seven kinds written before any system ran on them, judged blind by pooling
NEW_QUERIES = Path(__file__).with_name("new_queries.jsonl")
SPLIT_FILES = {"tune": QUERIES, "test": TEST_QUERIES, "fresh": FRESH_QUERIES, "new": NEW_QUERIES}
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "corpus"
RESULTS = ROOT / "benchmarks" / "results"
SAMPLE_PREFIX = "corpus/"  # judged docs under the project's sample corpus are named from the project root
SYSTEMS = ("xuncha", "stock-AND", "stock-OR")
KINDS = ("topic", "abbreviation", "paraphrase", "citation", "number", "question", "segmentation",
         "governs", "colloquial", "variant", "title")  # the last four: the new split's (issue 31)
TARGETS = ("article", "notice", "mixed")
K = 10
DISTRACTORS = 150
XUNCHA_FETCH = 100  # hits fetched from xuncha per query, so that 10 remain after dropping document hits

Log = Callable[[str], None]
Key = tuple  # ("article", doc, label) | ("notice", doc, category, section|None, problem|None, measure|None)


# ---------------------------------------------------------------------------------------------- judgments

def load_queries(path: Path = QUERIES, only: Iterable[str] | None = None) -> list[dict]:
    """The queries, optionally only the given ids (in file order)."""
    wanted = set(only) if only else None
    out = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if wanted:
        missing = wanted - {q["id"] for q in out}
        if missing:
            raise SystemExit(f"unknown query ids: {', '.join(sorted(missing))}")
        out = [q for q in out if q["id"] in wanted]
    return out


def load_split(split: str = "tune", only: Iterable[str] | None = None) -> list[dict]:
    """The queries of one split ("tune", "test", "fresh") or of all ("all"), each with its `split` field set."""
    names = [n for n in SPLIT_FILES if SPLIT_FILES[n].exists()] if split == "all" else [split]
    out = []
    for name in names:
        for q in load_queries(SPLIT_FILES[name]):
            q["split"] = name
            out.append(q)
    if only:
        wanted = set(only)
        if missing := wanted - {q["id"] for q in out}:
            raise SystemExit(f"unknown query ids: {', '.join(sorted(missing))}")
        out = [q for q in out if q["id"] in wanted]
    return out


def unit_key(j: dict) -> Key:
    """The comparable key of a judged unit."""
    if "article" in j:
        return ("article", j["doc"], j["article"])
    cat = j["category"]
    return ("notice", j["doc"], cat, j.get("section") if cat == 0 else None, j.get("problem"), j.get("measure"))


def unit_label(key: Key) -> str:
    """Short human label of a unit key."""
    doc = Path(key[1]).stem
    doc = "luohu" if doc.startswith("luohu") else "南开" if "南开" in doc else doc[:30]
    if key[0] == "article":
        return f"{doc} {key[2]}"
    _, _, cat, sec, prob, meas = key
    parts = [doc, f"c{cat}" + (f"/s{sec}" if cat == 0 else "")]
    if prob is not None:
        parts.append(f"p{prob}")
    if meas is not None:
        parts.append(f"m{meas}")
    return " ".join(parts)


@dataclass(slots=True)
class Judged:
    """One query's judgments: grade per unit, and the judged measures of each (unjudged) problem."""

    grades: dict[Key, int]
    measures_of: dict[Key, list[Key]] = field(default_factory=dict)

    @classmethod
    def of(cls, query: dict) -> Judged:
        # grade 0 records a unit that was read and found not relevant (so pooling skips it);
        # for scoring it is the same as an unjudged unit
        grades = {unit_key(j): int(j["grade"]) for j in query["judgments"] if int(j["grade"]) > 0}
        measures: dict[Key, list[Key]] = {}
        for key in grades:
            if key[0] == "notice" and key[5] is not None:
                measures.setdefault(key[:5] + (None,), []).append(key)
        return cls(grades, measures)

    def covers(self, unit: Key | None, kind: str) -> frozenset[Key]:
        """The judged units a hit at this unit covers (README rules: measures roll up to their problem)."""
        if unit is None:
            return frozenset()
        if kind == "problem":
            if unit in self.grades:
                return frozenset([unit])
            return frozenset(self.measures_of.get(unit, ()))
        if kind == "measure":
            if unit in self.grades:
                return frozenset([unit])
            problem = unit[:5] + (None,)
            return frozenset([problem]) if problem in self.grades else frozenset()
        return frozenset([unit]) if unit in self.grades else frozenset()

    @property
    def target(self) -> str:
        """Which grain the query's judged units are: article, notice or mixed."""
        grains = {k[0] for k in self.grades}
        return grains.pop() if len(grains) == 1 else "mixed"

    def unreachable(self, reachable: Collection[Key]) -> list[Key]:
        """Judged notice units no unit-grain hit can cover (a category heading without a 一是 list)."""
        return [k for k in self.grades if k[0] == "notice" and k[:5] + (None,) not in reachable]


def judged_docs(queries: Iterable[dict]) -> list[str]:
    """Every judged doc path (relative to the corpus), sorted."""
    return sorted({j["doc"] for q in queries for j in q["judgments"]})


# ---------------------------------------------------------------------------------------------- corpus

def quick_paths(queries: Sequence[dict], corpus: Path = CORPUS, distractors: int = DISTRACTORS) -> list[str]:
    """The judged files plus about `distractors` other regulations (every Nth row of MANIFEST.tsv),
    plus the project's sample corpus."""
    docs = [d for d in judged_docs(queries) if not d.startswith(SAMPLE_PREFIX)]
    judged = {d.removeprefix("regulations/") for d in docs}
    with open(corpus / "regulations" / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        rows = [r["relpath"] for r in csv.DictReader(fh, delimiter="\t") if r["relpath"] not in judged]
    step = max(1, len(rows) // distractors) if distractors else 0
    extra = rows[::step][:distractors] if step else []
    return [str(corpus / d) for d in docs] + [str(corpus / "regulations" / r) for r in extra] + [str(SAMPLES)]


def full_paths(corpus: Path = CORPUS) -> list[str]:
    """The whole shared corpus (regulations, notices, related) plus the project's sample corpus."""
    return [str(corpus / "regulations"), str(corpus / "notices"), str(corpus / "related"), str(SAMPLES)]


@dataclass(slots=True)
class ArchiveMap:
    """What the archive knows about hits: doc paths relative to the corpus, where problems sit."""

    doc_rel: dict[str, str]
    problem_loc: dict[str, tuple[int, int | None, int]]  # problem id → (category number, section, number)
    measure_problem: dict[str, str]
    problems: set[Key] = field(default_factory=set)  # every problem key a hit can land on

    @classmethod
    def load(cls, conn: sqlite3.Connection, corpus: Path, judged: Iterable[str]) -> ArchiveMap:
        base, samples = corpus.resolve(), SAMPLES.resolve()
        judged = sorted(judged, key=len, reverse=True)
        rel: dict[str, str] = {}
        for row in conn.execute("SELECT id, source_path, resolved_path FROM documents"):
            path = Path(row["resolved_path"])
            if path.is_relative_to(base):
                rel[row["id"]] = path.relative_to(base).as_posix()
                continue
            if path.is_relative_to(samples):
                rel[row["id"]] = SAMPLE_PREFIX + path.relative_to(samples).as_posix()
                continue
            src = row["source_path"].replace(os.sep, "/")
            rel[row["id"]] = next((d for d in judged if src.endswith("/" + d) or src == d), src)
        loc, doc_of = {}, {}
        for row in conn.execute("SELECT p.id, p.doc_id, p.number, c.number AS cat, c.section FROM problems p "
                                "JOIN categories c ON c.id = p.category_id"):
            # problem 0 holds a category's own 一是… list (no numbered problems): it stands for the category
            loc[row["id"]] = (row["cat"], row["section"] if row["cat"] == 0 else None, row["number"] or None)
            doc_of[row["id"]] = row["doc_id"]
        mp = {r["id"]: r["problem_id"] for r in conn.execute("SELECT id, problem_id FROM measures")}
        amap = cls(rel, loc, mp)
        amap.problems = {amap.unit("problem", pid, doc, None, None) for pid, doc in doc_of.items()}
        return amap

    def unit(self, kind: str, hit_id: str, doc_id: str, article: str | None, measure: Any) -> Key | None:
        """The unit key of a unit-grain hit (None for document hits or unknown ids)."""
        doc = self.doc_rel.get(doc_id, doc_id)
        if kind == "article":
            return ("article", doc, article)
        if kind in ("problem", "measure"):
            pid = hit_id if kind == "problem" else self.measure_problem.get(hit_id)
            if pid not in self.problem_loc:
                return None
            cat, sec, num = self.problem_loc[pid]
            return ("notice", doc, cat, sec, num, int(measure) if kind == "measure" and measure is not None else None)
        return None


# ---------------------------------------------------------------------------------------------- running

def _code_state() -> dict[str, str]:
    """git HEAD plus a hash of indexer/ (code and data), since tuning happens before commits."""
    state = {}
    try:
        state["git"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                      text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        state["git"] = ""
    h = hashlib.sha1()
    for p in sorted((ROOT / "indexer").rglob("*")):
        if p.is_file() and p.suffix in (".py", ".txt"):
            h.update(p.relative_to(ROOT).as_posix().encode())
            h.update(p.read_bytes())
    state["indexer_sha1"] = h.hexdigest()[:12]
    return state


def prepare(settings: Any, conn: sqlite3.Connection, paths: Sequence[str], rebuild: bool, log: Log) -> dict:
    """Ingest and build xuncha's index unless one exists (rebuild when forced or versions changed)."""
    from archive.database import Archive
    from archive.pipeline import ingest
    from indexer.backends.whoosh.build import current_dir, full_rebuild, rebuild_reason

    info: dict[str, Any] = {"ingest_s": None, "build_s": None, "reused": False}
    if current_dir(settings.index_root) is None:
        log(f"ingesting {len(paths)} path(s) into {settings.home} …")
        start = time.monotonic()
        report = ingest(Archive(conn), settings.ingest_options(), paths)
        info["ingest_s"] = round(time.monotonic() - start, 2)
        fails = report.failures
        info["ingest"] = {"added": report.count("added"), "unchanged": report.count("unchanged"),
                          "skipped": report.count("skipped"), "failed": len(fails)}
        info["ingest_failures"] = [(f.source_path, f.reason) for f in fails[:20]]
        log(f"  {info['ingest']} in {info['ingest_s']} s" + "".join(
            f"\n  failed: {p}: {r}" for p, r in info["ingest_failures"][:5]))
        reason = "new archive"
    else:
        reason = "--rebuild" if rebuild else rebuild_reason(settings.index_root)
    if reason:
        log(f"building xuncha index ({reason}, {settings.worker_count} process(es)) …")
        rep = full_rebuild(Archive(conn), settings.index_options(), reason=reason)
        info["build_s"] = round(rep.seconds, 2)
        log(f"  {rep.documents} documents, {rep.grains} grains in {info['build_s']} s")
    else:
        info["reused"] = True
        log(f"reusing the index in {settings.home} (pass --rebuild to time a build)")
    return info


def _stock_stamp(conn: sqlite3.Connection) -> str:
    """What the stock index depends on: the archive's documents and the code that turns them into records."""
    h = hashlib.sha1()
    for sha, parser in conn.execute("SELECT sha256, parser_version FROM documents ORDER BY sha256"):
        h.update(f"{sha}:{parser}".encode())
    for name in ("indexer/documents.py", "indexer/backends/whoosh/schema.py", "benchmarks/quality/stock.py"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def stock_index(conn: sqlite3.Connection, home: Path | None, tmp: Path, rebuild: bool, log: Log) -> tuple[Any, bool]:
    """The stock index: built in this run, or (with --home, for tuning loops) reused when nothing it
    depends on changed. Reported figures come from runs that built it (meta.stock_reused false)."""
    from .stock import StockIndex

    if home is None:
        directory, stamp_file, stamp = tmp / "stock", None, ""
    else:
        directory, stamp_file, stamp = home / "stock", home / "stock.stamp", _stock_stamp(conn)
        if not rebuild and stamp_file.is_file() and stamp_file.read_text() == stamp:
            log(f"reusing the stock index in {directory} (pass --rebuild to build both in this run)")
            return StockIndex(directory).open(), True
        shutil.rmtree(directory, ignore_errors=True)
        stamp_file.unlink(missing_ok=True)
    log("building the stock index (jieba ChineseAnalyzer, 1 process) …")
    stock = StockIndex(directory).build(conn)
    log(f"  {stock.grains} grains in {stock.seconds:.2f} s")
    if stamp_file is not None:
        stamp_file.write_text(stamp)
    return stock, False


def units_of(hits: Sequence[Any], amap: ArchiveMap) -> list[tuple[Any, Key | None]]:
    return [(h, amap.unit(h.kind, h.id, h.doc_id, h.article, h.measure)) for h in hits]


def score_units(judged: Judged, ranked: list[tuple[Any, Key | None]], total: int | None) -> dict:
    covers = [judged.covers(unit, h.kind) for h, unit in ranked]
    gains, _ = metrics.dedupe(covers, judged.grades)
    out: dict[str, Any] = {m: round(v, 4) for m, v in metrics.score_ranking(covers, judged.grades, K).items()}
    out["hits"] = total
    out["top"] = [{"id": h.id, "kind": h.kind, "unit": unit_label(u) if u else None, "title": h.title[:60],
                   "gain": g, "key": list(u) if u else None, "judged": bool(c)}
                  for (h, u), g, c in zip(ranked, gains, covers)]
    return out


def run(queries: Sequence[dict], paths: Sequence[str], home: Path | None = None, *, corpus: Path = CORPUS,
        workers: int = 0, rebuild: bool = False, mode: str = "custom", log: Log = print,
        feedback: Any = None) -> dict:
    """Archive + index (ours and stock), run every query through the three systems, score them."""
    from archive import store
    from indexer.backends.whoosh.schema import SCHEMA_VERSION
    from indexer.search import SearchService
    from xuncha.settings import load_settings

    started, code = time.strftime("%Y-%m-%dT%H:%M:%S"), _code_state()
    with tempfile.TemporaryDirectory(prefix="xuncha-quality-") as tmp:
        settings = load_settings(environ={}, home=home or Path(tmp) / "home", workers=workers)
        conn = store.connect(settings.db_path)
        try:
            info = prepare(settings, conn, paths, rebuild, log)
            stock, stock_reused = stock_index(conn, home, Path(tmp), rebuild, log)
            amap = ArchiveMap.load(conn, corpus, judged_docs(queries))
            docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            options = settings.search_options()
            if feedback is not None:  # indexer/feedback.py's options, for a run with feedback on or off
                options = replace(options, feedback=feedback or None)
            service = SearchService(options)
            per_query, seconds = [], dict.fromkeys(SYSTEMS, 0.0)
            for q in queries:
                judged = Judged.of(q)
                row: dict[str, Any] = {"id": q["id"], "kind": q["kind"], "split": q.get("split", "tune"),
                                       "query": q["query"], "target": judged.target,
                                       "judged": len(judged.grades),
                                       "expected": [unit_label(k) + f" g{g}" for k, g in judged.grades.items()],
                                       "systems": {}}
                t = time.monotonic()
                res = service.search(q["query"], per_page=XUNCHA_FETCH)
                seconds["xuncha"] += time.monotonic() - t
                units = [h for h in res.hits if h.kind != "document"][:K]
                row["systems"]["xuncha"] = score_units(judged, units_of(units, amap), res.total)
                row["systems"]["xuncha"]["relaxed"] = res.relaxed
                row["systems"]["xuncha"]["shown"] = len(res.hits)  # 0: the query found nothing at all
                for name in SYSTEMS[1:]:
                    t = time.monotonic()
                    hits, total = stock.search(q["query"], name, K)
                    seconds[name] += time.monotonic() - t
                    row["systems"][name] = score_units(judged, units_of(hits, amap), total)
                per_query.append(row)
            stock.close()
        finally:
            conn.close()
    ours_build = info["build_s"]
    meta = {"mode": mode, "started": started, "queries": len(queries), "paths": len(paths), "documents": docs,
            "grains": stock.grains, "home": str(home) if home else None, "workers": settings.worker_count,
            "schema_version": SCHEMA_VERSION, **code, **info,
            "build_s": {"xuncha": ours_build, "stock": None if stock_reused else round(stock.seconds, 2)},
            "stock_reused": stock_reused,
            "build_ratio": round(ours_build / stock.seconds, 2) if ours_build and not stock_reused else None,
            "query_ms": {s: round(1000 * v / max(1, len(queries)), 1) for s, v in seconds.items()}}
    unreachable = [{"query": q["id"], "unit": unit_label(k)}
                   for q in queries for k in Judged.of(q).unreachable(amap.problems)]
    splits = {name: summarise([r for r in per_query if r["split"] == name])
              for name in SPLIT_FILES if any(r["split"] == name for r in per_query)}
    return {"meta": meta, **summarise(per_query), "splits": splits, "unreachable": unreachable,
            "per_query": per_query}


def summarise(per_query: Sequence[dict]) -> dict:
    """Means per system over all queries, each query kind and each target grain; xuncha/stock nDCG ratios."""
    groups: dict[str, list[dict]] = {"all": list(per_query)}
    for kind in KINDS:
        groups[kind] = [r for r in per_query if r["kind"] == kind]
    for target in TARGETS:
        groups[f"target:{target}"] = [r for r in per_query if r["target"] == target]
    groups = {g: rows for g, rows in groups.items() if rows}
    summary = {s: {g: {**{m: round(v, 4) for m, v in metrics.mean([r["systems"][s] for r in rows]).items()},
                       "n": len(rows)} for g, rows in groups.items()} for s in SYSTEMS}
    ratio = {}
    for g in groups:
        best = max(summary[s][g]["ndcg@10"] for s in SYSTEMS[1:])
        ratio[g] = round(summary["xuncha"][g]["ndcg@10"] / best, 3) if best else None
    return {"summary": summary, "ratio": ratio}


# ---------------------------------------------------------------------------------------------- CLI

def _feedback_options(ap: argparse.ArgumentParser, raw: str | None) -> Any:
    """--feedback's FeedbackOptions (None: the engine's default; "off": none), or a usage error naming it."""
    from indexer.feedback import FeedbackOptions

    if raw is None:
        return None
    if raw == "off":
        return False
    try:
        return FeedbackOptions(**json.loads(raw))
    except (ValueError, TypeError) as exc:
        ap.error(f"--feedback: {exc}")

def main(argv: Sequence[str] | None = None) -> int:
    from .report import compare, print_tables  # report.py reads this module's names

    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help=f"only the judged files plus {DISTRACTORS} distractor regulations")
    ap.add_argument("--home", type=Path, help="archive + index to reuse (created and kept if missing)")
    ap.add_argument("--rebuild", action="store_true", help="with --home: rebuild xuncha's index anyway (timed)")
    ap.add_argument("--workers", type=int, default=0, help="xuncha build processes (0 = one per core, the default)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help=f"the shared corpus (default {CORPUS})")
    ap.add_argument("--split", choices=(*SPLIT_FILES, "all"), default="tune",
                    help="which queries: the tuning split (default), a held-out split (test, fresh), or all")
    ap.add_argument("--queries", type=Path, help="a query file instead of --split")
    ap.add_argument("--only", help="comma-separated query ids")
    ap.add_argument("--out", type=Path, help="result file (default benchmarks/results/quality-<timestamp>.json)")
    ap.add_argument("--feedback", help="pseudo-relevance feedback: FeedbackOptions fields as JSON ({} = defaults), "
                    "or off")
    ap.add_argument("--worst", type=int, default=10, help="how many worst queries to list")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"), help="print B − A and exit")
    args = ap.parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return 0
    if not args.corpus.is_dir():
        ap.error(f"corpus not found: {args.corpus}")
    only = args.only.split(",") if args.only else None
    queries = load_queries(args.queries, only) if args.queries else load_split(args.split, only)
    mode = "quick" if args.quick else "full"
    paths = quick_paths(queries, args.corpus) if args.quick else full_paths(args.corpus)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    home = args.home.resolve() if args.home else None
    feedback = _feedback_options(ap, args.feedback)
    result = run(queries, paths, home, corpus=args.corpus, workers=args.workers, rebuild=args.rebuild,
                 mode=mode + f"+{args.split}" + (f"+only={args.only}" if args.only else ""), log=log,
                 feedback=feedback)
    print_tables(result, worst=args.worst)
    out = args.out or RESULTS / f"quality-{mode}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nsaved {out}")
    return 0
