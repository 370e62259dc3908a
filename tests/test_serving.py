"""`xuncha serve --processes N`: several processes on one port, one job worker, all ending with the parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.serverload import process_tree
from tests.conftest import free_port
from xuncha.settings import Settings

XUNCHA = str(Path(sys.executable).parent / "xuncha")


def _children(pid: int) -> list[int]:
    return process_tree(pid)[1:]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _start(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNCHA_")}
    with open(log, "wb") as out:  # the child has its own copy of the descriptor
        proc = subprocess.Popen([XUNCHA, "--home", str(home), "serve", "--port", str(port), "--processes", "2",
                                 "--threads", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=x", timeout=5) as resp:
                if resp.status == 200 and len(_children(proc.pid)) == 2:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    proc.wait()
    pytest.fail("xuncha serve --processes 2 did not start: " + log.read_text(errors="replace"))


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as resp:
        resp.read()
        return resp.status


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_two_processes_answer_and_end_with_the_parent(sample_settings: Settings, how: signal.Signals,
                                                     tmp_path: Path) -> None:
    port = free_port()
    proc = _start(sample_settings.home, port, tmp_path / "serve.log")
    children = _children(proc.pid)
    try:
        urls = [f"http://127.0.0.1:{port}/?q=%E6%95%B4%E6%94%B9&page={i % 3 + 1}" for i in range(24)]
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(_get, urls)) == {200}
        # one job worker for the archive, in the first process only: exactly one holds its lock file open
        lock = str((sample_settings.home / "worker.lock").resolve())
        holders = [c for c in children if any(os.path.realpath(f) == lock for f in
                                              (str(p) for p in Path(f"/proc/{c}/fd").iterdir()))]
        assert len(holders) == 1, holders
    finally:
        proc.send_signal(how)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(c) for c in children), "a server process outlived `xuncha serve`"
    if how == signal.SIGTERM:
        assert proc.returncode == 0


def test_settle_moves_what_is_loaded_out_of_the_collectors_reach() -> None:
    import gc

    from xuncha.serving import settle

    before = gc.get_freeze_count()
    settle()
    try:
        assert gc.get_freeze_count() > before  # the loaded objects are no longer walked by collections
    finally:
        gc.unfreeze()
