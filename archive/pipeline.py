"""The ingest pipeline: walk paths, read, extract, parse and store. The one module that touches files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from . import ids, links, store
from .database import Archive
from .models import Parsed
from .options import IngestOptions
from .extract import ExtractionError, ExtractorBug, extract_bytes, supported
from .parse import PARSER_VERSION, parse_document, region_and_category
from .regulation import parse_regulation
from .rulenames import in_party_folder, is_party_rule, level_of, with_full_names


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


def walk(paths: Iterable[str]) -> Iterator[tuple[str, Path | None, str | None, Path | None]]:
    """(source path as given, path, error, the folder it was found in) for every file below the given paths;
    errors for unreadable folders. A file named on its own has no folder: it is read wherever it points."""
    for given in paths:
        root = Path(given)
        if root.is_file() or (root.exists() and not root.is_dir()):
            yield given, root, None, None
            continue
        if not root.exists():
            yield given, None, "no such file or folder", None
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
            while errors:
                err = errors.pop()
                yield str(err.filename or dirpath), None, f"cannot read folder: {err.strerror or err}", None
            dirnames.sort()
            # os.walk lists links to folders with the folders but does not enter them: say so
            links = [name for name in dirnames if (Path(dirpath) / name).is_symlink()]
            for name in sorted(links + filenames):
                full = Path(dirpath) / name
                yield str(full), full, None, root
        for err in errors:
            yield str(err.filename or root), None, f"cannot read folder: {err.strerror or err}", None


def printable(path: str) -> str:
    """A path as text that can be printed and stored: each non-UTF-8 name (GBK from a Windows zip) read as GB18030."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    parts = []
    for raw in os.fsencode(path).split(b"/"):
        for codec, errors in (("utf-8", "strict"), ("gb18030", "strict"), ("utf-8", "backslashreplace")):
            try:
                parts.append(raw.decode(codec, errors))
                break
            except UnicodeDecodeError:
                continue
    return "/".join(parts)


class _Refused(Exception):
    """A file the pipeline does not read: outcome (skipped | failed) and the reason."""

    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome, self.reason = outcome, reason


_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device"}


def _escapes(path: Path, root: Path) -> str | None:
    """Where a symbolic link found in the folder root points, when that is outside root (else None)."""
    if not path.is_symlink():
        return None
    target = path.resolve()  # RuntimeError on a loop: the caller reports it
    inside = root.resolve()
    return None if target == inside or inside in target.parents else printable(str(target))


def _read(path: Path, options: IngestOptions, root: Path | None = None) -> bytes:
    """The bytes of one regular, supported file within the size limit; _Refused or OSError otherwise.
    A symbolic link found in the folder root that points out of it is refused, never read."""
    if path.is_dir():
        raise _Refused("skipped", "a link to a folder: not followed (ingest the folder itself)")
    if not supported(path):
        raise _Refused("skipped", f"unsupported file type {path.suffix or '(no suffix)'}")
    if path.name.startswith("~$"):
        raise _Refused("skipped", "an Office lock file (~$…), not a document")
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise _Refused("failed", f"broken symbolic link (to {printable(os.readlink(path))})") from None
        raise
    if root is not None and (target := _escapes(path, root)):
        raise _Refused("failed", f"a symbolic link out of the ingested folder (to {target}): not followed")
    limit = options.max_file_mb * 1024 * 1024

    def check(info: os.stat_result) -> None:
        if not stat.S_ISREG(info.st_mode):
            # reading a FIFO or a device would block the whole batch, or never end
            raise _Refused("skipped", f"not a regular file ({_KINDS.get(stat.S_IFMT(info.st_mode), 'special file')})")
        if info.st_size > limit:
            raise _Refused("failed", f"file too large ({info.st_size / 2**20:.0f} MB; the limit is "
                                     f"{options.max_file_mb} MB, setting max_file_mb)")

    check(info)
    # O_NONBLOCK: if the file was swapped for a FIFO since stat(), open() must not wait for a writer;
    # O_NOFOLLOW: nor, if a plain file was swapped for a link since the check, follow that link
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if root is not None and not path.is_symlink():
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        check(os.fstat(fh.fileno()))
        data = fh.read(limit + 1)  # never more than the limit, even if the file grew
    if len(data) > limit:
        raise _Refused("failed", f"file too large (more than {options.max_file_mb} MB, setting max_file_mb)")
    return data


def _scope(path: Path, root: Path | None) -> PurePath:
    """A file's path from the folder it was ingested with (corpus/party/x.md for `ingest corpus`), or its own
    folder and name when named alone: where a folder named party counts (not /srv/party/checkout/…)."""
    if root is not None:
        try:
            return PurePath(root.name, path.relative_to(root))
        except ValueError:
            pass
    return PurePath(path.parent.name, path.name)


def party_rules(parsed: Parsed, path: PurePath, name: str) -> Parsed:
    """What 党内法规 need of a parsed file: a 准则 or 若干规定 without 第…条 (classified other) is a regulation
    when it sits below party/ or its title names a Party rule; a notice's bare 《条例》 after a full mention
    is named after that rule."""
    party = in_party_folder(path) or is_party_rule(parsed.title, parsed.publisher)
    if party and (parsed.doc_type == "other" or (parsed.regulation and not parsed.regulation.articles)):
        reg = parse_regulation(parsed.text, title=parsed.title, file_name=name, items=True)
        if reg.articles:
            return Parsed(doc_type="regulation", title=reg.title, text=parsed.text, publisher=reg.issuer,
                          published=reg.version or reg.promulgated, regulation=reg,
                          warnings=parsed.warnings + reg.warnings)
    if parsed.notice:
        notice = with_full_names(parsed.notice, parsed.text)
        if notice is not parsed.notice:
            return replace(parsed, notice=notice)
    return parsed


def _ingest_one(archive: Archive, options: IngestOptions, source: str, path: Path, force: bool,
                root: Path | None = None) -> FileOutcome:
    try:
        data = _read(path, options, root)
        resolved = printable(str(path.resolve()))
    except _Refused as exc:
        return FileOutcome(source, exc.outcome, exc.reason)
    except (OSError, RuntimeError) as exc:  # RuntimeError: resolve() on a symlink loop
        return FileOutcome(source, "failed", f"cannot read: {getattr(exc, 'strerror', None) or exc}")
    sha = hashlib.sha256(data).hexdigest()
    doc_id = ids.document_id(resolved)
    row = archive.stored_file(resolved)
    if row and row.sha256 == sha and row.parser_version == PARSER_VERSION and not force:
        return FileOutcome(source, "unchanged", None, row.id)
    try:
        extracted = extract_bytes(data, path.suffix, options.extract)
    except ExtractionError as exc:
        return FileOutcome(source, "failed", str(exc))
    except ExtractorBug as exc:
        return FileOutcome(source, "failed", f"could not extract ({exc}); please report this")
    except Exception as exc:  # noqa: BLE001 - an extractor bug on one hostile file must not end the batch
        return FileOutcome(source, "failed", f"could not extract ({type(exc).__name__}: {str(exc)[:200]}); "
                                             "please report this")
    name = printable(path.name)
    try:
        parsed = parse_document(extracted, name)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file is reported, and the batch goes on
        return FileOutcome(source, "failed", f"could not parse ({type(exc).__name__}: {exc}); please report this")
    if not parsed.text.strip():
        return FileOutcome(source, "failed", "no text after normalisation")
    if name != path.name:
        parsed = replace(parsed, warnings=parsed.warnings + ("file name is not UTF-8: read as GB18030",))
    scope = _scope(path, root)
    parsed = party_rules(parsed, scope, name)
    region, category = region_and_category(Path(source), parsed.title, parsed.doc_type)
    if parsed.regulation:
        category = level_of(scope, parsed.title, parsed.regulation.issuer, category)
    store.keep_original(options.originals_dir, data, sha, path.suffix)
    try:
        with archive.transaction() as conn:
            store.write_document(conn, doc_id=doc_id, source_path=source, resolved_path=resolved, sha256=sha,
                                 parser_version=PARSER_VERSION, size=len(data), suffix=path.suffix.lower(),
                                 method=extracted.method, parsed=parsed, region=region, category=category)
    except sqlite3.OperationalError:
        # the archive itself cannot be written (disk full, locked, I/O error): every later file would
        # fail the same way, so stop; the transaction has rolled back, nothing is half written
        raise
    except Exception as exc:  # noqa: BLE001 - a record this file's data cannot satisfy (rolled back whole)
        return FileOutcome(source, "failed", f"could not store ({type(exc).__name__}: {exc}); please report this")
    return FileOutcome(source, "updated" if row else "added", None, doc_id)


def ingest(archive: Archive, options: IngestOptions, paths: Iterable[str], force: bool = False,
           progress: Callable[[FileOutcome], None] | None = None) -> IngestReport:
    """Ingest files and folders (recursively); one bad file never stops the batch."""
    report = IngestReport()
    for source, path, error, root in walk(paths):
        shown = printable(source)
        outcome = FileOutcome(shown, "failed", error) if path is None else \
            _ingest_one(archive, options, shown, path, force, root)
        if outcome.outcome != "unchanged":
            with archive.transaction() as conn:
                store.log(conn, outcome.source_path, outcome.outcome, outcome.reason, outcome.doc_id)
        report.outcomes.append(outcome)
        if progress:
            progress(outcome)
    links.refresh(archive)  # units and problem links follow the notices (incremental; a no-op when current)
    return report
