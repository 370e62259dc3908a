"""The engine's entry points, as indexer/backends picks them by name: open_backend, reindex, update, check.

The cluster is found under the archive's folder (HOME/cluster/cluster.json, written by `xuncha cluster up`),
or named by `sphinx_agents` (host:sql_port:api_port, …) for shards on several hosts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.database import Archive

from ...backend import DocumentUnits, IndexHealth
from ...documents import grain_records
from . import process
from .options import ClusterOptions, parse_agents
from .service import SphinxBackend


class NoCluster(RuntimeError):
    """No shards are configured for this archive."""


@dataclass(frozen=True, slots=True)
class SphinxReport:
    """What a Sphinx (re)index did (the fields `xuncha reindex` prints)."""

    mode: str  # full | incremental | none
    documents: int
    entries: int
    removed: int
    seconds: float
    reason: str = ""
    version: str = ""


def cluster_root(home_index_root: Path) -> Path:
    """HOME/cluster beside HOME/index."""
    return home_index_root.parent / "cluster"


def cluster_options(index_root: Path, agents: str = "", **bounds: Any) -> ClusterOptions:
    root = cluster_root(index_root)
    shards = parse_agents(agents) if agents else process.load_shards(root)
    if not shards:
        raise NoCluster(f"no Sphinx shards for {root}: run `xuncha cluster up --shards N` "
                        "or set sphinx_agents in xuncha.toml")
    return ClusterOptions(root=root, shards=shards, **bounds)


def restart_for_idf(options: ClusterOptions) -> Callable[[Any], None]:
    """After a rebuild, restart the local shards one at a time: searchd reads a global_idf file at start only."""
    def restart(_gen: Any) -> None:
        for shard in options.shards:
            if process.pid_of(options, shard.number) is not None:
                process.stop_shard(options, shard.number)
                process.start_shard(options, shard)
    return restart


def open_backend(options: Any) -> SphinxBackend:
    return SphinxBackend(cluster_options(options.index_root, getattr(options, "sphinx_agents", "")))


def _documents(archive: Archive, doc_ids: Iterable[str] | None = None) -> Iterable[tuple[str, str, list[dict]]]:
    """(doc_id, sha, units) for the archive's documents, the units of each together."""
    current: list[dict] = []
    for rec in grain_records(archive, doc_ids):
        if current and rec["doc_id"] != current[0]["doc_id"]:
            yield current[0]["doc_id"], str(current[0].get("sha") or ""), current
            current = []
        current.append(rec)
    if current:
        yield current[0]["doc_id"], str(current[0].get("sha") or ""), current


def reindex(archive: Archive, options: Any, full: bool = False, progress: Callable[[int], None] | None = None,
            **_: Any) -> SphinxReport:
    """A full rebuild into the other slot (then the switch), or the changed documents in place."""
    cluster = cluster_options(options.root, getattr(options, "sphinx_agents", ""))
    backend = SphinxBackend(cluster, on_switch=restart_for_idf(cluster))
    start = time.monotonic()
    if full or backend.generation() is None:
        docs = units = 0
        with backend.begin_rebuild() as batch:
            for doc_id, sha, recs in _documents(archive):
                batch.put(DocumentUnits(doc_id, sha, tuple(recs)))
                docs += 1
                units += len(recs)
                if progress is not None:
                    progress(1)
        return SphinxReport("full", docs, units, 0, time.monotonic() - start, "full rebuild", backend.version())
    return update(archive, options, progress=progress)


def update(archive: Archive, options: Any, stored: Mapping[str, str] | None = None,
           progress: Callable[[int], None] | None = None, **_: Any) -> SphinxReport:
    """Replace the documents whose content hash changed, delete those gone: each on its own shard."""
    cluster = cluster_options(options.root, getattr(options, "sphinx_agents", ""))
    backend = SphinxBackend(cluster)
    start = time.monotonic()
    stored = dict(stored if stored is not None else archive.hashes())
    indexed = backend.indexed()
    changed = [d for d, sha in stored.items() if indexed.get(d) != sha]
    gone = [d for d in indexed if d not in stored]
    if not changed and not gone:
        return SphinxReport("none", 0, 0, 0, time.monotonic() - start, "up to date", backend.version())
    units = 0
    with backend.begin_update() as batch:
        for doc_id, sha, recs in _documents(archive, changed):
            batch.put(DocumentUnits(doc_id, sha, tuple(recs)))
            units += len(recs)
            if progress is not None:
                progress(1)
        for doc_id in gone:
            batch.delete(doc_id)
    return SphinxReport("incremental", len(changed), units, len(gone), time.monotonic() - start, "", backend.version())


def check(options: Any, stored: Mapping[str, str]) -> IndexHealth:
    return open_backend(options).health(stored)


def remove_unfinished(options: Any) -> list[str]:
    return []  # an unfinished rebuild is an unused slot, truncated by the next one
