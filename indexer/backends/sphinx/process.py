"""Local cluster processes: `searchd` per shard under the archive's cluster folder (xuncha cluster up/status/down).

Each shard's folder holds its sphinx.conf, data/, searchd.pid, searchd.log and query.log; cluster.json
names the shards (host and ports), so every command finds them without settings.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

from . import client
from .config import local_index, write_configs
from .generations import active_slot, write_empty_idf
from .options import ClusterOptions, Shard, local_shards

CLUSTER_FILE = "cluster.json"


class ClusterError(RuntimeError):
    """searchd is missing, a shard did not start, or the cluster folder is unusable."""


@dataclass(frozen=True, slots=True)
class ShardStatus:
    shard: Shard
    pid: int | None
    up: bool
    documents: int | None  # units in the active slot (None when down)
    error: str = ""


def searchd_path() -> str | None:
    return shutil.which("searchd")


def save_shards(root: Path, shards: tuple[Shard, ...]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / (CLUSTER_FILE + ".tmp")
    tmp.write_text(json.dumps([[s.host, s.sql_port, s.api_port] for s in shards]), encoding="utf-8")
    tmp.replace(root / CLUSTER_FILE)


def load_shards(root: Path) -> tuple[Shard, ...]:
    """The shards `cluster up` started here, or () when none were."""
    path = root / CLUSTER_FILE
    if not path.is_file():
        return ()
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Shard(i, str(h), int(q), int(a)) for i, (h, q, a) in enumerate(rows))
    except (ValueError, TypeError) as exc:
        raise ClusterError(f"{path}: not a cluster file ({exc})") from exc


def pid_of(options: ClusterOptions, number: int) -> int | None:
    """The running searchd of a shard, from its pid file (None when absent or the process is gone)."""
    path = options.shard_dir(number) / "searchd.pid"
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def answers(shard: Shard, options: ClusterOptions) -> bool:
    try:
        with client.session(shard, replace(options, connect_timeout_s=0.5, query_timeout_s=1.0)) as conn:
            client.execute(conn, "SHOW STATUS")
        return True
    except client.Error:
        return False


def start_shard(options: ClusterOptions, shard: Shard, wait_s: float = 60.0) -> int:
    """Start one shard's searchd (config rewritten) unless it runs; wait until it answers; its pid."""
    binary = searchd_path()
    if binary is None:
        raise ClusterError("searchd not found: install Sphinx (Debian package sphinxsearch, tools/system-deps.sh)")
    pid = pid_of(options, shard.number)
    if pid is None:
        (conf,) = write_configs(options, only=shard.number)
        out = subprocess.run([binary, "--config", str(conf)], capture_output=True, text=True, timeout=wait_s)
        if out.returncode != 0:
            tail = (out.stdout + out.stderr).strip().splitlines()[-3:]
            raise ClusterError(f"{shard.name}: searchd did not start: {' / '.join(tail)} "
                               f"(see {options.shard_dir(shard.number) / 'searchd.log'})")
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if answers(shard, options):
            return pid_of(options, shard.number) or 0
        time.sleep(0.1)
    raise ClusterError(f"{shard.name}: searchd started but does not answer within {wait_s:.0f} s "
                       f"(see {options.shard_dir(shard.number) / 'searchd.log'})")


def up(root: Path, count: int, base_port: int, **bounds: object) -> ClusterOptions:
    """Start `count` loopback shards under `root` (the same ones again when they already run)."""
    shards = load_shards(root)
    if len(shards) != count or any(pid_of(_opts(root, shards), s.number) is None for s in shards):
        if shards and any(pid_of(_opts(root, shards), s.number) for s in shards) and len(shards) != count:
            raise ClusterError(f"{root}: {len(shards)} shards run already; `xuncha cluster down` first")
        shards = shards if len(shards) == count else local_shards(count, base_port)
    options = ClusterOptions(root=root, shards=shards, **bounds)  # type: ignore[arg-type]
    save_shards(root, shards)
    write_empty_idf(options)
    started = []
    try:
        for shard in shards:
            if pid_of(options, shard.number) is None:
                started.append(shard.number)
            start_shard(options, shard)
    except BaseException:
        for number in started:  # a cluster comes up whole or not at all: no orphan searchd left running
            stop_shard(options, number)
        raise
    return options


def _opts(root: Path, shards: tuple[Shard, ...]) -> ClusterOptions:
    return ClusterOptions(root=root, shards=shards)


def stop_shard(options: ClusterOptions, number: int, wait_s: float = 20.0) -> bool:
    """SIGTERM a shard's searchd (it saves its RAM chunk and exits); whether one was running."""
    pid = pid_of(options, number)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and pid_of(options, number) is not None:
        time.sleep(0.05)
    return True


def down(options: ClusterOptions) -> list[int]:
    """Stop every shard; the numbers of those that were running."""
    return [s.number for s in options.shards if stop_shard(options, s.number)]


def status(options: ClusterOptions) -> list[ShardStatus]:
    """Each shard: pid, whether it answers, and how many units its active slot holds."""
    slot = active_slot(options.root)
    out = []
    for shard in options.shards:
        pid = pid_of(options, shard.number)
        try:
            with client.session(shard, replace(options, connect_timeout_s=0.5, query_timeout_s=2.0)) as conn:
                rows = client.result_sets(conn, f"SELECT COUNT(*) FROM {local_index(shard.number, slot)}")[0]
            out.append(ShardStatus(shard, pid, True, int(rows[0][0]) if rows else 0))
        except client.Error as exc:
            out.append(ShardStatus(shard, pid, False, None, str(exc.args[-1] if exc.args else exc)))
    return out
