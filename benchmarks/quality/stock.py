"""The stock baseline: plain Whoosh + jieba's ChineseAnalyzer over exactly xuncha's grain records.

Same records (indexer.documents.grain_records over the same archive), same field names minus
xuncha's `bigram` and `context` fields, same kinds. Every TEXT field is analysed by
`jieba.analyse.ChineseAnalyzer()`; the other fields keep their types. Queries go through the
default `whoosh.qparser.QueryParser("body", schema)`, once with its default AND grouping and once
with `group=OrGroup`. So the only differences from xuncha are analysis and query handling.
"""

from __future__ import annotations

import sqlite3
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as windex
from whoosh import query as Q
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.qparser import OrGroup, QueryParser
from whoosh.searching import Searcher

from archive.database import Archive
from indexer.documents import grain_records
from indexer.backends.whoosh.schema import build_schema

DROPPED_FIELDS = ("bigram", "context")
SYSTEMS = {"stock-AND": None, "stock-OR": OrGroup}


def chinese_analyzer():  # type: ignore[no-untyped-def]
    """jieba's stock Whoosh analyzer. Importing jieba.analyse leaves its IDF file open (a
    ResourceWarning, an error under -W error); that one warning is silenced here and only here."""
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import jieba
        from jieba.analyse import ChineseAnalyzer

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        return ChineseAnalyzer()


def stock_schema() -> Schema:
    """xuncha's schema without bigram/context, every TEXT field re-analysed by ChineseAnalyzer and stored
    (stock Whoosh highlights from stored text), numbers with Whoosh's default tiers: stock as a user of
    Whoosh would set it up, whatever xuncha's own schema leaves out."""
    analyzer = chinese_analyzer()
    fields = {}
    for name, ftype in build_schema().items():
        if name in DROPPED_FIELDS:
            continue
        if isinstance(ftype, TEXT):
            fields[name] = TEXT(analyzer=analyzer, stored=True)
        elif isinstance(ftype, NUMERIC):
            fields[name] = NUMERIC(stored=ftype.stored, sortable=ftype.column_type is not None)
        else:
            fields[name] = ftype
    return Schema(**fields)


@dataclass(frozen=True, slots=True)
class StockHit:
    """The stored fields the runner needs to map a hit to judged units."""

    id: str
    kind: str
    doc_id: str
    title: str
    article: str | None
    problem: int | None
    measure: int | None


class StockIndex:
    """A stock Whoosh index built from the archive into `directory` (single process)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self.seconds = 0.0
        self.grains = 0

    def build(self, conn: sqlite3.Connection) -> StockIndex:
        start = time.monotonic()
        self.directory.mkdir(parents=True, exist_ok=True)
        schema = stock_schema()
        names = set(schema.names())
        ix = windex.create_in(str(self.directory), schema)
        writer = ix.writer(limitmb=256)
        try:
            for rec in grain_records(Archive(conn)):
                writer.add_document(**{k: v for k, v in rec.items()
                                       if k in names and v is not None and v != ""})
                self.grains += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self.ix, self.seconds = ix, time.monotonic() - start
        return self

    def open(self) -> StockIndex:
        """Open an index an earlier build() left in `directory`."""
        self.ix = windex.open_dir(str(self.directory))
        self.grains = self.ix.doc_count_all()
        return self

    def search(self, text: str, system: str, limit: int = 10) -> tuple[list[StockHit], int]:
        """Top `limit` unit-grain hits (document-grain hits masked out) for one stock system, and the total."""
        assert self.ix is not None, "build() first"
        group = SYSTEMS[system]
        parser = QueryParser("body", self.ix.schema) if group is None else \
            QueryParser("body", self.ix.schema, group=group)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            query = parser.parse(text)
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        results = self._searcher.search(query, limit=limit, mask=Q.Term("kind", "document"))
        hits = [StockHit(id=f["id"], kind=f["kind"], doc_id=f["doc_id"], title=f.get("title", ""),
                         article=f.get("article"), problem=f.get("problem"), measure=f.get("measure"))
                for f in (r.fields() for r in results)]
        return hits, len(results)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self.ix is not None:
            self.ix.close()
            self.ix = None
