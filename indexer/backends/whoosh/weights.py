"""A segment's postings as flat arrays: each term's document numbers, weights and positions, read in place.

A term's score needs only (document, weight) and the document's length byte, but Whoosh's posting blocks
carry every posting's positions too: on the whole corpus, unpickling and inflating those blocks was most
of a median search's time, and decoding them again for phrases a fifth of the rest. So every segment
xuncha writes gets a side file, `<segment id>.weights`: the number of postings of every term of the scored
fields (so that a term lookup is a dictionary lookup, and a term not listed is not in the segment), and for
terms in MIN_POSTINGS or more units fixed-width arrays: int32 document numbers, uint16 weights (float64 when a
weight is not a small whole number) and, in fields of Whoosh's Positions format, every posting's positions
(uint16 or uint32; a posting has as many as its weight). They are read with `np.frombuffer` from a map of the
file and scored as whoosh.scoring.bm25 scores them, operation by operation in float64: the same bits.

Written while the segment's postings stream to Whoosh's field writer (`Tee`), so building it reads nothing
twice; named after the segment, so Whoosh's own clean-up deletes it with the segment (index.clean_files).
A segment without one (written by another writer, or by another version of this format) is read from its
blocks, as before: docsets.py asks `open_weights(reader)` and falls back when it answers None. Deleted
documents stay in the arrays, as in the blocks; readers leave them out.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import threading
import weakref
from collections.abc import Iterable, Iterator
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.util.numeric import byte_to_length

EXT = ".weights"
MAGIC = b"XSW3"  # the format's version is its last byte: a file of another version is not read (the blocks are)
# terms with fewer postings are left to the blocks: one block, read as fast as the arrays' fixed costs
MIN_POSTINGS = 16
_WHOLE, _FLOAT = 0, 1  # how a term's weights are stored: uint16, float64
_NONE, _SHORT, _LONG = 0, 1, 2  # how its positions are: not stored (the blocks have them), uint16, uint32
_INT_SIZE = 4  # the count before a Positions value's pickle (whoosh.formats)
# a posting from Whoosh's pool: (field, term, document, weight, value)
_FIELD_TERM, _DOC, _WEIGHT, _VALUE = itemgetter(0, 1), itemgetter(2), itemgetter(3), itemgetter(4)
_ALIGN = 8
_UNFINISHED = ".tmp"  # a file being written (its name starts with a dot: Whoosh's clean-up passes it by)
LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)  # by length byte
# a term's entry: its number of postings, or (offset, postings, weight code, positions' offset, their code) for
# one whose arrays the file holds
Entry = int | tuple[int, int, int, int, int]


def _pad(n: int) -> bytes:
    return bytes(-n % _ALIGN)


class Tee:
    """Passes a segment's sorted postings through while writing the weights of its scored fields' terms.

    Postings arrive as Whoosh's pool yields them: (field, term, document, weight, value), sorted by
    field, term and document. One term's postings are held at a time; the file is written to a
    temporary name beside the segment and renamed by `finish` (after Whoosh assembles the compound
    segment, which would otherwise take the file in)."""

    def __init__(self, folder: Path, segment_id: str, fields: Iterable[str], positional: Iterable[str] = ()) -> None:
        self.fields = frozenset(fields)
        self.positional = frozenset(positional) & self.fields  # fields in Whoosh's Positions format
        self.path = folder / f"{segment_id}{EXT}"
        self.tmp = folder / f".{segment_id}{EXT}{_UNFINISHED}"
        self._f = open(self.tmp, "wb")
        self._f.write(MAGIC + _pad(len(MAGIC)))
        self._at = _ALIGN
        # every term of the scored fields, so that a term not here is not in the segment
        self.terms: dict[str, dict[bytes, Entry]] = {field: {} for field in self.fields}

    def postings(self, items: Iterable[tuple]) -> Iterator[tuple]:
        # grouped and picked apart in C (groupby, itemgetter): a Python loop over every posting took 0.6 µs
        # each, seconds a segment
        fields = self.fields
        for key, group in groupby(items, key=_FIELD_TERM):
            if key[0] not in fields:
                yield from group
                continue
            rows = list(group)
            yield from rows
            values = list(map(_VALUE, rows)) if key[0] in self.positional else []
            self._term(key, list(map(_DOC, rows)), list(map(_WEIGHT, rows)), values)

    def _term(self, key: tuple[str, bytes], docs: list[int], weights: list[float], values: list[bytes]) -> None:
        if len(docs) < MIN_POSTINGS:
            self.terms[key[0]][key[1]] = len(docs)
            return
        ids = np.array(docs, dtype=np.int32)
        ws = np.array(weights, dtype=np.float64)
        whole = ws.astype(np.uint16)
        code = _WHOLE if np.array_equal(whole, ws) else _FLOAT
        data = ids.tobytes()
        data += _pad(len(data)) + (whole if code == _WHOLE else ws).tobytes()
        data += _pad(len(data))
        at, pos_at, pos_code = self._at, 0, _NONE
        found = _positions(values) if values else None
        if found is not None and code == _WHOLE and np.array_equal(found[0], whole):  # a weight per position
            flat = found[1]
            pos_code = _SHORT if not len(flat) or flat.max() <= 0xFFFF else _LONG
            pos_at = at + len(data)
            data += flat.astype(np.uint16 if pos_code == _SHORT else np.uint32).tobytes()
            data += _pad(len(data))
        self.terms[key[0]][key[1]] = (at, len(docs), code, pos_at, pos_code)
        self._f.write(data)
        self._at += len(data)

    def finish(self) -> None:
        """Write the table of terms and put the file in place."""
        header = pickle.dumps(self.terms, pickle.HIGHEST_PROTOCOL)
        self._f.write(header + struct.pack("<Q", self._at))
        self._f.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self._f.close()
        self.tmp.unlink(missing_ok=True)


def _positions(values: list[bytes]) -> tuple[Any, Any] | None:
    """Each posting's number of positions and all the positions, in order, from Whoosh's Positions values
    (a 4-byte count, then a pickle of the deltas): unpickled as one list of lists, one C call for the term
    (Whoosh's decode_positions is a call per posting); None for values in another encoding."""
    head = _INT_SIZE + 2
    if values[0][_INT_SIZE:head] != b"\x80\x02" or values[0][-1:] != b".":  # (Positions.encode writes every one so)
        return None
    lists = pickle.loads(b"\x80\x02](" + b"".join([v[head:-1] for v in values]) + b"e.")
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    deltas = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    if not len(deltas) or deltas.min() < 0:
        return None
    # a posting's positions are the running sum of its own deltas: the term's running sum less its start
    run = np.cumsum(deltas)
    ends = np.cumsum(counts)
    before = np.where(ends > counts, run[np.maximum(ends - counts - 1, 0)], 0)
    return counts, run - np.repeat(before, counts)


def remove_unfinished(folder: Path) -> None:
    """Delete files a killed writer left half written (call under the index's write lock)."""
    for left in folder.glob(f".*{EXT}{_UNFINISHED}"):
        left.unlink()


def _weights_at(at: int, n: int) -> int:
    """Where the weights of a term whose n document numbers start at `at` start (as Tee._term lays them out)."""
    return at + 4 * n + (-4 * n % _ALIGN)


class OtherVersion(ValueError):
    """A weights file of another format version."""


class Weights:
    """One segment's weights file, mapped."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if self._map[:len(MAGIC) - 1] != MAGIC[:-1] or len(self._map) < _ALIGN + 8:
            raise ValueError(f"{path}: not a weights file")
        if self._map[:len(MAGIC)] != MAGIC:
            raise OtherVersion(f"{path}: a weights file of another version")
        (at,) = struct.unpack("<Q", self._map[-8:])
        self.terms: dict[str, dict[bytes, Entry]] = pickle.loads(self._map[at:-8])

    def doc_frequency(self, field: str, text: bytes) -> int | None:
        """The term's number of postings in the segment (0: not there); None for a field the file does not cover."""
        terms = self.terms.get(field)
        if terms is None:
            return None
        entry = terms.get(text, 0)
        return entry if type(entry) is int else entry[1]  # type: ignore[index]

    def get(self, field: str, text: bytes) -> tuple[Any, Any] | None:
        """The term's document numbers (int32, ascending) and weights (float64), deleted documents included;
        None when the file does not hold the term's arrays."""
        entry = self.terms.get(field, {}).get(text)
        if entry is None or type(entry) is int:
            return None
        at, n, code, _, _ = entry  # type: ignore[misc]
        ids = np.frombuffer(self._map, dtype=np.int32, count=n, offset=at)
        ws = np.frombuffer(self._map, dtype=np.uint16 if code == _WHOLE else np.float64, count=n, offset=_weights_at(at, n))
        return ids, ws.astype(np.float64)

    def positions(self, field: str, text: bytes) -> tuple[Any, Any, Any] | None:
        """The term's document numbers, each one's number of positions and all the positions in order (a
        document's ascending); None when the file does not hold them."""
        entry = self.terms.get(field, {}).get(text)
        if entry is None or type(entry) is int or not entry[4]:  # type: ignore[index]
            return None
        at, n, _, pos_at, pos_code = entry  # type: ignore[misc]
        ids = np.frombuffer(self._map, dtype=np.int32, count=n, offset=at)
        # positions are stored only for whole weights, one per position: the weights are the counts
        counts = np.frombuffer(self._map, dtype=np.uint16, count=n, offset=_weights_at(at, n))
        total = int(counts.sum())
        flat = np.frombuffer(self._map, dtype=np.uint16 if pos_code == _SHORT else np.uint32, count=total, offset=pos_at)
        return ids, counts, flat


# the open files, shared by every reader of their segment (each thread has its own searcher, and so its own
# readers: a table of terms each was 15 MB a thread); a file goes when the last reader holding it does
_OPEN: weakref.WeakValueDictionary[Path, Weights] = weakref.WeakValueDictionary()
_OPENING = threading.Lock()


def open_weights(reader: Any) -> Weights | None:
    """The weights file of a segment reader's segment (opened once, shared by its readers); None when it has none."""
    kept = getattr(reader, "_xuncha_weights", False)
    if kept is not False:
        return kept
    found = None
    storage, segment = getattr(reader, "_storage", None), getattr(reader, "_segment", None)
    folder = getattr(getattr(storage, "b", storage), "folder", None)
    if folder is not None and segment is not None:
        path = Path(folder).resolve() / f"{segment.segment_id()}{EXT}"
        with _OPENING:
            found = _OPEN.get(path)
            if found is None and path.is_file():
                try:
                    found = _OPEN[path] = Weights(path)
                except OtherVersion:  # written by another version of xuncha: its blocks are read instead
                    found = None
    reader._xuncha_weights = found
    return found


def doc_frequency(searcher: Any, field: str, text: str) -> int:
    """Whoosh's doc_frequency of a term over a searcher's segments, read from their weights files where they
    cover the field (a dictionary lookup, where Whoosh's hash table reads its file in a dozen calls)."""
    if field not in searcher.schema:
        return searcher.doc_frequency(field, text)  # whatever Whoosh answers
    key = searcher.schema[field].to_bytes(text)
    total = 0
    for sub, _ in searcher.leaf_searchers():
        reader = sub.reader()
        store = open_weights(reader)
        found = store.doc_frequency(field, key) if store is not None else None
        total += found if found is not None else reader.doc_frequency(field, key)
    return total


def bm25_arrays(idf: float, tf: Any, lengths: Any, avgfl: float, B: float, K1: float) -> Any:
    """whoosh.scoring.bm25 over arrays: the same operations in the same order, so each score has the same bits.
    `lengths`: the documents' length bytes."""
    fl = LENGTHS[lengths]
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
