"""How a search executes within bounds: a deadline on Whoosh's collection (the fallback when the
evaluation of docsets.py runs out of time), the top hits of a scored set, facet counts from
per-generation column tables, and a bounded result cache keyed by the index generation.

Measured (pyinstrument/py-spy on the quick archive): Whoosh's FacetCollector looks up eight columns
for every match of an OR fallback while scoring it; counting facets over the matched document
numbers from arrays read once per index generation costs a few milliseconds instead, and lets the
top-k collection skip blocks.
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.collectors import Collector, WrappingCollector
from whoosh.searching import TimeLimit

FACET_VALUES = 30  # values shown per facet


class Deadline(WrappingCollector):
    """One pass over the matches: every matching document number (for the total and the facets)
    and the child's top hits, restricted to `allow`, stopped at a deadline in thread CPU time (time.thread_time).

    No timer thread and no signal (Whoosh's TimeLimitCollector sets SIGALRM, which only the main
    thread may); the hits collected before the deadline stay available through results()."""

    def __init__(self, child: Collector, deadline: float, allow: frozenset[int] | set[int] | None = None) -> None:
        self.child = child
        self.deadline = deadline
        self.allow = allow
        self.docs: set[int] = set()
        self.timedout = False

    def collect_matches(self) -> None:
        child, allow, docs = self.child, self.allow, self.docs
        offset = child.offset
        for i, sub_docnum in enumerate(child.matches()):
            if not i & 255 and time.thread_time() > self.deadline:
                self.timedout = True
                raise TimeLimit
            if allow is not None and offset + sub_docnum not in allow:
                continue
            docs.add(offset + sub_docnum)
            child.collect(sub_docnum)


TABLES_PREFIX = "facets-g"  # facets-g<generation>.bin in the index generation's folder
TABLES_MAGIC = b"XFT1"
_ITEMSIZE = array("I").itemsize


def _generation_of(path: Path) -> int | None:
    digits = path.stem.removeprefix(TABLES_PREFIX)
    return int(digits) if digits.isdigit() else None


class FacetTables:
    """Per index generation and facet: each document's value code, read once from the column."""

    def __init__(self, facets: Sequence[str]) -> None:
        self.facets = tuple(facets)
        self._lock = threading.Lock()
        self._key: Any = None
        self._tables: dict[str, tuple[array, list[str]]] = {}
        # the tables last counted over, as NumPy views of their codes with the codes of empty values
        self._arrays: tuple[Any, dict[str, tuple[Any, Any]]] | None = None

    def _load(self, reader: Any) -> dict[str, tuple[array, list[str]]]:
        tables = {}
        for name in self.facets:
            if not reader.has_column(name):
                continue
            codes: dict[str, int] = {"": 0}
            col = array("I")
            # segment by segment: a segment written without a value for the field has no column file,
            # and Whoosh's multi-segment column reader then skips it (its positions would shift)
            for leaf, offset in reader.leaf_readers():
                n = leaf.doc_count_all()
                assert len(col) == offset
                if not leaf.has_column(name):
                    col.extend([0] * n)
                    continue
                cr = leaf.column_reader(name)
                for i in range(n):
                    value = cr[i]
                    text = "" if value in (None, b"") else str(value)
                    col.append(codes.setdefault(text, len(codes)))
            values = [""] * len(codes)
            for text, code in codes.items():
                values[code] = text
            tables[name] = (col, values)
        return tables

    def tables(self, searcher: Any, generation: Any, directory: Path | None = None) -> dict[str, tuple[array, list[str]]]:
        """The tables of an index generation (shared by every thread's searcher of it: document
        numbers and values are the same in each), kept in `directory` (the index generation's folder)
        so that a new process reads them instead of every column (measured: 2.4 s on the whole corpus on
        a slow machine, most of the first page's time; reading the file takes milliseconds)."""
        with self._lock:
            if generation != self._key:
                reader = searcher.reader()
                path = directory / f"{TABLES_PREFIX}{reader.generation()}.bin" if directory is not None else None
                tables = self._read(path, reader.doc_count_all()) if path is not None else None
                if tables is None:
                    tables = self._load(reader)
                    if path is not None:
                        self._write(path, tables, reader.generation())
                self._tables, self._key = tables, generation
            return self._tables

    def _read(self, path: Path, docs: int) -> dict[str, tuple[array, list[str]]] | None:
        """Tables kept by an earlier process, or None when there are none for these facets and documents."""
        try:
            raw = path.read_bytes()
        except OSError:  # none kept, or unreadable: computed again
            return None
        if not raw.startswith(TABLES_MAGIC):
            return None
        size = int.from_bytes(raw[4:8], "little")
        try:
            head = json.loads(raw[8:8 + size])
        except ValueError:  # damaged: computed again and written over (a search never fails on a cache)
            return None
        if (not isinstance(head, dict) or head.get("facets") != list(self.facets) or head.get("docs") != docs
                or head.get("itemsize") != _ITEMSIZE
                or len(raw) != 8 + size + len(head.get("tables", ())) * docs * _ITEMSIZE):
            return None
        out, at = {}, 8 + size
        for name, values in head["tables"]:
            col = array("I")
            col.frombytes(raw[at:at + docs * _ITEMSIZE])
            at += docs * _ITEMSIZE
            out[name] = (col, values)
        return out

    def _write(self, path: Path, tables: dict[str, tuple[array, list[str]]], generation: int) -> None:
        """Keep the tables beside the index, atomically; older generations' files are removed."""
        docs = len(next(iter(tables.values()))[0]) if tables else 0
        head = json.dumps({"facets": list(self.facets), "docs": docs, "itemsize": _ITEMSIZE,
                           "tables": [[name, values] for name, (_, values) in tables.items()]},
                          ensure_ascii=False).encode("utf-8")
        tmp: str | None = None
        try:
            with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".facets-", delete=False) as f:
                tmp = f.name
                f.write(TABLES_MAGIC + len(head).to_bytes(4, "little") + head)
                for col, _ in tables.values():
                    f.write(col.tobytes())
            os.chmod(tmp, 0o644)  # as readable as the index's own files
            os.replace(tmp, path)
            tmp = None
            for old in path.parent.glob(f"{TABLES_PREFIX}*.bin"):
                if (g := _generation_of(old)) is not None and g < generation:
                    old.unlink(missing_ok=True)  # an older generation's (a process still on it recomputes)
        except OSError:
            # a read-only index folder: the tables stay in this process only (the next one computes them again)
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def counts(self, tables: dict[str, tuple[array, list[str]]], docs: Collection[int]) -> dict[str, list[tuple[str, int]]]:
        """Facet → the most frequent (value, count) among `docs` (of `tables`), empty values left out, ties
        by value.

        Counted with NumPy (the codes of the documents gathered, then np.bincount): measured on the whole
        corpus over the 238 benchmark queries' matches, 5.8 ms a search with itemgetter, bytes.count and
        Counter, 0.9 ms so; only the most frequent values are turned into Python objects and sorted."""
        out: dict[str, list[tuple[str, int]]] = {}
        if not docs:
            return {name: [] for name in self.facets}
        picked = np.fromiter(docs, dtype=np.intp, count=len(docs))
        for name, (codes, empty) in self._as_arrays(tables).items():
            values = tables[name][1]
            counted = np.bincount(codes[picked], minlength=len(values))
            counted[empty] = 0
            found = np.flatnonzero(counted)
            if len(found) > FACET_VALUES:  # those at least as frequent as the FACET_VALUES-th (ties kept)
                least = np.partition(counted[found], len(found) - FACET_VALUES)[len(found) - FACET_VALUES]
                found = found[counted[found] >= least]
            ranked = sorted(zip((-counted[found]).tolist(), [values[c] for c in found.tolist()]))[:FACET_VALUES]
            out[name] = [(value, -n) for n, value in ranked]
        for name in self.facets:
            out.setdefault(name, [])
        return out

    def _as_arrays(self, tables: dict[str, tuple[array, list[str]]]) -> dict[str, tuple[Any, Any]]:
        kept = self._arrays
        if kept is None or kept[0] is not tables:
            dtype = np.dtype(f"u{_ITEMSIZE}")
            kept = self._arrays = (tables, {
                name: (np.frombuffer(col, dtype=dtype),
                       np.array([c for c, v in enumerate(values) if not v], dtype=np.intp))
                for name, (col, values) in tables.items()})
        return kept[1]


class TermCache:
    """The scores of common terms' postings, kept across searches: reading a common word's postings is
    mostly unpickling its blocks (positions included), 35 ms for 40,000 postings on the whole corpus;
    rebuilding its scores from two arrays takes 3 ms.

    Keyed by index generation (idf, lengths and deletions belong to it), segment, field and term; bounded
    by the number of postings kept (12 bytes each), least recently used first out. Thread-safe."""

    def __init__(self, postings: int) -> None:
        self.postings = postings
        self._lock = threading.Lock()
        self._items: OrderedDict[Any, tuple[array, array]] = OrderedDict()
        self._size = 0

    def get(self, key: Any) -> tuple[array, array] | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, scores: dict[int, float]) -> None:
        """Keep a term's scores (document numbers ascending), unless they alone would take a quarter of the bound."""
        n = len(scores)
        if not n or 4 * n > self.postings:
            return
        self._keep(key, (array("i", scores.keys()), array("d", scores.values())))

    def put_arrays(self, key: Any, ids: Any, scores: Any) -> None:
        """Keep a term's scores given as NumPy arrays (int32 document numbers ascending, float64 scores), unless
        they alone would take a quarter of the bound."""
        n = len(ids)
        if not n or 4 * n > self.postings:
            return
        value = (array("i"), array("d"))
        value[0].frombytes(ids.astype(np.intc, copy=False).tobytes())
        value[1].frombytes(scores.tobytes())
        self._keep(key, value)

    def _keep(self, key: Any, value: tuple[array, array]) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old[0])
            self._items[key] = value
            self._size += len(value[0])
            while self._size > self.postings:
                _, (ids, _) = self._items.popitem(last=False)
                self._size -= len(ids)

    @property
    def size(self) -> int:
        """Postings kept."""
        return self._size


class Found:
    """A scored document, read as Whoosh's Hit is (`found["id"]`, `found.fields()`, `found.score`)."""

    __slots__ = ("searcher", "docnum", "score", "_fields")

    def __init__(self, searcher: Any, docnum: int, score: float) -> None:
        self.searcher, self.docnum, self.score = searcher, docnum, score
        self._fields: dict[str, Any] | None = None

    def fields(self) -> dict[str, Any]:
        if self._fields is None:
            self._fields = self.searcher.stored_fields(self.docnum)
        return self._fields

    def __getitem__(self, name: str) -> Any:
        return self.fields()[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields().get(name, default)


def top(searcher: Any, scores: dict[int, float], limit: int, by_date: bool = False) -> list[Found]:
    """The `limit` best documents: by score (ties by document number, as Whoosh's TopCollector orders
    them), or newest first (the `published` column, then score) for a date sort."""
    if by_date:
        reader = searcher.reader()
        published = reader.column_reader("published") if reader.has_column("published") else None

        def newest(item: tuple[int, float]) -> tuple[Any, float, int]:
            value = published[item[0]] if published is not None else ""
            return (value or "", item[1], -item[0])

        best = heapq.nlargest(limit, scores.items(), key=newest)
    elif len(scores) <= limit:
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    elif limit <= 0:
        best = []
    else:
        # the limit-th best score, then everything at least that good ordered with ties by document number
        # (selected in NumPy; the tie-break key is built for the few kept)
        n = len(scores)
        values = np.fromiter(scores.values(), dtype=np.float64, count=n)
        floor = np.partition(values, n - limit)[n - limit]
        kept = np.flatnonzero(values >= floor)
        docs = np.fromiter(scores.keys(), dtype=np.int64, count=n)[kept]
        best = sorted(zip(docs.tolist(), values[kept].tolist()), key=lambda item: (-item[1], item[0]))[:limit]
    return [Found(searcher, d, v) for d, v in best]
