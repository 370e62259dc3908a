"""Crashes and concurrency, as real processes: kill -9 of reindex and ingest (quick variants of
benchmarks/crash.py), a full re-index under 20 searching clients, two ingests at once, an ingest during a
re-index. The long runs: `python -m benchmarks.crash --kills 20`, `python -m benchmarks.load`."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.database import Archive
from benchmarks import crash, load
from tests import fixtures_build as fb
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus, ingested and indexed by the CLI."""
    home = tmp_path_factory.mktemp("crash") / "home"
    crash.prepare(home, [str(SAMPLES)])
    assert crash.searchable(home) is None
    return home


def _kill_when_workers_run(args: list[str], home: Path, timeout_s: float = 60) -> tuple[bool, list[int]]:
    """Start `xuncha args`, SIGKILL it as soon as it has child processes (the writer's workers)."""
    proc = subprocess.Popen(crash.XUNCHA + args, env=crash._env(home), cwd=crash.ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    while len(crash.group_members(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = len(crash.group_members(proc.pid)) - 1
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 5
    while (left := crash.group_members(proc.pid)) and time.monotonic() < end:
        time.sleep(0.1)
    for pid in left:
        import os

        os.kill(pid, signal.SIGKILL)
    return workers > 0, left


def test_kill_9_of_a_full_reindex_mid_build(home: Path) -> None:
    had_workers, survivors = _kill_when_workers_run(["reindex", "--full"], home)
    assert had_workers  # the kill landed while Whoosh's workers were segmenting
    assert survivors == []  # and none of them outlived the parent (or kept the lock)
    assert crash.searchable(home) is None  # the old generation still answers
    again = crash.run(["reindex", "--full"], home)  # no --wait, no human step: the lock is free
    assert again.returncode == 0, again.stderr
    assert crash.unfinished(home) == []


def test_sigterm_of_a_full_reindex_leaves_no_generation(home: Path) -> None:
    proc = subprocess.Popen(crash.XUNCHA + ["reindex", "--full"], env=crash._env(home), cwd=crash.ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while len(crash.group_members(proc.pid)) < 2 and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 130:  # stopped mid-build, like Ctrl-C
        assert "the previous index is still in place" in err.decode()
    else:  # on a busy machine the signal can land after the build finished: that must leave nothing half-done either
        assert proc.returncode in (0, -signal.SIGTERM), err
    assert crash.unfinished(home) == []
    assert crash.group_members(proc.pid) == []
    assert crash.searchable(home) is None


def test_kill_9_of_ingest_at_random_moments(home: Path) -> None:
    rng = random.Random(3)
    tally = crash.Tally()
    for _ in range(2):
        crash.ingest_round(home, [str(SAMPLES)], rng, tally, max_delay_s=2.5)
    assert tally.failures == []
    assert tally.kills + tally.finished_first == 2
    assert crash.consistent(home) is None


def test_two_ingests_at_once_on_a_new_archive(tmp_path: Path) -> None:
    for attempt in range(3):
        home = tmp_path / f"new{attempt}"
        procs = [subprocess.Popen(crash.XUNCHA + ["ingest", "--no-index", str(SAMPLES)], env=crash._env(home),
                                  cwd=crash.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, err  # the second waits for the first's migration, never "already exists"
        assert crash.consistent(home) is None
        files = sum(1 for f in SAMPLES.rglob("*") if f.is_file())
        for out, _ in outs:
            assert re.match(rf"{files} files: \d+ added, \d+ updated, \d+ unchanged, 0 failed", out), out
        with Archive.open(home / "archive.sqlite3") as archive:
            # every file but a manifest (MANIFEST.tsv is skipped, as ../shared's are)
            assert len(archive.hashes()) == files - sum(1 for _ in SAMPLES.rglob("MANIFEST.tsv"))


def test_ingest_during_a_reindex_refuses_clearly_or_waits(home: Path, tmp_path: Path) -> None:
    new = fb.write(tmp_path / "新增" / "示例档案室工作简报.txt", "示例档案室工作简报，本期介绍库房整理和目录更新情况。")
    reindex = subprocess.Popen(crash.XUNCHA + ["reindex", "--full"], env=crash._env(home), cwd=crash.ROOT,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while len(crash.group_members(reindex.pid)) < 2 and reindex.poll() is None:
        time.sleep(0.02)
    refused = crash.run(["ingest", str(new.parent)], home)
    waited = subprocess.Popen(crash.XUNCHA + ["ingest", "--wait", "120", str(new.parent)], env=crash._env(home),
                              cwd=crash.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reindex.wait(timeout=300)
    out, err = waited.communicate(timeout=300)
    if reindex.returncode == 0 and "another reindex or ingest is writing the index" in refused.stderr:
        assert refused.returncode == 1 and "hint: wait for it, or pass --wait SECONDS" in refused.stderr
    else:  # the build had finished before the ingest reached its index step
        assert refused.returncode == 0, refused.stderr
    assert "1 files: 1 added" in refused.stdout  # stored either way: only the index step waited or refused
    assert waited.returncode == 0, err
    assert crash.consistent(home) is None


@pytest.fixture
def server(home: Path) -> Iterator[str]:
    with load.serving(home, threads=8) as base:
        yield base


def test_full_reindex_while_20_clients_search(home: Path, server: str, tmp_path: Path) -> None:
    q = urllib.parse.quote("档案室")
    before = json.loads(load.get(f"{server}/api/search?q={q}")[1])["total"]
    fb.write(tmp_path / "add" / "示例档案室第二期简报.txt", "示例档案室第二期简报，介绍档案室数字化扫描进度。")
    assert crash.run(["ingest", "--no-index", str(tmp_path / "add")], home).returncode == 0
    totals: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def search_loop() -> None:
        for _ in range(400):  # bounded in count and in time
            if stop.is_set():
                return
            try:
                status, body = load.get(f"{server}/api/search?q={q}", timeout_s=30)
                if status != 200:
                    errors.append(f"{status}")
                else:
                    totals.append(json.loads(body)["total"])
            except OSError as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=search_loop, daemon=True) for _ in range(20)]
    for t in threads:
        t.start()
    try:
        rebuilt = crash.run(["reindex", "--full"], home, timeout_s=300)
        time.sleep(1.5)  # the server notices the new generation on its next searches
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert errors == []
    assert len(totals) > 40
    assert set(totals) <= {before, before + 1}
    # results switched to the new index at the swap: a search asked now sees it (the last total appended by the
    # 20 threads may be of a search that began before the swap and answered late on a loaded machine)
    assert json.loads(load.get(f"{server}/api/search?q={q}")[1])["total"] == before + 1
