"""Build, incremental re-index, the atomic swap, the writer lock and interruption."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.database import Archive
from archive.pipeline import ingest
from indexer.backends.whoosh import build
from indexer.backends.whoosh.build import IndexBusy, current_dir, full_rebuild, read_meta, reindex, write_lock
from indexer.documents import link_digests
from indexer.search import SearchService
from tests.conftest import SAMPLES
from xuncha.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small(tmp_path: Path) -> tuple[Settings, Path]:
    """An archive of a copy of the sample notices and two regulations, single worker for determinism."""
    src = tmp_path / "src"
    src.mkdir()
    for f in list((SAMPLES / "notices").glob("*.txt"))[:2] + sorted((SAMPLES / "regulations").glob("*.md"))[:2]:
        shutil.copy(f, src / f.name)
    s = load_settings(environ={}, home=tmp_path / "home", workers=1)
    c = Archive.open(s.db_path).conn
    ingest(Archive(c), s.ingest_options(), [str(src)])
    c.close()
    return s, src


def _conn(s: Settings):  # type: ignore[no-untyped-def]
    return Archive.open(s.db_path).conn


def test_full_build_records_versions_and_swaps(small) -> None:
    s, _ = small
    first = full_rebuild(Archive(_conn(s)), s.index_options())
    gen1 = current_dir(s.index_root)
    meta = read_meta(s.index_root)
    assert first.documents == 4 and meta and meta["schema_version"] and meta["dictionary_version"]
    svc = SearchService(s.search_options())
    before = svc.search("公务用车").total
    full_rebuild(Archive(_conn(s)), s.index_options())
    gen2 = current_dir(s.index_root)
    assert gen1 != gen2 and (s.index_root / "current").is_symlink()
    assert gen1 is not None and gen1.exists()  # the previous generation stays for searchers still on it
    assert svc.search("公务用车").total == before  # the service follows the swap
    full_rebuild(Archive(_conn(s)), s.index_options())
    assert not gen1.exists()  # older ones are collected


def test_incremental_only_changed(small) -> None:
    s, src = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    assert reindex(Archive(_conn(s)), s.index_options()).mode == "none"
    target = next(src.glob("*.txt"))
    target.write_text(target.read_text(encoding="utf-8").replace("公务用车", "公务用车 唯一新词甲乙丙"), encoding="utf-8")
    links_before = link_digests(Archive(_conn(s)))
    ingest(Archive(_conn(s)), s.ingest_options(), [str(src)])
    links_after = link_digests(Archive(_conn(s)))
    # the edited notice, and any other whose recurring/common marks the edit changed (issue 30)
    relinked = {d for d in links_after if links_after[d] != links_before.get(d)}
    report = reindex(Archive(_conn(s)), s.index_options())
    assert report.mode == "incremental" and report.documents == len(relinked | {Archive(_conn(s)).document(str(target)).id})
    assert SearchService(s.search_options()).search("唯一新词甲乙丙").total >= 1
    target.unlink()
    c = _conn(s)
    c.execute("DELETE FROM documents WHERE source_path = ?", (str(target),))
    assert reindex(Archive(c), s.index_options()).removed == 1
    assert SearchService(s.search_options()).search("唯一新词甲乙丙").total == 0


def test_an_update_removes_a_weights_file_a_killed_update_left_half_written(small) -> None:
    s, _ = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    left = s.index_root / "current" / ".MAIN_0123456789abcdef.weights.tmp"
    left.write_bytes(b"half")
    assert reindex(Archive(_conn(s)), s.index_options()).mode == "none"
    assert not left.exists()


def test_if_needed_rebuilds_on_version_change(small, monkeypatch: pytest.MonkeyPatch) -> None:
    s, _ = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    assert reindex(Archive(_conn(s)), s.index_options(), if_needed=True).mode == "none"
    monkeypatch.setattr(build, "SCHEMA_VERSION", 999)
    report = reindex(Archive(_conn(s)), s.index_options(), if_needed=True)
    assert report.mode == "full" and "schema version" in report.reason
    monkeypatch.setattr(build, "dictionary_version", lambda: "changed")
    assert reindex(Archive(_conn(s)), s.index_options(), if_needed=True).reason == "the domain dictionary changed"


def test_second_writer_is_refused(small) -> None:
    s, _ = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    with write_lock(s.index_options()):
        with pytest.raises(IndexBusy, match="another reindex"):
            reindex(Archive(_conn(s)), s.index_options(), full=True)
        with pytest.raises(IndexBusy):
            reindex(Archive(_conn(s)), s.index_options(), full=True, wait_s=0.5)
    assert reindex(Archive(_conn(s)), s.index_options(), full=True).mode == "full"


def test_ctrl_c_keeps_previous_index(small, monkeypatch: pytest.MonkeyPatch) -> None:
    s, _ = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    gen = current_dir(s.index_root)
    total = SearchService(s.search_options()).search("公务用车").total

    def interrupted(conn, doc_ids=None):  # type: ignore[no-untyped-def]
        yield from []
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "grain_records", interrupted)
    with pytest.raises(KeyboardInterrupt):
        full_rebuild(Archive(_conn(s)), s.index_options())
    assert current_dir(s.index_root) == gen
    assert [p for p in s.index_root.glob("gen-*")] == [gen]  # the half-built one is gone
    monkeypatch.undo()
    assert SearchService(s.search_options()).search("公务用车").total == total
    assert full_rebuild(Archive(_conn(s)), s.index_options()).mode == "full"


def test_kill_9_keeps_previous_index(small) -> None:
    s, _ = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    gen = current_dir(s.index_root)
    marker = s.home / "building"
    code = (
        "import time, pathlib, sys\n"
        "from archive.database import Archive\nfrom indexer.backends.whoosh import build\nfrom xuncha.settings import load_settings\n"
        f"s = load_settings(environ={{}}, home={str(s.home)!r}, workers=1)\n"
        "orig = build._add_all\n"
        "def slow(*args):\n"
        f"    pathlib.Path({str(marker)!r}).write_text('x')\n"
        "    time.sleep(60)\n"
        "    return orig(*args)\n"
        "build._add_all = slow\n"
        "build.full_rebuild(Archive.open(s.db_path), s.index_options())\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the child never started building"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert current_dir(s.index_root) == gen
    assert SearchService(s.search_options()).search("公务用车").total > 0
    assert reindex(Archive(_conn(s)), s.index_options(), full=True).mode == "full"  # the lock died with the process
    leftovers = [p for p in s.index_root.glob("gen-*") if not (p / "xuncha-meta.json").exists()]
    assert leftovers == []


def test_meta_is_json_beside_index(small) -> None:
    s, _ = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    cur = current_dir(s.index_root)
    assert cur is not None
    meta = json.loads((cur / "xuncha-meta.json").read_text(encoding="utf-8"))
    assert meta["documents"] == 4


def _build_in_child(s: Settings, marker: Path, workers: int, hook: str) -> subprocess.Popen:
    code = (
        "import time, pathlib\n"
        "from archive.database import Archive\nfrom indexer.backends.whoosh import build\nfrom xuncha.settings import load_settings\n"
        f"s = load_settings(environ={{}}, home={str(s.home)!r}, workers={workers})\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        f"{hook}\n"
        "build.full_rebuild(Archive.open(s.db_path), s.index_options())\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert marker.exists(), "the child never started building"
    return proc


def test_kill_9_takes_the_writer_workers_along(small) -> None:
    s, _ = small
    marker = s.home / "worker-started"
    hook = ("import os\nfrom indexer.backends.whoosh import parallel\n"
            "orig = parallel._work\n"
            "def work(*args):\n"
            "    marker.write_text(str(os.getpid()))\n"
            "    time.sleep(60)\n"
            "    return orig(*args)\n"
            "parallel._work = work\n")
    proc = _build_in_child(s, marker, 2, hook)
    worker = int(marker.read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the writer's worker outlived its killed parent")
    assert reindex(Archive(_conn(s)), s.index_options(), full=True, wait_s=5).mode == "full"


def test_sigterm_removes_the_unfinished_generation(small) -> None:
    s, _ = small
    marker = s.home / "building"
    hook = ("orig = build._add_all\n"
            "def slow(*args):\n"
            "    marker.write_text('x')\n"
            "    time.sleep(60)\n"
            "    return orig(*args)\n"
            "build._add_all = slow\n")
    proc = _build_in_child(s, marker, 1, hook)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=20) != 0
    assert [p for p in s.index_root.glob("gen-*")] == []


def test_next_build_removes_generations_left_unfinished(small) -> None:
    s, _ = small
    stale = s.index_root / "gen-20200101-000000-1-abcdef"
    stale.mkdir(parents=True)
    (stale / "half-written.seg").write_bytes(b"x" * 10)
    full_rebuild(Archive(_conn(s)), s.index_options())
    assert not stale.exists() and current_dir(s.index_root) is not None


def test_a_long_lived_service_sees_each_update_as_a_fresh_one_does(small) -> None:
    """A server's searcher follows every incremental update, merges included: Whoosh's refresh() would keep the
    segments a merge removed (whoosh-reloaded 2.7.5), so deleted and duplicate units were found and the facet
    tables of the generation no longer fitted its documents (an IndexError: a 500 on every search)."""
    s, src = small
    full_rebuild(Archive(_conn(s)), s.index_options())
    served = SearchService(s.search_options())
    target = next(src.glob("*.txt"))
    for k in range(12):  # enough commits for the writer to merge segments
        served.search("公务用车")  # the long-lived searcher is on the generation before this update
        target.write_text(target.read_text(encoding="utf-8") + f"\n补充说明第{k}次。\n", encoding="utf-8")
        ingest(Archive(_conn(s)), s.ingest_options(), [str(src)])
        assert reindex(Archive(_conn(s)), s.index_options()).mode == "incremental"
        fresh = SearchService(s.search_options())
        for q in ("公务用车", "整改"):
            assert served.search(q).total == fresh.search(q).total, (k, q)
        assert served.backend.searcher().doc_count_all() == fresh.backend.searcher().doc_count_all(), k
