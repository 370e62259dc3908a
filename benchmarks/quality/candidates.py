"""Several engine configurations side by side, each against stock built in the same run (issue 31).

    python -m benchmarks.quality.candidates --home DIR --split all \\
        --candidate engine='{}' --candidate prf='{"feedback": {}}' --candidate pmi='{"related": {}}'

A candidate is a name and the SearchOptions fields it sets, as JSON: `feedback` (indexer/feedback.py's
FeedbackOptions fields) and `related` (indexer/related.py's RelatedOptions fields) `fusion` (indexer/fusion.py's FusionOptions fields), `cited` (indexer/citing.py's CitedOptions fields), `min_match` (indexer/minmatch.py's MinMatchOptions fields), `frame` (indexer/frame.py's FrameOptions fields) and `variants` (indexer/variants.py's VariantOptions fields); `{}` is the engine as
it ships. Every query runs once through stock-OR and stock-AND and once through each candidate; the
figures per split and kind are nDCG@10, R@10 and P@5 with the ratio to stock-OR, and the mean query
time as a ratio to stock-OR's. `--tune` prints only the tune split's overall row, for parameter sweeps.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import metrics
from .runner import (CORPUS, KINDS, RESULTS, SPLIT_FILES, XUNCHA_FETCH, ArchiveMap, Judged, K, full_paths, judged_docs,
                     load_split, prepare, score_units, stock_index, units_of)

STOCK = ("stock-OR", "stock-AND")
SHOWN = ("ndcg@10", "recall@10", "p@5")


def options_of(base: Any, spec: dict) -> Any:
    """SearchOptions with a candidate's fields; raises ValueError naming an unknown field."""
    from indexer.citing import CitedOptions
    from indexer.feedback import FeedbackOptions
    from indexer.frame import FrameOptions
    from indexer.fusion import FusionOptions
    from indexer.minmatch import MinMatchOptions
    from indexer.related import RelatedOptions
    from indexer.variants import VariantOptions

    unknown = set(spec) - {"feedback", "related", "fusion", "cited", "min_match", "variants", "frame"}
    if unknown:
        raise ValueError(f"unknown candidate fields: {', '.join(sorted(unknown))} "
                         "(feedback, related, fusion, cited, min_match, variants, frame)")
    va = spec.get("variants")
    fb, rel, fu, ci = spec.get("feedback"), spec.get("related"), spec.get("fusion"), spec.get("cited")
    mm, fr = spec.get("min_match"), spec.get("frame")
    return replace(base, feedback=FeedbackOptions(**fb) if fb is not None else None,
                   related=RelatedOptions(**rel) if rel is not None else None,
                   fusion=FusionOptions(**fu) if fu is not None else None,
                   cited=CitedOptions(**ci) if ci is not None else None,
                   min_match=MinMatchOptions(**mm) if mm is not None else None,
                   variants=VariantOptions(**va) if va is not None else None,
                   frame=FrameOptions(**fr) if fr is not None else None)


def evaluate(queries: Sequence[dict], home: Path, candidates: dict[str, dict], corpus: Path = CORPUS,
             rebuild_stock: bool = True, log: Callable[[str], None] = print, with_stock: bool = True) -> dict:
    """Per query and system (stock and each candidate): the scored top 10 and the seconds taken."""
    from archive import store
    from indexer.search import SearchService
    from xuncha.settings import load_settings

    settings = load_settings(environ={}, home=home)
    conn = store.connect(settings.db_path)
    with tempfile.TemporaryDirectory(prefix="xuncha-candidates-") as tmp:
        try:
            prepare(settings, conn, full_paths(corpus), False, log)
            stock, reused = stock_index(conn, home, Path(tmp), rebuild_stock, log) if with_stock else (None, None)
            shown = STOCK if with_stock else ()
            amap = ArchiveMap.load(conn, corpus, judged_docs(queries))
            services = {name: SearchService(options_of(settings.search_options(), spec))
                        for name, spec in candidates.items()}
            rows, seconds = [], dict.fromkeys([*shown, *candidates], 0.0)
            each: dict[str, list[float]] = {name: [] for name in seconds}
            for q in queries:
                judged = Judged.of(q)
                row: dict[str, Any] = {"id": q["id"], "kind": q["kind"], "split": q["split"], "query": q["query"],
                                       "systems": {}}
                for name in shown:
                    t = time.monotonic()
                    hits, total = stock.search(q["query"], name, K)
                    seconds[name] += time.monotonic() - t
                    each[name].append(time.monotonic() - t)
                    row["systems"][name] = score_units(judged, units_of(hits, amap), total)
                for name, service in services.items():
                    t = time.monotonic()
                    res = service.search(q["query"], per_page=XUNCHA_FETCH)
                    seconds[name] += time.monotonic() - t
                    each[name].append(time.monotonic() - t)
                    units = [h for h in res.hits if h.kind != "document"][:K]
                    row["systems"][name] = score_units(judged, units_of(units, amap), res.total)
                rows.append(row)
            if stock is not None:
                stock.close()
        finally:
            conn.close()
    return {"meta": {"queries": len(queries), "stock_reused": reused, "candidates": candidates,
                     "query_ms": {s: round(1000 * v / max(1, len(queries)), 1) for s, v in seconds.items()},
                     "query_p95_ms": {s: round(1000 * sorted(v)[int(0.95 * (len(v) - 1))], 1) for s, v in each.items() if v}},
            "per_query": rows}


def rescore(result: dict, queries: Sequence[dict]) -> dict:
    """The same rankings scored against the queries' current judgments (after a pooling round was merged)."""
    by_id = {q["id"]: q for q in queries}
    for row in result["per_query"]:
        judged = Judged.of(by_id[row["id"]])
        for system in row["systems"].values():
            covers = [judged.covers(tuple(h["key"]) if h["key"] else None, h["kind"]) for h in system["top"]]
            system.update({m: round(v, 4) for m, v in metrics.score_ranking(covers, judged.grades, K).items()})
    return result


def table(result: dict) -> dict:
    """split → group (all, each kind) → system → mean metrics and n."""
    out: dict[str, dict] = {}
    systems = list(result["per_query"][0]["systems"]) if result["per_query"] else []
    for split in SPLIT_FILES:
        rows = [r for r in result["per_query"] if r["split"] == split]
        if not rows:
            continue
        groups = {"all": rows, **{k: [r for r in rows if r["kind"] == k] for k in KINDS}}
        out[split] = {g: {s: {**metrics.mean([r["systems"][s] for r in rs]), "n": len(rs)} for s in systems}
                      for g, rs in groups.items() if rs}
    return out


def markdown(result: dict, names: Sequence[str]) -> str:
    """One table per split: per group, stock-OR's and each candidate's nDCG@10 / R@10 / P@5 and ratio."""
    lines = []
    for split, groups in table(result).items():
        lines += [f"\n**{split}** (nDCG@10 / R@10 / P@5; × = nDCG@10 over stock-OR's)\n",
                  "| group | n | stock-OR | stock-AND | " + " | ".join(names) + " |",
                  "|---|---|" + "---|" * (2 + len(names))]
        for g, systems in groups.items():
            base = systems["stock-OR"]["ndcg@10"]
            cells = []
            for s in ("stock-OR", "stock-AND", *names):
                m = systems[s]
                cell = " / ".join(f"{m[k]:.3f}" for k in SHOWN)
                if s not in STOCK and base:
                    cell += f" ({m['ndcg@10'] / base:.2f}×)"
                cells.append(cell)
            lines.append(f"| {g} | {systems['stock-OR']['n']} | " + " | ".join(cells) + " |")
    ms = result["meta"]["query_ms"]
    lines.append("\nmean query ms: " + ", ".join(f"{s} {v}" + (f" ({v / ms['stock-OR']:.2f}× stock-OR)"
                                                               if s not in STOCK and ms["stock-OR"] else "")
                                                 for s, v in ms.items()))
    p95 = result["meta"].get("query_p95_ms", {})
    if p95.get("stock-OR"):
        lines.append("p95 query ms: " + ", ".join(f"{s} {v}" + (f" ({v / p95['stock-OR']:.2f}× stock-OR)"
                                                                if s not in STOCK else "") for s, v in p95.items()))
    return "\n".join(lines)


def _base(home: Path) -> Any:
    from xuncha.settings import load_settings

    return load_settings(environ={}, home=home).search_options()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.candidates", description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, required=True, help="the archive + index (built if missing)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--split", choices=(*SPLIT_FILES, "all"), default="tune")
    ap.add_argument("--candidate", action="append", default=[], metavar="NAME=JSON", help="repeatable")
    ap.add_argument("--reuse-stock", action="store_true", help="reuse the stock index in --home (tuning loops)")
    ap.add_argument("--no-stock", action="store_true", help="candidates only (a tuning sweep's absolute figures)")
    ap.add_argument("--tune", action="store_true", help="print only each candidate's overall nDCG@10 / R@10 / P@5")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--rescore", type=Path, metavar="RESULT.json",
                    help="print an earlier result's tables scored against the current judgments, and exit")
    args = ap.parse_args(argv)
    if args.rescore:
        result = rescore(json.loads(args.rescore.read_text(encoding="utf-8")), load_split("all"))
        args.rescore.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(markdown(result, [s for s in result["per_query"][0]["systems"] if s not in STOCK]))
        return 0
    candidates: dict[str, dict] = {}
    for raw in args.candidate or ["engine={}"]:
        name, _, spec = raw.partition("=")
        try:
            candidates[name] = json.loads(spec or "{}")
            options_of(_base(args.home), candidates[name])  # validated before any work
        except (ValueError, TypeError) as exc:
            ap.error(f"--candidate {name}: {exc}")
    if not args.corpus.is_dir():
        ap.error(f"corpus not found: {args.corpus}")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    result = evaluate(load_split(args.split), args.home.resolve(), candidates, args.corpus, not args.reuse_stock, log,
                      with_stock=not args.no_stock)
    if args.tune:
        for split, groups in table(result).items():
            for name in candidates:
                m = groups["all"][name]
                print(f"{split} {name}: " + " ".join(f"{k} {m[k]:.4f}" for k in SHOWN), flush=True)
    else:
        if args.no_stock:
            ap.error("--no-stock goes with --tune (the tables are ratios to stock)")
        print(markdown(result, list(candidates)))
    out = args.out or RESULTS / f"candidates-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nsaved {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
