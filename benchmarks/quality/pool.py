"""Pooling: the unjudged units any system ranked in its top 10, with their text, for judging by reading.

    python -m benchmarks.quality.pool RESULT.json --home DIR > pool.jsonl

RESULT.json is a runner result over the archive in DIR (`--home`). Each output line is one query
with the units to judge, in a blind order (which system found a unit is not shown, so that the
judge cannot favour one). Units already read (judged 0, 1 or 2) are left out. A judge gives every
listed unit a grade, 2, 1 or 0, and adds it to the query's `judgments` (README, "Pooling").
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

from .runner import load_queries, unit_key


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
    queries = {q["id"]: q for q in load_queries()}
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


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.pool", description=__doc__.split("\n\n")[0])
    ap.add_argument("result", type=Path)
    ap.add_argument("--home", type=Path, required=True, help="the archive the result was run over")
    ap.add_argument("--depth", type=int, default=10)
    args = ap.parse_args(argv)
    conn = sqlite3.connect(f"file:{args.home / 'archive.sqlite3'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    for line in pool(json.loads(args.result.read_text(encoding="utf-8")), conn, args.depth):
        print(json.dumps(line, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
