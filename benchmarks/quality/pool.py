"""Pooling: the unjudged units any system ranked in its top 10, with their text, for judging by reading.

    python -m benchmarks.quality.pool RESULT.json --home DIR > pool.jsonl

    python -m benchmarks.quality.pool --merge pool.jsonl judged.jsonl

RESULT.json is a runner result over the archive in DIR (`--home`). Each output line is one query
with the units to judge, in a blind order (which system found a unit is not shown, so that the
judge cannot favour one). Units already read (judged 0, 1 or 2) are left out. A judge writes one
line per query, {"id": …, "judgments": [units graded 1 or 2, identifier fields copied]}; `--merge`
adds those to queries.jsonl or test_queries.jsonl (each query's own split), and every other pooled unit with grade 0 (read, not relevant).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .runner import SPLIT_FILES, load_queries, load_split, unit_key


def _text(conn: sqlite3.Connection, kind: str, grain_id: str) -> dict[str, str]:
    """The unit's own text and where it sits, straight from the archive."""
    if kind == "article":
        row = conn.execute("SELECT d.title AS doc, a.label, a.chapter, a.text FROM articles a "
                           "JOIN documents d ON d.id = a.doc_id WHERE a.id = ?", (grain_id,)).fetchone()
        return {"doc_title": row["doc"], "where": row["chapter"] or "", "text": row["text"]}
    if kind == "problem":
        row = conn.execute("SELECT d.title AS doc, c.title AS cat, p.title, p.text FROM problems p "
                           "JOIN categories c ON c.id = p.category_id JOIN documents d ON d.id = p.doc_id "
                           "WHERE p.id = ?", (grain_id,)).fetchone()
        return {"doc_title": row["doc"], "where": row["cat"], "text": row["text"]}
    row = conn.execute("SELECT d.title AS doc, p.title AS problem, m.text FROM measures m "
                       "JOIN problems p ON p.id = m.problem_id JOIN documents d ON d.id = m.doc_id "
                       "WHERE m.id = ?", (grain_id,)).fetchone()
    return {"doc_title": row["doc"], "where": row["problem"], "text": row["text"]}


def unit_json(key: Sequence[Any]) -> dict[str, Any]:
    """A unit key in the judgments' own format (README, "How a unit is identified")."""
    if key[0] == "article":
        return {"doc": key[1], "article": key[2]}
    _, doc, cat, sec, prob, meas = key
    out: dict[str, Any] = {"doc": doc, "category": cat}
    if cat == 0:
        out["section"] = sec
    if prob is not None:
        out["problem"] = prob
    if meas is not None:
        out["measure"] = meas
    return out


def pool(result: dict, conn: sqlite3.Connection, depth: int = 10) -> list[dict]:
    """Per query: the unjudged units in any system's top `depth`, blind-ordered, with their text."""
    queries = {q["id"]: q for q in load_split("all")}
    out = []
    for row in result["per_query"]:
        read = {unit_key(j) for j in queries[row["id"]]["judgments"]}  # graded 0, 1 or 2
        seen: dict[tuple, dict] = {}
        for system in row["systems"].values():
            for hit in system["top"][:depth]:
                if hit.get("key") is None or hit.get("judged"):
                    continue
                key = tuple(hit["key"])
                if key not in seen and key not in read:
                    seen[key] = {**unit_json(key), **_text(conn, hit["kind"], hit["id"])}
        units = sorted(seen.values(), key=lambda u: hashlib.sha1(json.dumps(u, ensure_ascii=False).encode()).digest())
        q = queries[row["id"]]
        out.append({"id": q["id"], "kind": q["kind"], "query": q["query"], "note": q.get("note", ""),
                    "judged": q["judgments"], "to_judge": units})
    return out


def merge(queries: list[dict], pooled: list[dict], judged: list[dict]) -> int:
    """Add a judge's grades for pooled units to `queries` (in place), grade 0 for the rest; returns the count.

    Raises ValueError naming the query when a judged unit was not one of its pooled units.
    """
    to_judge = {p["id"]: p["to_judge"] for p in pooled}
    grades = {j["id"]: j["judgments"] for j in judged}
    added = 0
    for q in queries:
        units = to_judge.get(q["id"], [])
        pooled_keys = {unit_key(u) for u in units}
        given = {unit_key(j): j for j in grades.get(q["id"], [])}
        if stray := [k for k in given if k not in pooled_keys]:
            raise ValueError(f"{q['id']}: judged units that were not pooled: {stray}")
        have = {unit_key(j) for j in q["judgments"]}
        for key in map(unit_key, units):
            if key in have:
                continue
            j = unit_json(key)
            g = given.get(key)
            j["grade"] = int(g["grade"]) if g else 0
            if g and g.get("why"):
                j["why"] = g["why"]
            q["judgments"].append(j)
            added += 1
    return added


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.pool", description=__doc__.split("\n\n")[0])
    ap.add_argument("result", type=Path, nargs="?")
    ap.add_argument("--home", type=Path, help="the archive the result was run over")
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--merge", type=Path, nargs=2, metavar=("POOL", "JUDGED"),
                    help="add a judge's grades for a pool's units to queries.jsonl")
    args = ap.parse_args(argv)
    if args.merge:
        queries = load_split("all")
        try:
            added = merge(queries, load_queries(args.merge[0]), load_queries(args.merge[1]))
        except ValueError as exc:
            ap.error(str(exc))
        for name, path in SPLIT_FILES.items():  # each query goes back to its own split's file
            rows = [q for q in queries if q["split"] == name]
            if not rows and not path.exists():
                continue
            if name == "tune":  # the tuning file has no split field (it predates the split)
                rows = [{k: v for k, v in q.items() if k != "split"} for q in rows]
            path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in rows), encoding="utf-8")
        print(f"{added} judgments added to {', '.join(str(p) for p in SPLIT_FILES.values())}")
        return 0
    if args.result is None or args.home is None:
        ap.error("RESULT.json and --home are required (or --merge POOL JUDGED)")
    conn = sqlite3.connect(f"file:{args.home / 'archive.sqlite3'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    for line in pool(json.loads(args.result.read_text(encoding="utf-8")), conn, args.depth):
        print(json.dumps(line, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
