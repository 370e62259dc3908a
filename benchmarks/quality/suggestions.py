"""Suggestion precision@3: would an inspector keep the articles the cross-check suggests for a measure?

    python -m benchmarks.quality.suggestions run --home DIR --out RUN.jsonl    # top 3 per measure, real notices
    python -m benchmarks.quality.suggestions pool RUN_A.jsonl RUN_B.jsonl --home DIR > pool.jsonl
    python -m benchmarks.quality.suggestions score RUN.jsonl JUDGED.jsonl      # precision@3

`run` asks the archive's cross-check (archive.crosscheck.check_notice with SearchService.suggest_articles)
for every measure of the two real notices. `pool` lists each (measure, article) pair any run suggested,
with both texts, in an order that hides the run; the judge writes `{"measure_id", "article_id", "keep": 0|1}`
lines (keep = an inspector would cite this article for this measure). `score` is the mean over measures
of kept suggestions / 3 (a measure with fewer than 3 suggestions counts the missing ones as not kept).

Since issue 33 part 2 a measure may get no suggestion (nothing above the threshold): the tune/test split, the
blind pool of several systems, the fit of the score and the precision–coverage report are in
benchmarks/quality/crosscheck/ (README, "Cross-check"). `score` also reads that judge's graded lines
(`{"measure_id", "article_id", "grade": 0|1|2}`: kept = grade 2).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

REAL = ("luohu-canlian-2021", "南开大学")


def run(home: Path) -> list[dict]:
    from archive import store
    from archive.crosscheck import check_notice
    from archive.database import Archive
    from indexer.search import SearchService
    from xuncha.settings import load_settings

    settings = load_settings(environ={}, home=home)
    conn = store.connect(settings.db_path)
    archive, service = Archive(conn), SearchService(settings.search_options())
    rows = []
    for doc in archive.documents():
        if str(doc.doc_type) != "notice" or not any(k in doc.source_path for k in REAL):
            continue
        report = check_notice(archive, doc, service.suggest_articles, 3)
        for m in report.measures:
            rows.append({"measure_id": m.measure_id, "doc": doc.title, "problem": m.problem, "measure": m.measure,
                         "problem_title": m.problem_title, "text": m.text,
                         "fault_kind": m.fault_kind, "abstained": m.abstained,
                         "suggested": [{"article_id": s.article_id, "doc_title": s.doc_title, "article": s.article,
                                        "reason": s.reason, "score": s.score} for s in m.suggested]})
    conn.close()
    return rows


def pool(runs: Sequence[list[dict]], conn: sqlite3.Connection) -> list[dict]:
    pairs: dict[tuple[str, str], dict] = {}
    for rows in runs:
        for row in rows:
            for s in row["suggested"]:
                key = (row["measure_id"], s["article_id"])
                if key in pairs:
                    continue
                art = conn.execute("SELECT text FROM articles WHERE id = ?", (s["article_id"],)).fetchone()
                pairs[key] = {"measure_id": row["measure_id"], "article_id": s["article_id"],
                              "problem_title": row["problem_title"], "measure_text": row["text"][:300],
                              "article": f"{s['doc_title']} {s['article']}", "article_text": (art[0] if art else "")[:300]}
    return sorted(pairs.values(), key=lambda p: hashlib.sha1(f"{p['measure_id']}{p['article_id']}".encode()).digest())


def score(rows: list[dict], judged: list[dict]) -> dict:
    keep = {(j["measure_id"], j["article_id"]): int(j["keep"]) if "keep" in j else int(j["grade"] == 2)
            for j in judged}
    per = [sum(keep.get((r["measure_id"], s["article_id"]), 0) for s in r["suggested"][:3]) / 3 for r in rows]
    unjudged = sum(1 for r in rows for s in r["suggested"][:3] if (r["measure_id"], s["article_id"]) not in keep)
    return {"measures": len(rows), "precision@3": round(sum(per) / len(per), 4) if per else 0.0,
            "unjudged": unjudged}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.suggestions", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--home", type=Path, required=True)
    r.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("pool")
    p.add_argument("runs", type=Path, nargs="+")
    p.add_argument("--home", type=Path, required=True)
    s = sub.add_parser("score")
    s.add_argument("run", type=Path)
    s.add_argument("judged", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "run":
        rows = run(args.home)
        args.out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
        print(f"{len(rows)} measures → {args.out}")
    elif args.cmd == "pool":
        conn = sqlite3.connect(f"file:{args.home / 'archive.sqlite3'}?mode=ro", uri=True)
        for line in pool([_jsonl(p) for p in args.runs], conn):
            print(json.dumps(line, ensure_ascii=False))
    else:
        print(json.dumps(score(_jsonl(args.run), _jsonl(args.judged)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
