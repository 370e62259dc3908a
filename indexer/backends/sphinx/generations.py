"""Generations as two RT slots per shard (blue/green) and a pointer file kept atomically under the cluster folder.

A full rebuild truncates and fills the slot not in use on every shard, writes that slot's statistics
(the cluster's document frequencies: a `global_idf` file for searchd and a JSON table for the query
builder), then replaces `active.json` (os.replace). Readers read the pointer once per search and query
that slot's distributed index only, so a killed rebuild leaves the previous slot serving. Incremental
updates replace one document's units in the active slot of the shard its id routes to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import client
from .config import SLOTS, TEXT_FIELDS, idf_path, local_index
from .options import ClusterOptions
from .rows import COLUMNS, doc_key, shard_of, to_row, words_of

POINTER = "active.json"
BATCH = 200  # rows in one REPLACE statement


@dataclass(frozen=True, slots=True)
class Generation:
    slot: str
    number: int  # full rebuilds so far
    revision: int  # incremental updates since (the version token changes with either)

    @property
    def token(self) -> str:
        return f"sphinx:{self.slot}:{self.number}.{self.revision}"


def read_pointer(root: Path) -> Generation | None:
    try:
        data = json.loads((root / POINTER).read_text(encoding="utf-8"))
        return Generation(str(data["slot"]), int(data["number"]), int(data.get("revision", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def active_slot(root: Path) -> str:
    gen = read_pointer(root)
    return gen.slot if gen else SLOTS[0]


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_pointer(root: Path, gen: Generation) -> None:
    _write_atomic(root / POINTER, json.dumps({"slot": gen.slot, "number": gen.number, "revision": gen.revision}))


def stats_path(root: Path, slot: str) -> Path:
    return root / f"stats_{slot}.json"


def read_stats(root: Path, slot: str) -> dict[str, Any]:
    """The slot's statistics: units, per-field document frequencies, regulation keys and their versions."""
    try:
        return json.loads(stats_path(root, slot).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"units": 0, "df": {f: {} for f in TEXT_FIELDS}, "reg_versions": {}}


def write_idf(options: ClusterOptions, slot: str, df: Counter[str], units: int) -> None:
    """The cluster's document frequencies as searchd's global_idf file (indextool --buildidf of a --stats dump)."""
    indextool = shutil.which("indextool")
    if indextool is None or not options.global_idf:
        return
    dump = options.root / f"global_{slot}.dict"
    lines = [f"total-documents: {units}", "keyword,docs,hits,offset"]
    lines += [f"{w},{n},{n},0" for w, n in sorted(df.items(), key=lambda kv: kv[0].encode("utf-8"))]
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = idf_path(options, slot)
    tmp = out.with_suffix(".idf.tmp")
    subprocess.run([indextool, "--buildidf", str(dump), "--out", str(tmp)], check=True, capture_output=True)
    os.replace(tmp, out)
    dump.unlink()


def write_empty_idf(options: ClusterOptions) -> None:
    """A global_idf file for each slot that has none, so that searchd starts with its config."""
    options.root.mkdir(parents=True, exist_ok=True)
    for slot in SLOTS:
        if not idf_path(options, slot).exists():
            write_idf(options, slot, Counter(), 0)


def _flush(conn: Any, index: str, rows: list[tuple[Any, ...]]) -> None:
    values = ",".join(f"({client.quote_list(conn, r)})" for r in rows)
    client.execute(conn, f"REPLACE INTO {index} ({','.join(COLUMNS)}) VALUES {values}")


def full_rebuild(options: ClusterOptions, records: Iterable[dict[str, Any]],
                 progress: Callable[[int], None] | None = None) -> Generation:
    """Fill the inactive slot of every shard from `records`, then switch to it; the new generation."""
    current = read_pointer(options.root)
    slot = SLOTS[1] if current and current.slot == SLOTS[0] else SLOTS[0] if current else SLOTS[0]
    conns = [client.connect(s, options) for s in options.shards]
    try:
        for shard, conn in zip(options.shards, conns):
            client.execute(conn, f"TRUNCATE RTINDEX {local_index(shard.number, slot)}")
        pending: list[list[tuple[Any, ...]]] = [[] for _ in options.shards]
        df: Counter[str] = Counter()
        field_df: dict[str, Counter[str]] = {f: Counter() for f in TEXT_FIELDS}
        reg_versions: dict[str, set[str]] = {}
        units = 0
        for (i, row), rec in routed_records(records, len(options.shards)):
            units += 1
            df.update(words_of(row))
            for n, f in enumerate(TEXT_FIELDS, 1):
                field_df[f].update({w for w in row[n].split() if w != ","})
            if rec.get("kind") == "document" and rec.get("reg_key"):
                reg_versions.setdefault(str(rec["reg_key"]), set()).update([str(rec.get("version") or "")])
            pending[i].append(row)
            if len(pending[i]) >= BATCH:
                _flush(conns[i], local_index(i, slot), pending[i])
                pending[i] = []
            if progress is not None:
                progress(1)
        for i, rows in enumerate(pending):
            if rows:
                _flush(conns[i], local_index(i, slot), rows)
        for shard, conn in zip(options.shards, conns):
            client.execute(conn, f"FLUSH RTINDEX {local_index(shard.number, slot)}")
    finally:
        for conn in conns:
            conn.close()
    write_idf(options, slot, df, units)
    stats = {"units": units, "df": {f: dict(c) for f, c in field_df.items()},
             "reg_versions": {k: sorted(v - {""}) for k, v in reg_versions.items()}, "built": time.time()}
    _write_atomic(stats_path(options.root, slot), json.dumps(stats, ensure_ascii=False))
    gen = Generation(slot, (current.number + 1) if current else 1, 0)
    write_pointer(options.root, gen)
    return gen


def routed_records(records: Iterable[dict[str, Any]], shards: int) -> Iterable[tuple[tuple[int, tuple], dict]]:
    """((shard, row), record) for each grain record: a document's units all go to its shard."""
    for rec in records:
        yield (shard_of(rec["doc_id"], shards), to_row(rec)), rec


def replace_documents(options: ClusterOptions, doc_ids: Iterable[str], records: Iterable[dict[str, Any]]) -> Generation:
    """Replace (or, with no records, delete) these documents' units in the active slot of their shards."""
    current = read_pointer(options.root) or Generation(SLOTS[0], 0, 0)
    by_shard: dict[int, list[tuple[Any, ...]]] = {}
    for (i, row), _ in routed_records(records, len(options.shards)):
        by_shard.setdefault(i, []).append(row)
    docs = set(doc_ids)
    for shard in options.shards:
        mine = [d for d in docs if shard_of(d, len(options.shards)) == shard.number]
        rows = by_shard.get(shard.number, [])
        if not mine and not rows:
            continue
        index = local_index(shard.number, current.slot)
        with client.session(shard, options) as conn:
            keys = client.quote_list(conn, [doc_key(d) for d in mine]) if mine else ""
            if keys:
                old = client.result_sets(conn, f"SELECT id FROM {index} WHERE doc IN ({keys}) LIMIT 100000 "
                                               "OPTION max_matches=100000")[0]
                ids = [r[0] for r in old]
                for k in range(0, len(ids), 1000):
                    client.execute(conn, f"DELETE FROM {index} WHERE id IN ({client.quote_list(conn, ids[k:k + 1000])})")
            for k in range(0, len(rows), BATCH):
                _flush(conn, index, rows[k:k + BATCH])
    gen = Generation(current.slot, current.number, current.revision + 1)
    write_pointer(options.root, gen)
    return gen
