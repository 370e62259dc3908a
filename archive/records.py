"""Reading records back: the JSON shape of `xuncha show --json` and `/api/doc/<id>`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any


def find_document(conn: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    """A document by id, by the path it was ingested from, or by that path resolved."""
    row = conn.execute("SELECT * FROM documents WHERE id = ?", (ref,)).fetchone()
    if row is None:
        row = conn.execute("SELECT * FROM documents WHERE source_path = ? ORDER BY updated_at DESC LIMIT 1",
                           (ref,)).fetchone()
    if row is None:
        try:
            resolved = str(Path(ref).resolve())
        except (OSError, ValueError):
            return None
        row = conn.execute("SELECT * FROM documents WHERE resolved_path = ?", (resolved,)).fetchone()
    return row


def _citations(rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
    return [{"title": r["title"], "article": r["article"]} for r in rows]


def _figures(rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
    return [{"kind": r["kind"], "text": r["text"], "value": r["value"], "unit": r["unit"]} for r in rows]


def _group(rows: list[sqlite3.Row], key: str) -> dict[str | None, list[sqlite3.Row]]:
    out: dict[str | None, list[sqlite3.Row]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def notice_categories(conn: sqlite3.Connection, doc_id: str) -> list[dict[str, Any]]:
    """categories → problems → measures, with citations and figures at each level."""
    cits = conn.execute("SELECT * FROM citations WHERE doc_id = ? ORDER BY id", (doc_id,)).fetchall()
    figs = conn.execute("SELECT * FROM figures WHERE doc_id = ? ORDER BY id", (doc_id,)).fetchall()
    cit_by_problem, cit_by_measure = _group(cits, "problem_id"), _group(cits, "measure_id")
    fig_by_problem, fig_by_measure = _group(figs, "problem_id"), _group(figs, "measure_id")
    measures = _group(conn.execute("SELECT * FROM measures WHERE doc_id = ? ORDER BY problem_id, number",
                                   (doc_id,)).fetchall(), "problem_id")
    problems = _group(conn.execute("SELECT * FROM problems WHERE doc_id = ? ORDER BY ord", (doc_id,)).fetchall(),
                      "category_id")
    out = []
    for cat in conn.execute("SELECT * FROM categories WHERE doc_id = ? ORDER BY ord", (doc_id,)):
        plist = []
        for p in problems.get(cat["id"], []):
            mlist = [{"id": m["id"], "number": m["number"], "text": m["text"],
                      "citations": _citations(cit_by_measure.get(m["id"], [])),
                      "figures": _figures(fig_by_measure.get(m["id"], []))}
                     for m in sorted(measures.get(p["id"], []), key=lambda m: m["number"])]
            plist.append({"id": p["id"], "number": p["number"], "title": p["title"], "text": p["text"],
                          "citations": _citations(cit_by_problem.get(p["id"], [])),
                          "figures": _figures(fig_by_problem.get(p["id"], [])), "measures": mlist})
        out.append({"id": cat["id"], "number": cat["number"], "title": cat["title"], "section": cat["section"],
                    "section_title": cat["section_title"], "text": cat["text"], "problems": plist})
    return out


def document_json(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """The structured record of one document, in the documented JSON shape."""
    doc_id = row["id"]
    warnings = [r["message"] for r in conn.execute("SELECT message FROM warnings WHERE doc_id = ? ORDER BY id",
                                                   (doc_id,))]
    extra = json.loads(row["extra_json"] or "{}")
    out: dict[str, Any] = {
        "id": doc_id, "doc_type": row["doc_type"], "title": row["title"], "publisher": row["publisher"],
        "published": row["published"], "source_path": row["source_path"], "sha256": row["sha256"],
        "method": row["method"], "warnings": warnings,
    }
    if row["doc_type"] == "notice":
        out.update(json.loads(row["header_json"] or "{}"))
        out["sections"] = [{"number": n, "title": t} for n, t in extra.get("sections", [])]
        out["categories"] = notice_categories(conn, doc_id)
    elif row["doc_type"] == "regulation":
        out.update({"short_title": row["short_title"], "version": row["version"], "issuer": extra.get("issuer"),
                    "promulgated": extra.get("promulgated"), "effective": extra.get("effective"),
                    "region": row["region"], "category": row["category"], "preamble": extra.get("preamble")})
        out["articles"] = [{"id": a["id"], "number": a["number"], "label": a["label"], "chapter": a["chapter"],
                            "section": a["section"], "text": a["text"]}
                           for a in conn.execute("SELECT * FROM articles WHERE doc_id = ? ORDER BY ord", (doc_id,))]
    else:
        out["text"] = row["text"]
    return out
