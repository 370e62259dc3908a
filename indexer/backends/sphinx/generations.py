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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import client
from .config import SLOTS, TEXT_FIELDS, idf_path, local_index
from .options import ClusterOptions
from .rows import COLUMNS, SCORED, doc_key, field_words, shard_of, to_row, words_of

POINTER = "active.json"
BATCH = 500  # rows in one REPLACE statement (a rebuild's statements are sent by a thread per shard)
WRITE_TIMEOUT_S = 120.0  # a writer's wait for searchd to index one statement (a search's is query_timeout_s)


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


def vocabulary_dir(root: Path, slot: str) -> Path:
    """Where a slot's mined vocabulary (indexer/vocabulary.py) is kept, as the Whoosh engine keeps it in a generation."""
    path = root / f"vocabulary_{slot}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stats_path(root: Path, slot: str) -> Path:
    return root / f"stats_{slot}.json"


def read_stats(root: Path, slot: str) -> dict[str, Any]:
    """The slot's statistics: units, per-field document frequencies, regulation keys and their versions."""
    try:
        return json.loads(stats_path(root, slot).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"units": 0, "df": {f: {} for f in TEXT_FIELDS}, "reg_versions": {}}


def write_idf(options: ClusterOptions, slot: str, df: Counter[str], units: int) -> None:
    """The cluster's document frequencies as searchd's global_idf file (indextool --buildidf of a --stats dump).

    With global_idf on, searchd 2.2.11 computes the normalized IDF log((N − n + 1) / n) / (2·log(N + 1)) whatever
    the query's `idf='plain,…'` (measured on the sample: 管理, n 339 of 559 units, scores −0.0338 where plain is
    +0.0395; the same −0.0338 with idf=normalized): negative for a word in more than half the units, and a unit's
    WEIGHT() below 0 wraps to ~2^32, so the first phase put the best units of a common word last. The file holds,
    for n, the n' that makes searchd's formula the plain log(N / n) ranking.py assumes: (N − n' + 1) / n' = N / n,
    n' = (N + 1)·n / (N + n), rounded (a rare word keeps its n; one in every unit gets (N + 1) / 2, IDF 0)."""
    indextool = shutil.which("indextool")
    if indextool is None or not options.global_idf:
        return
    dump = options.root / f"global_{slot}.dict"
    lines = [f"total-documents: {units}", "keyword,docs,hits,offset"]
    lines += [f"{w},{_plain_docs(n, units)},{n},0" for w, n in sorted(df.items(), key=lambda kv: kv[0].encode("utf-8"))]
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = idf_path(options, slot)
    tmp = out.with_suffix(".idf.tmp")
    subprocess.run([indextool, "--buildidf", str(dump), "--out", str(tmp)], check=True, capture_output=True)
    os.replace(tmp, out)
    dump.unlink()


def _plain_docs(n: int, units: int) -> int:
    """The document count searchd's normalized IDF needs to give the plain IDF of `n` of `units` (write_idf)."""
    return max(1, round((units + 1) * n / (units + n))) if units > 0 and n > 0 else n


def write_empty_idf(options: ClusterOptions) -> None:
    """A global_idf file for each slot that has none, so that searchd starts with its config."""
    options.root.mkdir(parents=True, exist_ok=True)
    for slot in SLOTS:
        if not idf_path(options, slot).exists():
            write_idf(options, slot, Counter(), 0)


def _replace(conn: Any, index: str, rows: list[tuple[Any, ...]]) -> str:
    values = ",".join(f"({client.quote_list(conn, r)})" for r in rows)
    return f"REPLACE INTO {index} ({','.join(COLUMNS)}) VALUES {values}"


def _delete_documents(conn: Any, index: str, doc_ids: Iterable[str]) -> None:
    keys = [doc_key(d) for d in doc_ids]
    if not keys:
        return
    old = client.result_sets(conn, f"SELECT id FROM {index} WHERE doc IN ({client.quote_list(conn, keys)}) "
                                   "LIMIT 100000 OPTION max_matches=100000")[0]
    ids = [r[0] for r in old]
    for k in range(0, len(ids), 1000):
        client.execute(conn, f"DELETE FROM {index} WHERE id IN ({client.quote_list(conn, ids[k:k + 1000])})")


class Writer:
    """Writes to one slot: a rebuild fills the inactive slot as documents come (committed by switching the
    pointer), an update buffers its documents and replaces them in the active slot at commit."""

    def __init__(self, options: ClusterOptions, rebuild: bool, on_switch: Callable[[Generation], None] | None = None):
        self.options, self.rebuild, self.on_switch = options, rebuild, on_switch
        self.current = read_pointer(options.root)
        if rebuild:
            self.slot = SLOTS[1] if self.current and self.current.slot == SLOTS[0] else SLOTS[0]
            self.stats: dict[str, Any] = {"units": 0, "df": {f: {} for f in TEXT_FIELDS}, "reg_versions": {},
                                          "docs": {}}
        else:
            self.slot = self.current.slot if self.current else SLOTS[0]
            self.stats = read_stats(options.root, self.slot)
        self._df: Counter[str] = Counter()
        self._field_df = {f: Counter(self.stats["df"].get(f, {})) for f in SCORED}  # h-fid32: cites too
        # the body's collection frequencies (Whoosh's key terms weigh a word by them: SphinxBackend.key_terms)
        self._body_cf: Counter[str] = Counter(self.stats.get("cf", {}).get("body", {}))
        self._pending: dict[int, list[tuple[Any, ...]]] = {}
        self._deleted: set[str] = set()
        self._conns: dict[int, Any] = {}
        self._senders: dict[int, client.Sender] = {}
        self._truncated = False

    def _conn(self, number: int) -> Any:
        if number not in self._conns:
            writes = replace(self.options, query_timeout_s=max(self.options.query_timeout_s, WRITE_TIMEOUT_S))
            self._conns[number] = client.connect(self.options.shards[number], writes)
        return self._conns[number]

    def _flush(self, number: int, rows: list[tuple[Any, ...]]) -> None:
        """REPLACE `rows` into shard `number`'s slot, by its sender thread (in order, one statement at a time)."""
        if number not in self._senders:
            self._senders[number] = client.Sender(self._conn(number))
        self._senders[number].send(_replace(self._conn(number), local_index(number, self.slot), rows))

    def _join(self) -> None:
        """Every statement sent and answered (raises the first failure); the connections are the caller's again."""
        senders, self._senders = self._senders, {}
        failed: BaseException | None = None
        for sender in senders.values():  # all of them, so that no thread still uses a connection
            try:
                sender.join()
            except BaseException as exc:
                failed = failed or exc
        if failed is not None:
            raise failed

    def _begin(self) -> None:
        if self.rebuild and not self._truncated:
            for shard in self.options.shards:
                client.execute(self._conn(shard.number), client.TRUNCATE.format(local_index(shard.number, self.slot)))
            self._truncated = True

    def put(self, doc_id: str, sha: str, units: Iterable[dict[str, Any]]) -> None:
        self._begin()
        self._deleted.add(doc_id)
        self.stats.setdefault("docs", {})[doc_id] = sha
        i = shard_of(doc_id, len(self.options.shards))
        rows = self._pending.setdefault(i, [])
        for rec in units:
            if rec.get("kind") == "document":  # what its problems' links said when indexed (documents.link_digest)
                self.stats.setdefault("links", {})[doc_id] = str(rec.get("links") or "")
            row = to_row(rec)
            rows.append(row)
            self.stats["units"] = int(self.stats.get("units", 0)) + 1
            self._df.update(words_of(row))
            lengths = self.stats.setdefault("lengths", {})
            for f, words in field_words(row).items():
                self._field_df[f].update(set(words))
                if f == "body":
                    self._body_cf.update(words)
                lengths[f] = int(lengths.get(f, 0)) + len(words)
            if rec.get("kind") == "document" and rec.get("reg_key"):
                versions = self.stats["reg_versions"].setdefault(str(rec["reg_key"]), [])
                if rec.get("version") and rec["version"] not in versions:
                    versions.append(str(rec["version"]))
                    versions.sort()
        if self.rebuild and len(rows) >= BATCH:
            self._flush(i, rows)
            self._pending[i] = []

    def delete(self, doc_id: str) -> None:
        self._deleted.add(doc_id)
        self.stats.setdefault("docs", {}).pop(doc_id, None)
        self.stats.setdefault("links", {}).pop(doc_id, None)

    def commit(self) -> Generation:
        self._begin()
        try:
            if not self.rebuild:
                for shard in self.options.shards:
                    mine = [d for d in self._deleted if shard_of(d, len(self.options.shards)) == shard.number]
                    _delete_documents(self._conn(shard.number), local_index(shard.number, self.slot), mine) \
                        if mine else None
            for i, rows in self._pending.items():
                for k in range(0, len(rows), BATCH):
                    self._flush(i, rows[k:k + BATCH])
            self._join()
            for i, conn in self._conns.items():
                client.execute(conn, client.FLUSH.format(local_index(i, self.slot)))
        finally:
            self.close()
        self.stats["df"] = {f: dict(c) for f, c in self._field_df.items()}
        self.stats["cf"] = {"body": dict(self._body_cf)}
        if self.rebuild:
            write_idf(self.options, self.slot, self._df, int(self.stats["units"]))
        self.stats["built"] = time.time()
        _write_atomic(stats_path(self.options.root, self.slot), json.dumps(self.stats, ensure_ascii=False))
        if self.rebuild:
            gen = Generation(self.slot, (self.current.number + 1) if self.current else 1, 0)
        else:
            cur = self.current or Generation(self.slot, 0, 0)
            gen = Generation(cur.slot, cur.number, cur.revision + 1)
        write_pointer(self.options.root, gen)
        if self.on_switch is not None:
            self.on_switch(gen)
        return gen

    def abort(self) -> None:
        """Nothing switches: an update's buffered documents are dropped, a rebuild's slot stays unused."""
        self.close()

    def close(self) -> None:
        try:
            self._join()
        except (client.Error, OSError):
            pass  # closing after a failure (abort, or commit raising it): nothing more to send
        for conn in self._conns.values():
            conn.close()
        self._conns = {}


def full_rebuild(options: ClusterOptions, documents: Iterable[tuple[str, str, Iterable[dict[str, Any]]]],
                 on_switch: Callable[[Generation], None] | None = None) -> Generation:
    """Fill the inactive slot of every shard with (doc_id, sha, units) and switch to it."""
    writer = Writer(options, rebuild=True, on_switch=on_switch)
    try:
        for doc_id, sha, units in documents:
            writer.put(doc_id, sha, units)
    except BaseException:
        writer.abort()
        raise
    return writer.commit()
