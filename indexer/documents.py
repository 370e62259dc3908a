"""Grain records: what each Whoosh document holds, read from the archive through its typed API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from archive.citations import short_title, title_key
from archive.database import Archive
from archive.kinds import DocType, Grain
from archive.records import CitationRecord, DocumentRecord, ProblemMark

YES, NO = "yes", "no"  # the recurring and common facets' values


def link_digest(marks: Iterable[ProblemMark]) -> str:
    """What a notice's problem records say of the links (recurring, common) as a short key ("" without
    problems): the index keeps it on the notice's document entry, beside the content hash."""
    flags = sorted(f"{m.problem_id}:{int(m.recurring)}{int(m.cluster_id is not None)}" for m in marks)
    return hashlib.sha1("|".join(flags).encode("utf-8")).hexdigest()[:16] if flags else ""


def link_digests(archive: Archive) -> dict[str, str]:
    """Every notice's link_digest (notices with problems only): an update compares it with the index's."""
    by_doc: dict[str, list[ProblemMark]] = {}
    for m in archive.problem_marks().values():
        by_doc.setdefault(m.doc_id, []).append(m)
    return {d: link_digest(ms) for d, ms in by_doc.items()}


def relinked(archive: Archive, indexed: Mapping[str, str]) -> set[str]:
    """The indexed notices whose recurring/common marks changed since they were indexed, given each indexed
    notice's link digest as indexed (issue 30: links follow an ingest, a removal or an operator's unit correction,
    while the notices' own bytes stay the same). Every engine's update re-puts them."""
    return {d for d, key in link_digests(archive).items() if d in indexed and indexed[d] != key}


def _cite_keys(cites: Iterable[CitationRecord]) -> str:
    """Comma-separated keys of the cited regulations, plus key#N for each cited article N."""
    keys: set[str] = set()
    for c in cites:
        for key in (title_key(c.title), short_title(c.title)):
            keys.add(key)
            if key and c.article_number is not None:
                keys.add(f"{key}#{c.article_number}")
    return ",".join(sorted(k.replace(",", " ") for k in keys if k))


def grain_records(archive: Archive, doc_ids: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every Whoosh document (all four grains) for the given documents, or for the whole archive."""
    status = archive.version_statuses()
    for d in archive.documents(doc_ids):
        yield from _doc_records(archive, d, str(status.get(d.id, "")))


def _doc_records(archive: Archive, d: DocumentRecord, status: str) -> Iterator[dict[str, Any]]:
    published = d.published or ""
    base = {"doc_id": d.id, "doc_type": str(d.doc_type), "doc_title": d.title, "publisher": d.publisher or "",
            "year": published[:4], "published": published, "region": d.region or "",
            "reg_category": d.category or "", "status": status, "version": d.version or "",
            "source_path": d.source_path, "sha": d.sha256}
    cites = archive.citations(d.id)
    reg_key = short_title(d.title) if d.doc_type == DocType.REGULATION else ""
    marks = archive.problem_marks([d.id]) if d.doc_type == DocType.NOTICE else {}
    body = d.text
    if d.doc_type == DocType.REGULATION:
        # a regulation's text is indexed article by article; its document entry holds what names it
        body = "\n".join([d.preamble or "", *archive.chapters(d.id)]).strip() or d.title
    yield {**base, "id": d.id, "kind": Grain.DOCUMENT.value, "title": d.title, "body": body, "context": "",
           "category": "", "cites": _cite_keys(cites), "reg_key": reg_key,
           "ord": 0, "links": link_digest(marks.values())}
    if d.doc_type == DocType.NOTICE:
        ord_ = 0
        for cat in archive.notice_tree(d.id):
            for p in (unit for top in cat.problems for unit in top.with_units()):  # sub-problems are problems
                ord_ += 1
                context = f"{d.title}\n{cat.title}"
                common = {**base, "category": cat.title, "category_num": cat.number, "problem": p.number,
                          "rectification": str(p.status or "")}
                mark = marks.get(p.id)
                yield {**common, "id": p.id, "kind": Grain.PROBLEM.value, "title": p.title, "body": p.text,
                       "context": context, "ord": ord_,
                       "recurring": YES if mark and mark.recurring else NO,
                       "common": YES if mark and mark.cluster_id is not None else NO,
                       "cites": _cite_keys(c for c in cites if c.problem_id == p.id)}
                for m in p.measures:
                    # a measure's own words carry it; its problem's title is context, shared by its siblings
                    yield {**common, "id": m.id, "kind": Grain.MEASURE.value, "title": "", "body": m.text,
                           "context": f"{context}\n{p.title}", "measure": m.number,
                           "problem_title": p.title,
                           "ord": ord_ * 1000 + m.number,
                           "cites": _cite_keys(c for c in cites if c.measure_id == m.id)}
    elif d.doc_type == DocType.REGULATION:
        for i, a in enumerate(archive.articles(d.id), 1):
            chapter = " ".join(x for x in (a.chapter, a.section) if x)
            # the regulation's title is context: in the title field it would lift every article of it alike
            yield {**base, "id": a.id, "kind": Grain.ARTICLE.value, "title": a.label,
                   "body": a.text, "context": f"{d.title}\n{chapter}",
                   "category": a.chapter or "", "article": a.label, "article_num": a.number,
                   "reg_key": reg_key, "cites": "", "ord": i}
