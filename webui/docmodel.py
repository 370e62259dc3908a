"""What the document pages show beyond the record's JSON: the cross-check's citations, versions, cited-by."""

from __future__ import annotations

from typing import Any

from archive.citations import short_title, title_key
from archive.crosscheck import CheckReport
from archive.database import Archive
from archive.kinds import CitationStatus, VersionStatus
from archive.numerals import int_to_cn
from archive.records import DocumentRecord
from archive.resolve import ALIASES, Catalog, Resolution


def notice_sections(doc: dict[str, Any], report: CheckReport) -> list[dict[str, Any]]:
    """The notice's categories grouped by section; each unit's citations as the cross-check resolved them."""
    sections: list[dict[str, Any]] = []
    for cat in doc.get("categories", []):
        if not sections or sections[-1]["number"] != cat["section"]:
            sections.append({"number": cat["section"], "title": cat["section_title"], "categories": []})
        problems = [{**p, "measures": [{**m, "cites": report.in_unit(m["id"])} for m in p["measures"]],
                     "cites": report.in_unit(p["id"])} for p in cat["problems"]]
        sections[-1]["categories"].append({**cat, "problems": problems})
    return sections


def regulation_versions(archive: Archive, doc: DocumentRecord) -> tuple[VersionStatus, list[dict[str, Any]]]:
    """This regulation's status and every version of it (grouped as the index groups them), oldest first."""
    members = archive.versions_of(doc)
    status = dict((e.id, s) for e, s in members)
    versions = [{"doc_id": e.id, "title": e.title, "version": e.version, "status": s, "current": e.id == doc.id}
                for e, s in members]
    return status[doc.id], versions


def _could_match(title: str, key: str, short: str) -> bool:
    """A cheap necessary condition for a cited title to resolve to the regulation with this key/short title."""
    ckey = title_key(ALIASES.get(title, title))
    cshort = short_title(ckey)
    return ckey == key or cshort in short or abs(len(cshort) - len(short)) <= 1


def cited_by(archive: Archive, doc: DocumentRecord) -> dict[str | None, list[dict[str, Any]]]:
    """Article label (None: the regulation as a whole) → the problems and measures citing it in this version."""
    catalog = Catalog.of(archive)
    key, short = title_key(doc.title), short_title(doc.title)
    cache: dict[tuple[str, str | None, str | None], Resolution] = {}
    out: dict[str | None, list[dict[str, Any]]] = {}
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for r in archive.notice_citations():
        if not _could_match(r.title, key, short):
            continue
        ck = (r.title, r.article, r.on_date)
        if ck not in cache:
            cache[ck] = catalog.resolve(r.title, r.article, r.on_date)
        res = cache[ck]
        if res.status != CitationStatus.RESOLVED or not res.regulation or res.regulation.id != doc.id:
            continue
        label = res.article_label if r.article else None
        if r.article and not label:
            continue  # cites an article this version does not have
        if (label, r.problem_id, r.measure_id) in seen:
            continue
        seen.add((label, r.problem_id, r.measure_id))
        anchor = f"m-{r.measure_id}" if r.measure_id else f"p-{r.problem_id}" if r.problem_id else ""
        out.setdefault(label, []).append({
            "doc_id": r.doc_id, "doc_title": r.doc_title, "published": r.on_date, "anchor": anchor,
            "problem_number": r.problem_number, "problem_title": r.problem_title,
            "measure_number": r.measure_number, "measure_text": r.measure_text})
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


def notice_outline(doc: dict[str, Any], report: CheckReport, text: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Lead paragraphs and every section in order: its categories tree, or its paragraphs when it has none."""
    grouped = {s["number"]: s for s in notice_sections(doc, report)}
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
