"""The ingest pipeline: walk paths, read, extract, parse and store. The one module that touches files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xuncha.settings import Settings

from . import store
from .extract import ExtractionError, extract_bytes, supported
from .parse import PARSER_VERSION, parse_document, region_and_category


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file."""

    source_path: str
    outcome: str  # added | updated | unchanged | failed | skipped
    reason: str | None = None
    doc_id: str | None = None


@dataclass(slots=True)
class IngestReport:
    """Counts and the failures of one ingest run."""

    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.outcome == "failed"]

    @property
    def changed_ids(self) -> list[str]:
        return [o.doc_id for o in self.outcomes if o.outcome in ("added", "updated") and o.doc_id]


def walk(paths: Iterable[str]) -> Iterator[tuple[str, Path | None, str | None]]:
    """(source path as given, path, error) for every file below the given paths; errors for unreadable folders."""
    for given in paths:
        root = Path(given)
        if root.is_file() or (root.exists() and not root.is_dir()):
            yield given, root, None
            continue
        if not root.exists():
            yield given, None, "no such file or folder"
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
            while errors:
                err = errors.pop()
                yield str(err.filename or dirpath), None, f"cannot read folder: {err.strerror or err}"
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                yield str(full), full, None
        for err in errors:
            yield str(err.filename or root), None, f"cannot read folder: {err.strerror or err}"


def _ingest_one(conn: sqlite3.Connection, settings: Settings, source: str, path: Path, force: bool) -> FileOutcome:
    if not supported(path):
        return FileOutcome(source, "skipped", f"unsupported file type {path.suffix or '(no suffix)'}")
    try:
        resolved = str(path.resolve())
        size = path.stat().st_size
        if size > settings.max_file_mb * 1024 * 1024:
            return FileOutcome(source, "failed", f"file too large ({size / 2**20:.0f} MB; the limit is "
                                                 f"{settings.max_file_mb} MB, setting max_file_mb)")
        data = path.read_bytes()
    except OSError as exc:
        return FileOutcome(source, "failed", f"cannot read: {exc.strerror or exc}")
    sha = hashlib.sha256(data).hexdigest()
    doc_id = store.doc_id_for(resolved)
    row = store.existing(conn, resolved)
    if row and row["sha256"] == sha and row["parser_version"] == PARSER_VERSION and not force:
        return FileOutcome(source, "unchanged", None, row["id"])
    try:
        extracted = extract_bytes(data, path.suffix, settings)
    except ExtractionError as exc:
        return FileOutcome(source, "failed", str(exc))
    try:
        parsed = parse_document(extracted, path.name)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file is reported, and the batch goes on
        return FileOutcome(source, "failed", f"could not parse ({type(exc).__name__}: {exc}); please report this")
    if not parsed.text.strip():
        return FileOutcome(source, "failed", "no text after normalisation")
    region, category = region_and_category(Path(source), parsed.title, parsed.doc_type)
    store.keep_original(settings.originals_dir, data, sha, path.suffix)
    with store.transaction(conn):
        store.write_document(conn, doc_id=doc_id, source_path=source, resolved_path=resolved, sha256=sha,
                             parser_version=PARSER_VERSION, size=size, suffix=path.suffix.lower(),
                             method=extracted.method, parsed=parsed, region=region, category=category)
    return FileOutcome(source, "updated" if row else "added", None, doc_id)


def ingest(conn: sqlite3.Connection, settings: Settings, paths: Iterable[str], force: bool = False,
           progress: Callable[[FileOutcome], None] | None = None) -> IngestReport:
    """Ingest files and folders (recursively); one bad file never stops the batch."""
    report = IngestReport()
    for source, path, error in walk(paths):
        outcome = FileOutcome(source, "failed", error) if path is None else \
            _ingest_one(conn, settings, source, path, force)
        if outcome.outcome != "unchanged":
            with store.transaction(conn):
                store.log(conn, outcome.source_path, outcome.outcome, outcome.reason, outcome.doc_id)
        report.outcomes.append(outcome)
        if progress:
            progress(outcome)
    return report
