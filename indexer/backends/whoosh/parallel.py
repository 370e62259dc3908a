"""A full build on every core: each worker process reads its own share of the archive and writes one segment.

Whoosh's MpWriter had the parent read every record and pickle it to the workers through job files;
here each worker (forked) opens the archive and the token store itself, pre-segments its records
(indexer/tokens.py) and indexes a contiguous share of the documents, balanced by text length, so that
the segments, taken in order, number the units as one process would. The parent only waits, reports
progress and writes the table of contents naming the workers' segments (Whoosh's own commit, given
them as the merge result). Uses SegmentWriter's segment-finishing methods, as MpWriter does
(whoosh-reloaded 2.7.5 is pinned).
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import queue
import resource
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.formats import Positions
from whoosh.index import Index
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from archive.database import Archive
from archive.tokens import open_store

from ...analysis import analysis_version, load_segmenter
from ...backend import BuildFailed
from ...documents import grain_records
from ...tokens import Presegmenter
from .weights import Tee

Progress = Callable[[int], None]
POLL_S = 0.5
# a worker that reports nothing (no document done, no result) for this long is taken for hung, and the build fails
# naming it instead of waiting for ever: a process forked while another thread of the parent (a web server's
# request threads beside the job worker) held a lock, SQLite's among them, can block in it at its first use
STALL_S = 120.0


def peak_mb() -> float:
    """This process's peak resident size (MB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass(frozen=True, slots=True)
class ShareDone:
    """What one worker did with its share (sent to the parent through a queue)."""

    worker: int
    segment: Any  # Whoosh's segment object, None for a share without documents or on error
    documents: int = 0
    grains: int = 0
    used: tuple[bytes, ...] = ()  # the token store keys its units' texts have
    reused: int = 0
    segmented: int = 0
    peak_mb: float = 0.0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Built:
    """What a parallel build did."""

    documents: int
    grains: int
    used: tuple[bytes, ...]
    reused: int
    segmented: int
    peak_mb: float  # the parent's peak resident size plus each worker's (shared pages counted in each)


class _Lengths:
    """A segment's field lengths, read once per field instead of once per posting.

    Whoosh's commit asks the per-document reader for the length of every posting's document
    (base.FieldWriter.add_postings): a column read, and a stat() for fields without lengths, per
    posting. Measured on 5% of the corpus: commit 8.3 → 6.8 s, same postings."""

    def __init__(self, pdr: W3PerDocReader) -> None:
        self._pdr, self._n, self._cols = pdr, pdr.doc_count_all(), {}  # type: dict[str, Sequence[int]]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        col = self._cols.get(fieldname)
        if col is None:
            col = self._cols[fieldname] = self._column(fieldname, default)
        return col[docnum]

    def _column(self, fieldname: str, default: int) -> Sequence[int]:
        reader = self._pdr._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if reader is None:  # a field without lengths: one answer for every document
            return _Same(default)
        col = [byte_to_length(b) if b else default for b in reader.load()]
        return col + [default] * (self._n - len(col))


class _Same:
    """A column with one value."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __getitem__(self, _docnum: int) -> int:
        return self.value

    def __len__(self) -> int:
        return 0


class _ChunkedPool(PostingPool):
    """Whoosh's posting pool, its sorted runs written and read as pickled lists of CHUNK postings.

    Whoosh pickles each posting on its own when a run spills to disk and unpickles each when it
    merges the runs: on a quarter of the corpus (two runs), 3 M pickle.dump and pickle.load calls,
    20% of the segment's time. Same postings, same order, same spill points (Whoosh's size estimate)."""

    CHUNK = 10_000  # postings per pickle: the merge holds one chunk per run

    def add(self, item: tuple) -> None:
        self.fieldnames.add(item[0])
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def _write_run(self, f: Any, items: Iterable[tuple]) -> None:
        it = iter(items)
        while chunk := list(islice(it, self.CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[tuple]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class FastSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with field lengths read once per field at commit (_Lengths), runs
    spilled in chunks (_ChunkedPool), and the segment's weights file written as its postings are (weights.Tee)."""

    def __init__(self, ix: Index, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _ChunkedPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self._weights: Tee | None = None

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        folder = getattr(self.storage, "folder", None)
        if folder is not None:  # a segment on disk gets its weights file (indexer/backends/whoosh/weights.py)
            self._weights = Tee(Path(folder), self.newsegment.segment_id(),
                                [name for name, field in self.schema.items() if field.scorable],
                                [name for name, field in self.schema.items() if type(field.format) is Positions])
            postings = self._weights.postings(postings)
        self.fieldwriter.add_postings(self.schema, _Lengths(pdr) if pdr else None, postings)
        self.fieldwriter.close()
        if pdr:
            pdr.close()

    def _finalize_segment(self) -> Any:
        try:
            segment = super()._finalize_segment()
        except BaseException:
            if self._weights is not None:
                self._weights.discard()
            raise
        if self._weights is not None:
            self._weights.finish()  # after the compound file is assembled: it would take the file in
        return segment


def shares(sizes: Sequence[tuple[str, int]], n: int) -> list[list[str]]:
    """Documents (id, text length), in order, cut into at most n contiguous runs of about equal length."""
    total = sum(max(1, s) for _, s in sizes)
    out: list[list[str]] = [[]]
    done = 0
    for doc_id, size in sizes:
        # a document goes to the next share when most of it lies past this share's end
        if done + max(1, size) / 2 >= total * len(out) / n and len(out) < n and out[-1]:
            out.append([])
        out[-1].append(doc_id)
        done += max(1, size)
    return out


def add_records(writer: SegmentWriter, records: Iterable[dict[str, Any]], done: Callable[[], None]) -> tuple[int, int]:
    """Add grain records to a writer; `done()` after each document. (documents, grains)"""
    docs = grains = 0
    for rec in records:
        writer.add_document(**{k: v for k, v in rec.items() if v is not None and v != ""})
        grains += 1
        if rec["kind"] == "document":
            docs += 1
            done()
    return docs, grains


def _work(n: int, ix: Index, db_path: Path, store_path: Path | None, ids: list[str], limitmb: int,
          counter: Any, results: mp.Queue) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler unwinds the parent's build, not ours
    try:
        load_segmenter()
        writer = FastSegmentWriter(ix, _lk=False, limitmb=limitmb)

        def done() -> None:
            counter.value += 1

        with Archive.open(db_path) as archive, open_store(store_path, analysis_version()) as store:
            pre = Presegmenter(store)
            docs, grains = add_records(writer, pre.records(grain_records(archive, ids)), done)
        if writer._added:
            segment = writer._finalize_segment()
        else:  # a share without units: no segment
            segment = None
            writer._close_segment()
        results.put(ShareDone(n, segment, docs, grains, tuple(pre.used), pre.hits, pre.misses, peak_mb()))
    except BaseException as exc:
        results.put(ShareDone(n, None, error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        raise


def build(ix: Index, archive: Archive, db_path: Path, store_path: Path | None, procs: int,
          progress: Progress | None, check: Callable[[], None], limitmb: int = 256) -> Built:
    """Index the whole archive into `ix` (new, empty) with `procs` worker processes; commit; what it did."""
    parts = [p for p in shares(archive.document_sizes(), procs) if p]
    ctx = mp.get_context("fork")
    results: mp.Queue = ctx.Queue()
    counters = [ctx.Value("q", 0, lock=False) for _ in parts]
    writer = FastSegmentWriter(ix, limitmb=16)  # holds Whoosh's lock; writes only the table of contents
    workers = [ctx.Process(target=_work, args=(i, ix, db_path, store_path, ids, limitmb, counters[i], results),
                           name=f"xuncha-index-{i}", daemon=True) for i, ids in enumerate(parts)]
    got: dict[int, ShareDone] = {}
    reported = 0
    try:
        for w in workers:
            w.start()
        seen, moved = (-1, 0), time.monotonic()
        while len(got) < len(workers):
            check()
            try:
                item: ShareDone = results.get(timeout=POLL_S)
                got[item.worker] = item
                if item.error is not None:
                    raise BuildFailed(f"index worker {item.worker} failed: {item.error}")
            except queue.Empty:
                dead = [w for i, w in enumerate(workers) if i not in got and w.exitcode is not None]
                if dead:
                    raise BuildFailed(f"index worker {dead[0].name} exited with code {dead[0].exitcode}") from None
            now = sum(c.value for c in counters)
            if (now, len(got)) != seen:
                seen, moved = (now, len(got)), time.monotonic()
            elif time.monotonic() - moved > STALL_S:
                stuck = ", ".join(w.name for i, w in enumerate(workers) if i not in got)
                raise BuildFailed(f"index worker {stuck} made no progress for {STALL_S:.0f} s and was stopped; "
                                  "run the build again")
            if progress and now > reported:
                progress(now - reported)
                reported = now
        for w in workers:
            w.join()
        segments = [got[i].segment for i in range(len(workers)) if got[i].segment is not None]
        writer.commit(mergetype=lambda _writer, _existing: list(segments))
    except BaseException:
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join(5)
        if not writer.is_closed:
            writer.cancel()
        raise
    if progress and sum(c.value for c in counters) > reported:
        progress(sum(c.value for c in counters) - reported)
    done = got.values()
    return Built(sum(g.documents for g in done), sum(g.grains for g in done), tuple(k for g in done for k in g.used),
                 sum(g.reused for g in done), sum(g.segmented for g in done),
                 round(peak_mb() + sum(g.peak_mb for g in done), 1))
