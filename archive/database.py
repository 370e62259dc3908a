"""Archive: the one typed API over the SQLite store. Every SQL statement outside store.py's writes is here.

Readers (the indexer, the web UI, the CLI) open an Archive and get frozen records back
(archive/records.py); writers go through `Archive.transaction()` and store.py's write functions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from . import store
from .linkreviews import LinkReviewQueries
from .linkstore import LinkQueries
from .kinds import DocType, RectStatus, Verdict, VersionStatus
from .models import NoticeHeader, Progress
from .regulation import part_of
from .rulenames import without_variant
from .records import (ArticleRecord, CategoryRecord, CitationRecord, DocumentDetail, DocumentRecord, FigureRecord,
                      MeasureRecord, NoticeCitation, ProblemRecord, RegulationEntry, StoredFile, Suggestion,
                      VerdictRecord)

_HEADER_FIELDS = {f.name for f in dataclasses.fields(NoticeHeader)}
_PROGRESS_FIELDS = {f.name for f in dataclasses.fields(Progress)}


def version_key(title: str, part: str | None = None) -> str:
    """The one rule that groups regulation versions: the same comparable title and the same part.

    The parts of one code (民法典's 总则, 物权编 … under one title) are not versions of each other:
    each part is its own group (its heading names the part, archive.regulation.part_of). A (试行) text and
    the final one are versions of one regulation (人民检察院刑事诉讼规则（试行） 2012 → 2019; Party rules)."""
    return without_variant(title) + (f"#{part}" if part else "")


def version_status(members: list[tuple[str, str | None]]) -> dict[str, VersionStatus]:
    """(doc_id, version) of one regulation's versions → each one's status: the latest dated is in force."""
    dated = sorted((v, i) for i, v in members if v)
    latest = dated[-1][1] if dated else None
    return {doc_id: VersionStatus.CURRENT if len(members) == 1 or doc_id == latest
            else VersionStatus.SUPERSEDED if version else VersionStatus.UNDATED
            for doc_id, version in members}


def _document(row: sqlite3.Row) -> DocumentRecord:
    header = json.loads(row["header_json"] or "{}")
    extra = json.loads(row["extra_json"] or "{}")
    return DocumentRecord(
        id=row["id"], doc_type=DocType(row["doc_type"]), title=row["title"], source_path=row["source_path"],
        resolved_path=row["resolved_path"], sha256=row["sha256"], suffix=row["suffix"], method=row["method"],
        text=row["text"], short_title=row["short_title"], publisher=row["publisher"], published=row["published"],
        version=row["version"], category=row["category"], region=row["region"],
        header=NoticeHeader(**{k: v for k, v in header.items() if k in _HEADER_FIELDS}),
        sections=tuple((int(n), str(t)) for n, t in extra.get("sections", [])), issuer=extra.get("issuer"),
        promulgated=extra.get("promulgated"), effective=extra.get("effective"), preamble=extra.get("preamble"),
        progress=Progress(**{k: v for k, v in extra.get("progress", {}).items() if k in _PROGRESS_FIELDS}))


def _citation(r: sqlite3.Row) -> CitationRecord:
    return CitationRecord(r["title"], r["article"], r["article_number"], r["problem_id"], r["measure_id"])


def _figure(r: sqlite3.Row) -> FigureRecord:
    return FigureRecord(r["kind"], r["text"], r["value"], r["unit"])


def _article(r: sqlite3.Row) -> ArticleRecord:
    return ArticleRecord(r["id"], r["doc_id"], r["number"], r["label"], r["text"], r["chapter"], r["section"])


def _group(rows: Iterable[sqlite3.Row], key: str) -> dict[str | None, list[sqlite3.Row]]:
    out: dict[str | None, list[sqlite3.Row]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


class Archive(LinkQueries, LinkReviewQueries):
    """One open archive database. Cheap to open; the regulation catalogue is read once per instance."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, db_path: Path) -> Archive:
        """Open (creating and migrating as needed) the archive at db_path."""
        return cls(store.connect(db_path))

    def close(self) -> None:
        self.conn.close()

    @property
    def path(self) -> Path | None:
        """The database file (None in memory): other processes open their own connection to it."""
        row = self.conn.execute("PRAGMA database_list").fetchone()
        return Path(row[2]) if row and row[2] else None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: commits on success, rolls back and re-raises on any error."""
        with store.transaction(self.conn) as conn:
            yield conn
        self.__dict__.pop("regulations", None)  # the catalogue may have changed

    # --- documents -------------------------------------------------------------------------------

    def document(self, ref: str) -> DocumentRecord | None:
        """A document by id, by the path it was ingested from, or by that path resolved."""
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (ref,)).fetchone()
        if row is None:
            row = self.conn.execute("SELECT * FROM documents WHERE source_path = ? ORDER BY updated_at DESC "
                                    "LIMIT 1", (ref,)).fetchone()
        if row is None:
            try:
                resolved = str(Path(ref).resolve())
            except (OSError, ValueError):
                return None
            row = self.conn.execute("SELECT * FROM documents WHERE resolved_path = ?", (resolved,)).fetchone()
        return _document(row) if row else None

    def documents(self, ids: Iterable[str] | None = None) -> Iterator[DocumentRecord]:
        """Every document, or the given ones, in id order."""
        if ids is None:
            rows = self.conn.execute("SELECT * FROM documents ORDER BY id")
        else:
            rows = self.conn.execute("SELECT * FROM documents WHERE id IN (SELECT value FROM json_each(?)) "
                                     "ORDER BY id", (json.dumps(sorted(ids)),))
        for row in rows.fetchall():
            yield _document(row)

    def document_sizes(self) -> list[tuple[str, int]]:
        """(id, length of its text) of every document, in the order of documents(): how a parallel build
        shares the work, without reading the texts."""
        return [(r[0], int(r[1] or 0)) for r in
                self.conn.execute("SELECT id, length(text) FROM documents ORDER BY id").fetchall()]

    def unit_texts(self, ids: Iterable[str]) -> dict[str, str]:
        """The text of each document or unit (article, problem, measure) by id, for snippets: the search
        index does not store text, SQLite holds it."""
        wanted = json.dumps(sorted(set(ids)))
        rows = self.conn.execute(
            "SELECT id, text FROM articles WHERE id IN (SELECT value FROM json_each(:ids)) UNION ALL "
            "SELECT id, text FROM problems WHERE id IN (SELECT value FROM json_each(:ids)) UNION ALL "
            "SELECT id, text FROM measures WHERE id IN (SELECT value FROM json_each(:ids)) UNION ALL "
            "SELECT id, text FROM documents WHERE id IN (SELECT value FROM json_each(:ids))", {"ids": wanted})
        return {r["id"]: r["text"] for r in rows}

    def suggestions(self, topic_key: str, index_key: str) -> tuple[Suggestion, ...] | None:
        """A measure's suggestions computed on this index state, or None when they were not (yet)."""
        row = self.conn.execute("SELECT items_json FROM suggestions WHERE topic_key = ? AND index_key = ?",
                                (topic_key, index_key)).fetchone()
        return None if row is None else tuple(Suggestion.from_stored(d) for d in json.loads(row[0]))

    def state_of_type(self, doc_type: DocType) -> str:
        """A token that changes whenever a document of this type is added, removed, changed or parsed anew: the
        ids, content hashes and parser versions of them all, hashed (no text read)."""
        h = hashlib.sha1()
        for r in self.conn.execute("SELECT id, sha256, parser_version FROM documents WHERE doc_type = ? ORDER BY id",
                                   (str(doc_type),)):
            h.update(f"{r[0]}:{r[1]}:{r[2]};".encode())
        return h.hexdigest()[:20]

    def suggestions_of(self, topic_keys: Iterable[str], index_key: str) -> dict[str, tuple[Suggestion, ...]]:
        """The suggestions kept for these measures' topics on this index state, in one query (a topic computed on
        no such state is absent)."""
        wanted = json.dumps(sorted(set(topic_keys)))
        rows = self.conn.execute("SELECT topic_key, items_json FROM suggestions WHERE index_key = :key AND topic_key "
                                 "IN (SELECT value FROM json_each(:keys))", {"key": index_key, "keys": wanted})
        return {r[0]: tuple(Suggestion.from_stored(d) for d in json.loads(r[1])) for r in rows}

    def documents_of_type(self, doc_type: DocType, limit: int | None = None) -> tuple[DocumentRecord, ...]:
        """The documents of one type, the most recently published first (at most `limit`), without reading
        every other document's text."""
        rows = self.conn.execute("SELECT * FROM documents WHERE doc_type = ? ORDER BY COALESCE(published, '') DESC, "
                                 "id LIMIT ?", (str(doc_type), -1 if limit is None else limit))
        return tuple(_document(r) for r in rows.fetchall())

    def stored_file(self, resolved_path: str) -> StoredFile | None:
        """The stored identity of a path, if it was ingested."""
        row = self.conn.execute("SELECT id, sha256, parser_version FROM documents WHERE resolved_path = ?",
                                (resolved_path,)).fetchone()
        return StoredFile(row["id"], row["sha256"], row["parser_version"]) if row else None

    def hashes(self) -> dict[str, str]:
        """Every document's id → content hash (what the index compares against)."""
        return {r["id"]: r["sha256"] for r in self.conn.execute("SELECT id, sha256 FROM documents")}

    def type_counts(self, ids: Iterable[str] | None = None) -> Counter[str]:
        """How many documents of each type (of the given ones, or of the whole archive)."""
        if ids is None:
            rows = self.conn.execute("SELECT doc_type, COUNT(*) AS n FROM documents GROUP BY doc_type")
        else:
            rows = self.conn.execute("SELECT doc_type, COUNT(*) AS n FROM documents WHERE id IN "
                                     "(SELECT value FROM json_each(?)) GROUP BY doc_type", (json.dumps(list(ids)),))
        return Counter({r["doc_type"]: r["n"] for r in rows})

    def warnings(self, doc_id: str) -> tuple[str, ...]:
        return tuple(r["message"] for r in self.conn.execute(
            "SELECT message FROM warnings WHERE doc_id = ? ORDER BY id", (doc_id,)))

    def detail(self, doc: DocumentRecord) -> DocumentDetail:
        """Everything `xuncha show --json` prints of a document."""
        cats = self.notice_tree(doc.id) if doc.doc_type == DocType.NOTICE else ()
        arts = self.articles(doc.id) if doc.doc_type == DocType.REGULATION else ()
        return DocumentDetail(doc, self.warnings(doc.id), cats, arts)

    # --- notices ---------------------------------------------------------------------------------

    def citations(self, doc_id: str) -> tuple[CitationRecord, ...]:
        """Every citation of a document, in the order it was stored."""
        return tuple(_citation(r) for r in self.conn.execute(
            "SELECT * FROM citations WHERE doc_id = ? ORDER BY id", (doc_id,)))

    def notice_tree(self, doc_id: str) -> tuple[CategoryRecord, ...]:
        """categories → problems → measures, with citations and figures at each level."""
        q = self.conn.execute
        cits = q("SELECT * FROM citations WHERE doc_id = ? ORDER BY id", (doc_id,)).fetchall()
        figs = q("SELECT * FROM figures WHERE doc_id = ? ORDER BY id", (doc_id,)).fetchall()
        cit_p, cit_m = _group(cits, "problem_id"), _group(cits, "measure_id")
        fig_p, fig_m = _group(figs, "problem_id"), _group(figs, "measure_id")
        measures = _group(q("SELECT * FROM measures WHERE doc_id = ? ORDER BY problem_id, number",
                            (doc_id,)).fetchall(), "problem_id")
        problems = _group(q("SELECT * FROM problems WHERE doc_id = ? ORDER BY ord", (doc_id,)).fetchall(),
                          "category_id")
        out = []
        for cat in q("SELECT * FROM categories WHERE doc_id = ? ORDER BY ord", (doc_id,)).fetchall():
            rows = problems.get(cat["id"], [])
            children = _group((p for p in rows if p["parent_id"]), "parent_id")

            def record(p: sqlite3.Row) -> ProblemRecord:
                mlist = tuple(MeasureRecord(m["id"], m["number"], m["text"],
                                            tuple(_citation(c) for c in cit_m.get(m["id"], [])),
                                            tuple(_figure(f) for f in fig_m.get(m["id"], [])))
                              for m in sorted(measures.get(p["id"], []), key=lambda m: m["number"]))
                return ProblemRecord(p["id"], p["number"], p["title"], p["text"],
                                     tuple(_citation(c) for c in cit_p.get(p["id"], [])),
                                     tuple(_figure(f) for f in fig_p.get(p["id"], [])), mlist,
                                     RectStatus(p["status"]) if p["status"] else None, p["deadline"],
                                     p["responsible"], p["parent_id"],
                                     tuple(record(c) for c in children.get(p["id"], [])))

            plist = [record(p) for p in rows if not p["parent_id"]]
            out.append(CategoryRecord(cat["id"], cat["number"], cat["title"], cat["section"], cat["section_title"],
                                      cat["text"], tuple(plist)))
        return tuple(out)

    def notice_citations(self) -> tuple[NoticeCitation, ...]:
        """Every citation in any notice with the problem and measure it sits in, newest notice first."""
        rows = self.conn.execute(
            """SELECT c.title, c.article, c.doc_id, c.problem_id, c.measure_id, d.title AS doc_title,
                      d.published, d.header_json, p.number AS problem_number, p.title AS problem_title,
                      m.number AS measure_number, m.text AS measure_text
               FROM citations c JOIN documents d ON d.id = c.doc_id
               LEFT JOIN problems p ON p.id = c.problem_id LEFT JOIN measures m ON m.id = c.measure_id
               WHERE d.doc_type = 'notice' ORDER BY d.published DESC, c.doc_id, c.id""").fetchall()
        return tuple(NoticeCitation(
            r["title"], r["article"], r["doc_id"], r["doc_title"],
            r["published"] or json.loads(r["header_json"] or "{}").get("feedback_date"), r["problem_id"],
            r["measure_id"], r["problem_number"], r["problem_title"], r["measure_number"], r["measure_text"])
            for r in rows)

    # --- regulations -----------------------------------------------------------------------------

    @cached_property
    def regulations(self) -> tuple[RegulationEntry, ...]:
        """Every regulation version's id, title and version (read once per Archive)."""
        out = []
        for r in self.conn.execute("SELECT id, title, version, category, publisher, extra_json FROM documents "
                                   "WHERE doc_type = 'regulation' ORDER BY id"):
            extra = json.loads(r["extra_json"] or "{}")
            out.append(RegulationEntry(r["id"], r["title"], r["version"], part_of(extra.get("preamble")),
                                       r["category"], extra.get("issuer") or r["publisher"], extra.get("effective")))
        return tuple(out)

    def version_groups(self) -> dict[str, list[RegulationEntry]]:
        """The regulations grouped into versions of one regulation (by version_key)."""
        groups: dict[str, list[RegulationEntry]] = {}
        for e in self.regulations:
            groups.setdefault(version_key(e.title, e.part), []).append(e)
        return groups

    def version_statuses(self) -> dict[str, VersionStatus]:
        """Each regulation version's status among its group (what the index's status facet holds)."""
        out: dict[str, VersionStatus] = {}
        for members in self.version_groups().values():
            out.update(version_status([(e.id, e.version) for e in members]))
        return out

    def versions_of(self, doc: DocumentRecord) -> list[tuple[RegulationEntry, VersionStatus]]:
        """Every version of a regulation (itself included), oldest first, with each one's status."""
        part = part_of(doc.preamble)
        members = self.version_groups().get(version_key(doc.title, part)) or [
            RegulationEntry(doc.id, doc.title, doc.version, part, doc.category, doc.issuer, doc.effective)]
        status = version_status([(e.id, e.version) for e in members])
        return [(e, status[e.id]) for e in sorted(members, key=lambda e: (e.version or "", e.id))]

    def related_ids(self, doc_ids: Iterable[str]) -> set[str]:
        """The given documents plus the other versions of the same regulations (whose status may change)."""
        ids = set(doc_ids)
        keys = {version_key(e.title, e.part) for e in self.regulations if e.id in ids}
        groups = self.version_groups()
        for key in keys:
            ids.update(e.id for e in groups.get(key, []))
        return ids

    def articles(self, doc_id: str) -> tuple[ArticleRecord, ...]:
        """A regulation version's articles in order."""
        return tuple(_article(r) for r in self.conn.execute(
            "SELECT * FROM articles WHERE doc_id = ? ORDER BY ord", (doc_id,)))

    def article(self, doc_id: str, number: int) -> ArticleRecord | None:
        """Article number N of a regulation version (the first, when a text numbers two alike)."""
        row = self.conn.execute("SELECT * FROM articles WHERE doc_id = ? AND number = ? ORDER BY ord LIMIT 1",
                                (doc_id, number)).fetchone()
        return _article(row) if row else None

    def chapters(self, doc_id: str) -> tuple[str, ...]:
        """A regulation's chapter headings in order."""
        return tuple(r["chapter"] for r in self.conn.execute(
            "SELECT chapter FROM articles WHERE doc_id = ? AND chapter IS NOT NULL GROUP BY chapter "
            "ORDER BY MIN(ord)", (doc_id,)))

    # --- verdicts (issue 33) ---------------------------------------------------------------------

    def verdicts(self, doc_id: str | None = None) -> tuple[VerdictRecord, ...]:
        """Inspectors' verdicts on one notice (or all), with each article's regulation title and label
        (empty when the article is no longer in the archive), in notice, measure, user, time order."""
        rows = self.conn.execute(
            """SELECT v.*, COALESCE(d.title, '') AS doc_title, COALESCE(a.label, '') AS label FROM verdicts v
               LEFT JOIN articles a ON a.id = v.article_id LEFT JOIN documents d ON d.id = a.doc_id
               WHERE :doc IS NULL OR v.doc_id = :doc ORDER BY v.doc_id, v.measure_id, v.user_name, v.at,
               v.article_id""", {"doc": doc_id})
        return tuple(VerdictRecord(r["user_name"], r["doc_id"], r["measure_id"], r["article_id"],
                                   Verdict(r["verdict"]), bool(r["added"]), r["at"], r["doc_title"], r["label"])
                     for r in rows)

    def article_by_id(self, article_id: str) -> tuple[ArticleRecord, str] | None:
        """An article by its id with its regulation's title, or None."""
        row = self.conn.execute("SELECT a.*, d.title AS doc_title FROM articles a JOIN documents d ON d.id = a.doc_id "
                                "WHERE a.id = ?", (article_id,)).fetchone()
        return (_article(row), row["doc_title"]) if row else None
