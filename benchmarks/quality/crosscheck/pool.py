"""A blind pool of (measure, article) pairs from several runs, for a judge who never sees system or rank.

    python -m benchmarks.quality.crosscheck.pool RUN.jsonl ... --home DIR --out /work/wt/judge/pool.jsonl

Top 3 of each run; pairs already judged (benchmarks/quality/suggestion_judgments.jsonl and --judged, by default
judgments.jsonl here) are left out; the
order is a hash of the pair, so neither the run nor the rank shows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

OLD_JUDGED = Path(__file__).parents[1] / "suggestion_judgments.jsonl"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def pair_id(measure_id: str, article_id: str) -> str:
    return hashlib.sha1(f"{measure_id}|{article_id}".encode()).hexdigest()[:16]


def pool(runs: Sequence[list[dict]], conn: sqlite3.Connection, judged: set[tuple[str, str]]) -> list[dict]:
    pairs: dict[tuple[str, str], dict] = {}
    for rows in runs:
        for row in rows:
            for s in row["suggested"][:3]:
                key = (row["measure_id"], s["article_id"])
                if key in pairs or key in judged:
                    continue
                art = conn.execute("SELECT a.text, a.label, d.title FROM articles a JOIN documents d ON d.id = a.doc_id "
                                   "WHERE a.id = ?", (s["article_id"],)).fetchone()
                if art is None:
                    continue
                pairs[key] = {"pair_id": pair_id(*key), "measure_id": row["measure_id"],
                              "problem_title": row["problem_title"], "category": row.get("category", ""),
                              "measure_text": row["text"], "unit": row.get("unit", ""), "article_id": s["article_id"],
                              "article_title": art[2], "article_label": art[1], "article_text": art[0]}
    return sorted(pairs.values(), key=lambda p: hashlib.sha256(p["pair_id"].encode()).digest())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.crosscheck.pool")
    ap.add_argument("runs", type=Path, nargs="+")
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--judged", type=Path, nargs="*", default=[Path(__file__).with_name("judgments.jsonl")],
                    help="judgments already made (their pairs are left out)")
    args = ap.parse_args(argv)
    from benchmarks.quality.crosscheck.fit import judgments

    runs = [jsonl(p) for p in args.runs]
    strict, _ = judgments(args.judged, None, [r for rows in runs for r in rows], args.home)
    judged = set(strict)  # every pair judged before (a sample rule's article under this checkout's id too)
    conn = sqlite3.connect(f"file:{args.home / 'archive.sqlite3'}?mode=ro", uri=True)
    out = pool(runs, conn, judged)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in out), encoding="utf-8")
    tmp.replace(args.out)
    print(f"{len(out)} pairs → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
