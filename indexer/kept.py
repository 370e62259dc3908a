"""What the cross-check derives from one index generation, kept in the generation's folder for later processes.

An index generation never changes once committed, so whatever is computed from it alone (the regulations'
digest of the suggestion key, the articles in force, each fault kind's governing articles) holds for as long as
it is current. The first process that needs a value (`xuncha ingest`'s prepare, usually) computes and keeps it;
the others read it: measured on the whole corpus, these cost a new `xuncha check` process about 1.5 s
(stored fields of every regulation, the postings of every article, the reg_key lexicon once per fault kind).

Each file names its generation and a `tag`: a hash of what computed it (the code and data it depends on, see
`tag_of`), so that changed code reads no value of the old code. A damaged or unreadable file is computed
again; a read-only folder keeps the value in the process only. Writing a generation's file removes the files
of the same name for older generations (a process still on one computes its value again).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from array import array
from collections.abc import Callable
from pathlib import Path

PREFIX = "kept-"  # kept-<name>-<tag>-g<generation>.bin
MAGIC = b"XKP1"
_DOCS, _TEXT = b"D", b"T"


def tag_of(*parts: str | Path) -> str:
    """A short hash of strings and of files' bytes (a module's source: a change to it is a new tag)."""
    h = hashlib.sha1()
    for p in parts:
        h.update(p.read_bytes() if isinstance(p, Path) else p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:12]


def kept_docs(directory: Path | None, name: str, tag: str, generation: int,
              compute: Callable[[], set[int]]) -> set[int]:
    """Document numbers computed from a generation: read when kept, else computed and kept (a new set each call)."""
    path = _path(directory, name, tag, generation)
    raw = _read(path, _DOCS)
    if raw is not None and len(raw) % 4 == 0:
        docs = array("i")
        docs.frombytes(raw)
        return set(docs)
    found = compute()
    if path is not None:
        _write(path, _DOCS, array("i", sorted(found)).tobytes(), name, generation)
    return found


def kept_text(directory: Path | None, name: str, tag: str, generation: int, compute: Callable[[], str]) -> str:
    """A short text (a digest) computed from a generation: read when kept, else computed and kept."""
    path = _path(directory, name, tag, generation)
    raw = _read(path, _TEXT)
    if raw is not None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass  # damaged: computed again and written over
    text = compute()
    if path is not None:
        _write(path, _TEXT, text.encode("utf-8"), name, generation)
    return text


def _path(directory: Path | None, name: str, tag: str, generation: int) -> Path | None:
    return directory / f"{PREFIX}{name}-{tag}-g{generation}.bin" if directory is not None else None


def _read(path: Path | None, kind: bytes) -> bytes | None:
    """The payload of a kept file of this kind, or None (none kept, unreadable, damaged or cut short)."""
    if path is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 1 + 8
    if len(raw) < head or not raw.startswith(MAGIC + kind):
        return None
    size = int.from_bytes(raw[len(MAGIC) + 1:head], "little")
    return raw[head:] if len(raw) == head + size else None


def _write(path: Path, kind: bytes, payload: bytes, name: str, generation: int) -> None:
    """Keep a payload atomically (written whole, then renamed); older generations' files of `name` removed."""
    tmp: str | None = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".kept-", delete=False) as f:
            tmp = f.name
            f.write(MAGIC + kind + len(payload).to_bytes(8, "little") + payload)
        os.chmod(tmp, 0o644)  # as readable as the index's own files
        os.replace(tmp, path)
        tmp = None
        for old in path.parent.glob(f"{PREFIX}{name}-*-g*.bin"):
            digits = old.stem.rpartition("-g")[2]
            if digits.isdigit() and int(digits) < generation:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only index folder: the value stays in this process only
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
