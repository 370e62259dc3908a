"""What the document pages show beyond records.document_json: resolved citations, versions, cited-by."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from archive.citations import short_title, title_key
from archive.numerals import int_to_cn
from archive.resolve import ALIASES, Catalog, Resolution, context_before, version_status


@dataclass(frozen=True, slots=True)
class CitationView:
    """One 《…》 citation as shown under a measure: where it leads, or why it leads nowhere."""

    title: str
    article: str | None
    status: str
    doc_id: str | None = None
    anchor: str | None = None  # the article label on the regulation page
    version: str | None = None
    missing_article: bool = False
    candidates: tuple[dict[str, Any], ...] = ()


def _view(c: dict[str, Any], res: Resolution) -> CitationView:
    if res.status == "resolved" and res.regulation:
        return CitationView(c["title"], c["article"], res.status, res.regulation["doc_id"], res.article_label,
                            res.regulation.get("version"), bool(c["article"]) and not res.article_label)
    return CitationView(c["title"], c["article"], res.status, candidates=res.candidates)


def notice_sections(conn: sqlite3.Connection, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The notice's categories grouped by section, with every citation resolved for the notice's date."""
    catalog = Catalog.load(conn)
    on_date = doc.get("published") or doc.get("feedback_date")
    units = tuple(u for u in (doc.get("inspected_unit"), doc.get("publisher")) if u)
    cache: dict[tuple[str, str | None, str], CitationView] = {}

    def views(cites: list[dict[str, Any]], text: str) -> list[CitationView]:
        out = []
        for c in cites:
            ctx = context_before(text, c["title"])
            key = (c["title"], c["article"], ctx)
            if key not in cache:
                cache[key] = _view(c, catalog.resolve(c["title"], c["article"], on_date, ctx, units, conn=conn))
            out.append(cache[key])
        return out

    sections: list[dict[str, Any]] = []
    for cat in doc.get("categories", []):
        if not sections or sections[-1]["number"] != cat["section"]:
            sections.append({"number": cat["section"], "title": cat["section_title"], "categories": []})
        problems = []
        for p in cat["problems"]:
            in_measures = {(c["title"], c["article"]) for m in p["measures"] for c in m["citations"]}
            own = [c for c in p["citations"] if (c["title"], c["article"]) not in in_measures]
            measures = [{**m, "cites": views(m["citations"], m["text"])} for m in p["measures"]]
            problems.append({**p, "measures": measures, "cites": views(own if measures else p["citations"],
                                                                        p["text"])})
        sections[-1]["categories"].append({**cat, "problems": problems})
    return sections


def regulation_versions(conn: sqlite3.Connection, row: sqlite3.Row) -> tuple[str, list[dict[str, Any]]]:
    """This regulation's status and every version of it (same title as the index groups them), oldest first."""
    key = title_key(row["title"])
    members = [m for m in conn.execute("SELECT id, title, version FROM documents WHERE doc_type = 'regulation' "
                                       "AND short_title = ? ORDER BY version", (row["short_title"] or row["title"],))
               if title_key(m["title"]) == key] or [row]
    status = version_status([(m["id"], m["version"]) for m in members])
    versions = [{"doc_id": m["id"], "title": m["title"], "version": m["version"], "status": status[m["id"]],
                 "current": m["id"] == row["id"]} for m in members]
    return status[row["id"]], versions


def _could_match(title: str, key: str, short: str) -> bool:
    """A cheap necessary condition for a cited title to resolve to the regulation with this key/short title."""
    ckey = title_key(ALIASES.get(title, title))
    cshort = short_title(ckey)
    return ckey == key or cshort in short or abs(len(cshort) - len(short)) <= 1


def cited_by(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str | None, list[dict[str, Any]]]:
    """Article label (None: the regulation as a whole) → the problems and measures citing it in this version."""
    catalog = Catalog.load(conn)
    key, short = title_key(row["title"]), short_title(row["title"])
    rows = conn.execute(
        """SELECT c.title, c.article, c.doc_id, c.problem_id, c.measure_id, d.title AS doc_title,
                  d.published, d.header_json, p.number AS problem_number, p.title AS problem_title,
                  m.number AS measure_number, m.text AS measure_text
           FROM citations c JOIN documents d ON d.id = c.doc_id
           LEFT JOIN problems p ON p.id = c.problem_id LEFT JOIN measures m ON m.id = c.measure_id
           WHERE d.doc_type = 'notice' ORDER BY d.published DESC, c.doc_id, c.id""").fetchall()
    cache: dict[tuple[str, str | None, str | None], Resolution] = {}
    out: dict[str | None, list[dict[str, Any]]] = {}
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for r in rows:
        if not _could_match(r["title"], key, short):
            continue
        header = json.loads(r["header_json"] or "{}")
        on_date = r["published"] or header.get("feedback_date")
        ck = (r["title"], r["article"], on_date)
        if ck not in cache:
            cache[ck] = catalog.resolve(r["title"], r["article"], on_date, conn=conn)
        res = cache[ck]
        if res.status != "resolved" or not res.regulation or res.regulation["doc_id"] != row["id"]:
            continue
        label = res.article_label if r["article"] else None
        if r["article"] and not label:
            continue  # cites an article this version does not have
        if (label, r["problem_id"], r["measure_id"]) in seen:
            continue
        seen.add((label, r["problem_id"], r["measure_id"]))
        anchor = f"m-{r['measure_id']}" if r["measure_id"] else f"p-{r['problem_id']}" if r["problem_id"] else ""
        out.setdefault(label, []).append({
            "doc_id": r["doc_id"], "doc_title": r["doc_title"], "published": r["published"], "anchor": anchor,
            "problem_number": r["problem_number"], "problem_title": r["problem_title"],
            "measure_number": r["measure_number"], "measure_text": r["measure_text"]})
    return out


def chapters(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """章 → 节 → 条, with a unique anchor per article (its label; a repeated label gets a suffix)."""
    out: list[dict[str, Any]] = []
    used: dict[str, int] = {}
    for a in articles:
        if not out or out[-1]["title"] != a["chapter"]:
            out.append({"title": a["chapter"], "sections": []})
        secs = out[-1]["sections"]
        if not secs or secs[-1]["title"] != a["section"]:
            secs.append({"title": a["section"], "articles": []})
        n = used[a["label"]] = used.get(a["label"], 0) + 1
        secs[-1]["articles"].append({**a, "anchor": a["label"] if n == 1 else f"{a['label']}-{n}"})
    for i, ch in enumerate(out, 1):
        ch["anchor"] = f"ch-{i}"
    return out


def section_texts(sections: list[dict[str, Any]], text: str) -> tuple[list[str], dict[int, list[str]]]:
    """The notice's lead paragraphs (before the first 一、) and each section's paragraphs, from the full text."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    heads: list[tuple[int, int]] = []  # (line index, section number)
    for sec in sections:
        start = heads[-1][0] + 1 if heads else 0
        prefix = f"{int_to_cn(sec['number'])}、"
        for i in range(start, len(lines)):
            if lines[i].startswith(prefix) and sec["title"][:6] in lines[i]:
                heads.append((i, sec["number"]))
                break
    if not heads:
        return [], {}
    lead = lines[: heads[0][0]]
    body = {num: lines[i + 1: (heads[k + 1][0] if k + 1 < len(heads) else len(lines))]
            for k, (i, num) in enumerate(heads)}
    return lead, body


def notice_outline(conn: sqlite3.Connection, doc: dict[str, Any], text: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Lead paragraphs and every section in order: its categories tree, or its paragraphs when it has none."""
    grouped = {s["number"]: s for s in notice_sections(conn, doc)}
    lead, texts = section_texts(doc.get("sections", []), text)
    outline = []
    for sec in doc.get("sections", []):
        entry = grouped.pop(sec["number"], None) or {"number": sec["number"], "title": sec["title"], "categories": []}
        entry["paragraphs"] = [] if entry["categories"] else texts.get(sec["number"], [])
        outline.append(entry)
    outline.extend({**s, "paragraphs": []} for s in grouped.values())
    for entry in outline:
        entry["label"] = f"{int_to_cn(entry['number'])}、" if entry["number"] else ""
    return lead, outline
