"""Grain records: what each Whoosh document holds, read from the archive's SQLite store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from archive.citations import short_title, title_key
from archive.resolve import version_status



def regulation_status(conn: sqlite3.Connection) -> dict[str, str]:
    """Each regulation's status among the versions of the same title: the latest is in force."""
    groups: dict[str, list[tuple[str, str | None]]] = {}
    for row in conn.execute("SELECT id, title, version FROM documents WHERE doc_type = 'regulation'"):
        groups.setdefault(title_key(row["title"]), []).append((row["id"], row["version"]))
    status: dict[str, str] = {}
    for members in groups.values():
        status.update(version_status(members))
    return status


def related_ids(conn: sqlite3.Connection, doc_ids: Iterable[str]) -> set[str]:
    """The given documents plus the other versions of the same regulations (whose status may change)."""
    ids = set(doc_ids)
    keys = {title_key(r["title"]) for r in conn.execute(
        "SELECT title FROM documents WHERE doc_type = 'regulation' AND id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(ids)),))}
    if keys:
        for row in conn.execute("SELECT id, title FROM documents WHERE doc_type = 'regulation'"):
            if title_key(row["title"]) in keys:
                ids.add(row["id"])
    return ids


def _cite_keys(rows: Iterable[sqlite3.Row]) -> str:
    """Comma-separated keys of the cited regulations, plus key#N for each cited article N."""
    keys: set[str] = set()
    for r in rows:
        for key in (title_key(r["title"]), short_title(r["title"])):
            keys.add(key)
            if key and r["article_number"] is not None:
                keys.add(f"{key}#{r['article_number']}")
    return ",".join(sorted(k.replace(",", " ") for k in keys if k))


def grain_records(conn: sqlite3.Connection, doc_ids: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every Whoosh document (all four grains) for the given documents, or for the whole archive."""
    status = regulation_status(conn)
    if doc_ids is None:
        docs = conn.execute("SELECT * FROM documents ORDER BY id")
    else:
        docs = conn.execute("SELECT * FROM documents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                            (json.dumps(sorted(doc_ids)),))
    for d in docs.fetchall():
        yield from _doc_records(conn, d, status.get(d["id"], ""))


def _doc_records(conn: sqlite3.Connection, d: sqlite3.Row, status: str) -> Iterator[dict[str, Any]]:
    doc_id = d["id"]
    published = d["published"] or ""
    base = {"doc_id": doc_id, "doc_type": d["doc_type"], "doc_title": d["title"], "publisher": d["publisher"] or "",
            "year": published[:4], "published": published, "region": d["region"] or "",
            "reg_category": d["category"] or "", "status": status, "version": d["version"] or "",
            "source_path": d["source_path"], "sha": d["sha256"]}
    cites = conn.execute("SELECT title, article_number, problem_id, measure_id FROM citations WHERE doc_id = ?",
                         (doc_id,)).fetchall()
    reg_key = short_title(d["title"]) if d["doc_type"] == "regulation" else ""
    body = d["text"]
    if d["doc_type"] == "regulation":
        # a regulation's text is indexed article by article; its document entry holds what names it
        extra = json.loads(d["extra_json"] or "{}")
        chapters = [r["chapter"] for r in conn.execute(
            "SELECT DISTINCT chapter FROM articles WHERE doc_id = ? AND chapter IS NOT NULL ORDER BY ord", (doc_id,))]
        body = "\n".join([extra.get("preamble") or ""] + chapters).strip() or d["title"]
    yield {**base, "id": doc_id, "kind": "document", "title": d["title"], "body": body, "context": "",
           "bigram": f"{d['title']}\n{body}", "category": "", "cites": _cite_keys(cites), "reg_key": reg_key,
           "ord": 0}
    if d["doc_type"] == "notice":
        cats = {c["id"]: c for c in conn.execute("SELECT * FROM categories WHERE doc_id = ?", (doc_id,))}
        measures: dict[str, list[sqlite3.Row]] = {}
        for m in conn.execute("SELECT * FROM measures WHERE doc_id = ? ORDER BY number", (doc_id,)):
            measures.setdefault(m["problem_id"], []).append(m)
        for p in conn.execute("SELECT * FROM problems WHERE doc_id = ? ORDER BY ord", (doc_id,)):
            cat = cats[p["category_id"]]
            context = f"{d['title']}\n{cat['title']}"
            common = {**base, "category": cat["title"], "category_num": cat["number"], "problem": p["number"]}
            yield {**common, "id": p["id"], "kind": "problem", "title": p["title"], "body": p["text"],
                   "context": context, "bigram": p["text"], "ord": p["ord"],
                   "cites": _cite_keys(c for c in cites if c["problem_id"] == p["id"])}
            for m in measures.get(p["id"], []):
                # a measure's own words carry it; its problem's title is context, shared by its siblings
                yield {**common, "id": m["id"], "kind": "measure", "title": "", "body": m["text"],
                       "context": f"{context}\n{p['title']}", "bigram": m["text"], "measure": m["number"],
                       "ord": p["ord"] * 1000 + m["number"],
                       "cites": _cite_keys(c for c in cites if c["measure_id"] == m["id"])}
    elif d["doc_type"] == "regulation":
        for a in conn.execute("SELECT * FROM articles WHERE doc_id = ? ORDER BY ord", (doc_id,)):
            chapter = " ".join(x for x in (a["chapter"], a["section"]) if x)
            # the regulation's title is context: in the title field it would lift every article of it alike
            yield {**base, "id": a["id"], "kind": "article", "title": a["label"],
                   "body": a["text"], "context": f"{d['title']}\n{chapter}", "bigram": a["text"],
                   "category": a["chapter"] or "", "article": a["label"], "article_num": a["number"],
                   "reg_key": reg_key, "cites": "", "ord": a["ord"]}
