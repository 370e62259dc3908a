"""Writes through the seam (indexer.backend.Batch): documents put or deleted on the live generation, or a new
generation written and switched in atomically. `xuncha reindex` takes build.py's parallel path instead (every
core, the token store); a Batch writes serially, one document's units together."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from whoosh import index as windex

from ...analysis import dictionary_version, load_segmenter
from ...backend import DocumentUnits, NoIndex
from ...options import IndexOptions
from ...vocabulary import vocabulary_version
from .build import META, collect_garbage, current_dir, swap_in, write_lock
from .parallel import FastSegmentWriter, add_records
from .schema import SCHEMA_VERSION, build_schema


class WhooshBatch:
    """One writer on the index under `root`: the live generation (rebuild=False) or a new one (rebuild=True)."""

    def __init__(self, root: Path, rebuild: bool) -> None:
        load_segmenter()
        self.options = IndexOptions(root, workers=1, keep_tokens=False)
        self.rebuild = rebuild
        self._stack = ExitStack()
        self._stack.enter_context(write_lock(self.options))
        self._pending: dict[str, DocumentUnits] = {}
        self._written: set[str] = set()
        try:
            if rebuild:
                self.dir = root / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
                self.dir.mkdir(parents=True)
                ix = windex.create_in(str(self.dir), build_schema())
            else:
                cur = current_dir(root)
                if cur is None:
                    raise NoIndex("no search index yet: rebuild first (`xuncha reindex --full`)")
                self.dir, ix = cur, windex.open_dir(str(cur))
            self.writer = FastSegmentWriter(ix, limitmb=128)
        except BaseException:
            self._stack.close()
            raise

    def put(self, document: DocumentUnits) -> None:
        """Whoosh deletes only committed documents, so an update's documents wait for the commit (the last put of a
        document wins); a rebuild's are written at once, each document once."""
        if self.rebuild:
            if document.doc_id in self._written:
                raise ValueError(f"document {document.doc_id} put twice in one rebuild")
            self._written.add(document.doc_id)
            add_records(self.writer, [dict(u) for u in document.units], lambda: None)
        else:
            self._pending[document.doc_id] = document

    def delete(self, doc_id: str) -> None:
        self._pending.pop(doc_id, None)
        self.writer.delete_by_term("doc_id", doc_id)

    def commit(self) -> str:
        try:
            for document in self._pending.values():
                self.writer.delete_by_term("doc_id", document.doc_id)
                add_records(self.writer, [dict(u) for u in document.units], lambda: None)
            self.writer.commit()
            meta_path = self.dir / META
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
            meta.update(schema_version=SCHEMA_VERSION, dictionary_version=dictionary_version(),
                        vocabulary_version=vocabulary_version(), updated_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
            meta_path.write_text(json.dumps(meta), encoding="utf-8")
            if self.rebuild:
                swap_in(self.options, self.dir)
                collect_garbage(self.options, self.dir)
            return f"{self.dir.name}:{windex.open_dir(str(self.dir)).latest_generation()}"
        finally:
            self._stack.close()

    def abort(self) -> None:
        try:
            self.writer.cancel()
            if self.rebuild:
                shutil.rmtree(self.dir, ignore_errors=True)
        finally:
            self._stack.close()

    def __enter__(self) -> WhooshBatch:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()
