"""Candidate recall of the judged-keep pairs, per candidate source (indexer/suggest.py SOURCES).

    python -m benchmarks.quality.crosscheck.recall RUN.jsonl --home DIR [--judged judgments.jsonl ...]

A run written by `systems new` lists each measure's scored candidates with the sources that proposed them.
A keep pair (strict: keep 1 or grade 2) counts when its article is in this archive (a sample rule judged under
another checkout's id is found by its label, benchmarks.quality.crosscheck.fit.judgments); it is recalled by a
source when that source proposed it. Also: per half, the measures with any keep-graded article in the archive
(the upper bound on the coverage a strict P@1 can reach) and with one among the candidates.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.quality.crosscheck.fit import judgments
from benchmarks.quality.crosscheck.pool import jsonl
from benchmarks.quality.crosscheck.split import side

HERE = Path(__file__).parent


def recall(rows: list[dict], kept: dict[tuple[str, str], int], docs: set[str]) -> dict:
    measures = {r["measure_id"] for r in rows}
    keep = {k for k, v in kept.items() if v and k[0] in measures and k[1].rsplit("-", 1)[0] in docs}
    cand = {(r["measure_id"], c["article_id"]): c for r in rows for c in r.get("candidates", ())}
    by_source: Counter[str] = Counter()
    for k in keep:
        c = cand.get(k)
        if c is None:
            continue
        by_source["any"] += 1
        for s in c.get("sources", ()):
            by_source[s] += 1
        if len(c.get("sources", ())) == 1:
            by_source["only " + c["sources"][0]] += 1
    sizes = Counter(s for c in cand.values() for s in c.get("sources", ()))
    halves = {}
    for half in ("tune", "test"):
        n = sum(1 for m in measures if side(m) == half)
        with_keep = {m for m, _ in keep if side(m) == half}
        among = {m for m, a in keep if side(m) == half and (m, a) in cand}
        halves[half] = {"measures": n, "with a keep article": len(with_keep), "with one among candidates": len(among),
                        "coverage bound": round(len(with_keep) / n, 3) if n else None}
    return {"keep pairs": len(keep), "recalled": dict(by_source), "candidates per source": dict(sizes),
            "candidates": len(cand), "halves": halves}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.crosscheck.recall")
    ap.add_argument("run", type=Path)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--judged", type=Path, nargs="*", default=[HERE / "judgments.jsonl"])
    args = ap.parse_args(argv)
    rows = jsonl(args.run)
    strict, _ = judgments(args.judged, None, rows, args.home)
    conn = sqlite3.connect(f"file:{args.home / 'archive.sqlite3'}?mode=ro", uri=True)
    docs = {r[0] for r in conn.execute("SELECT id FROM documents")}
    print(json.dumps(recall(rows, strict, docs), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
