"""The parallel build: shares in order, Whoosh's postings unchanged by the faster writer, a failing worker."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from whoosh import index as windex

from archive.database import Archive
from indexer.backends.whoosh import parallel
from indexer.backends.whoosh.build import current_dir, full_rebuild
from indexer.documents import grain_records
from indexer.backends.whoosh.parallel import BuildFailed, FastSegmentWriter, add_records, shares
from indexer.backends.whoosh.schema import build_schema
from indexer.search import SearchService
from tests.test_tokens import _plain, _postings
from xuncha.settings import Settings


@pytest.fixture
def home(samples_home: Settings) -> Settings:
    return dataclasses.replace(samples_home, workers=2)


def test_shares_are_contiguous_and_balanced_by_length() -> None:
    sizes = [(f"d{i:02d}", n) for i, n in enumerate([100, 1, 1, 1, 100, 50, 50, 0])]
    parts = shares(sizes, 2)
    assert [d for p in parts for d in p] == [d for d, _ in sizes]  # in order, nothing lost
    assert len(parts) == 2 and parts[0][0] == "d00" and "d04" in parts[1]
    assert shares(sizes[:1], 4) == [["d00"]]
    assert shares([], 2) == [[]]


def test_runs_spilled_to_disk_give_the_same_postings(home: Settings, tmp_path: Path) -> None:
    """A tiny pool spills many runs (chunked pickles, merged back): the segment equals Whoosh's own."""
    with Archive.open(home.db_path) as a:
        expected = _postings(_plain(a, tmp_path / "plain"))
        spilled = tmp_path / "spilled"
        spilled.mkdir()
        ix = windex.create_in(str(spilled), build_schema())
        w = FastSegmentWriter(ix, limitmb=1)
        w.pool.limit = 20_000  # bytes: dozens of runs
        add_records(w, grain_records(a), lambda: None)
        w.pool.save()
        assert len(w.pool.runs) > 10
        w.commit()
    assert _postings(spilled) == expected


def test_a_failing_worker_names_itself_and_keeps_the_index(home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with Archive.open(home.db_path) as a:
        full_rebuild(a, home.index_options())
        gen = current_dir(home.index_root)

        def broken(archive, ids):  # type: ignore[no-untyped-def]
            yield from grain_records(archive, ids[:1])
            raise OSError("disk full (simulated)")

        monkeypatch.setattr(parallel, "grain_records", broken)
        with pytest.raises(BuildFailed, match="index worker .* failed.*disk full"):
            full_rebuild(a, home.index_options())
    assert current_dir(home.index_root) == gen
    assert [p for p in home.index_root.glob("gen-*")] == [gen]
    assert SearchService(home.search_options()).search("公务用车").total > 0


def test_two_workers_number_units_as_one_process_does(home: Settings) -> None:
    one = dataclasses.replace(home, workers=1)
    with Archive.open(home.db_path) as a:
        full_rebuild(a, home.index_options())
        ix = windex.open_dir(str(current_dir(home.index_root)))
        with ix.searcher() as s:
            assert len(s.reader().leaf_readers()) == 2  # one segment a worker
            order2 = [f["id"] for _, f in s.reader().iter_docs()]
        full_rebuild(a, one.index_options())
        ix = windex.open_dir(str(current_dir(home.index_root)))
        with ix.searcher() as s:
            order1 = [f["id"] for _, f in s.reader().iter_docs()]
    assert order1 == order2 and len(order1) > 100


def test_a_worker_that_stops_making_progress_fails_the_build_naming_it(home: Settings,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker that hangs (a lock another thread of the parent held at fork time) fails the build after
    STALL_S with no progress, instead of a build, and a job, that never ends; the index in use stays."""
    with Archive.open(home.db_path) as a:
        full_rebuild(a, home.index_options())
        gen = current_dir(home.index_root)

        def hung(archive, ids):  # type: ignore[no-untyped-def]
            time.sleep(60)
            yield from grain_records(archive, ids)

        monkeypatch.setattr(parallel, "grain_records", hung)
        monkeypatch.setattr(parallel, "STALL_S", 1.5)
        started = time.monotonic()
        with pytest.raises(BuildFailed, match="index worker xuncha-index-.* made no progress for 2 s"):
            full_rebuild(a, home.index_options())
        assert time.monotonic() - started < 30
    assert current_dir(home.index_root) == gen
    assert SearchService(home.search_options()).search("公务用车").total > 0
