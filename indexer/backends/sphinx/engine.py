"""The engine's entry points, as indexer/backends picks them by name: open_backend, reindex, update, check.

The cluster is found under the archive's folder (HOME/cluster/cluster.json, written by `xuncha cluster up`),
or named by `sphinx_agents` (host:sql_port:api_port, …) for shards on several hosts. Text is segmented once
through the same token store as the Whoosh engine's (IndexOptions.tokens_path), so both index the same words.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archive.database import Archive
from archive.tokens import open_store

from ...analysis import analysis_version
from ...backend import BuildReport, DocumentUnits, IndexHealth
from ...documents import grain_records, relinked
from ...related import mine as mine_related
from ...related import write as write_related
from ...tokens import Presegmenter, kept_words
from ...processes import exclusive
from ...vocabulary import write as write_vocabulary
from . import process
from .generations import vocabulary_dir
from .options import ClusterOptions, parse_agents
from .service import SphinxBackend


class NoCluster(RuntimeError):
    """No shards are configured for this archive."""


def cluster_root(index_root: Path) -> Path:
    """HOME/cluster beside HOME/index."""
    return index_root.parent / "cluster"


def stop_local(index_root: Path) -> None:
    """Stop the shards `xuncha cluster up` started under HOME/cluster, if any (a benchmark's clean start)."""
    try:
        process.down(cluster_options(index_root))
    except NoCluster:
        pass


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


@contextmanager
def write_lock(root: Path, wait_s: float = 0.0) -> Iterator[None]:
    """One writer per cluster (released by the OS when the holder dies)."""
    with exclusive(root / ".lock", wait_s, "another reindex or ingest is writing the Sphinx shards; try again when "
                   "it finishes"):
        yield


def _documents(records: Iterable[dict]) -> Iterator[tuple[str, str, list[dict]]]:
    """(doc_id, sha, units): grain_records yields a document's units together."""
    current: list[dict] = []
    for rec in records:
        if current and rec["doc_id"] != current[0]["doc_id"]:
            yield current[0]["doc_id"], str(current[0].get("sha") or ""), current
            current = []
        current.append(rec)
    if current:
        yield current[0]["doc_id"], str(current[0].get("sha") or ""), current


def _put_all(batch: Any, archive: Archive, options: Any, doc_ids: Iterable[str] | None,
             progress: Callable[[int], None] | None) -> tuple[int, int, Presegmenter]:
    docs = units = 0
    with open_store(options.tokens_path, analysis_version()) as store:
        pre = Presegmenter(store)
        for doc_id, sha, recs in _documents(pre.records(grain_records(archive, doc_ids))):
            batch.put(DocumentUnits(doc_id, sha, tuple(recs)))
            docs += 1
            units += len(recs)
            if progress is not None:
                progress(1)
    return docs, units, pre


def reindex(archive: Archive, options: Any, full: bool = False, if_needed: bool = False,
            progress: Callable[[int], None] | None = None, wait_s: float = 0.0, **_: Any) -> BuildReport:
    """A full rebuild into the other slot (then the switch), or the changed documents in place."""
    cluster = cluster_options(options.root, getattr(options, "sphinx_agents", ""))
    backend = SphinxBackend(cluster, on_switch=restart_for_idf(cluster))
    if not full and backend.generation() is not None:
        if if_needed:
            return BuildReport("none", 0, 0, 0, 0.0, "Sphinx shards hold a generation")
        return update(archive, options, progress=progress, wait_s=wait_s)
    start = time.monotonic()
    with write_lock(cluster.root, wait_s):
        with backend.begin_rebuild() as batch:
            docs, units, pre = _put_all(batch, archive, options, None, progress)
            write_vocabulary(archive, vocabulary_dir(cluster.root, batch.writer.slot))
            if getattr(options, "related_words", False):  # as the Whoosh build does (indexer/related.py)
                with open_store(options.tokens_path, analysis_version()) as store:
                    write_related(mine_related(kept_words(store)), vocabulary_dir(cluster.root, batch.writer.slot))
    return BuildReport("full", docs, units, 0, time.monotonic() - start,
                        "full rebuild" if full else "no Sphinx generation yet", pre.misses, pre.hits,
                        version=backend.version())


def update(archive: Archive, options: Any, stored: Mapping[str, str] | None = None,
           progress: Callable[[int], None] | None = None, wait_s: float = 0.0, **_: Any) -> BuildReport:
    """Replace the documents whose content hash changed, delete those gone: each on its own shard."""
    cluster = cluster_options(options.root, getattr(options, "sphinx_agents", ""))
    backend = SphinxBackend(cluster)
    start = time.monotonic()
    with write_lock(cluster.root, wait_s):
        stored = dict(stored if stored is not None else archive.hashes())
        indexed = backend.indexed()
        changed = {d for d, sha in stored.items() if indexed.get(d) != sha}
        # and the notices whose recurring/common marks changed (documents.relinked, as the Whoosh update does)
        links = backend.indexed_links()
        changed = sorted(changed | relinked(archive, {d: links.get(d, "") for d in indexed}))
        gone = [d for d in indexed if d not in stored]
        if not changed and not gone:
            return BuildReport("none", 0, 0, 0, time.monotonic() - start, "up to date", version=backend.version())
        with backend.begin_update() as batch:
            docs, units, pre = _put_all(batch, archive, options, changed, progress) if changed else (0, 0, None)
            for doc_id in gone:
                batch.delete(doc_id)
    return BuildReport("incremental", docs, units, len(gone), time.monotonic() - start, "",
                        pre.misses if pre else 0, pre.hits if pre else 0, version=backend.version())


def check(options: Any, stored: Mapping[str, str]) -> IndexHealth:
    return SphinxBackend(cluster_options(options.root, getattr(options, "sphinx_agents", ""))).health(stored)


def remove_unfinished(options: Any) -> list[str]:
    return []  # an unfinished rebuild is an unused slot, truncated by the next one
