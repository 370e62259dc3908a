"""What the upload worker and the watch folder need (built from Settings by the entry points)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.options import IngestOptions
from indexer.options import IndexOptions, SearchOptions


@dataclass(frozen=True, slots=True)
class JobOptions:
    """The archive a job writes to, how it ingests and indexes, and the watch folder's behaviour."""

    home: Path
    ingest: IngestOptions
    index: IndexOptions
    search: SearchOptions  # after an index update, the cross-check's suggestions are prepared (indexer.checks)
    watch_dir: str = ""  # "" = none
    watch_settle_s: float = 2.0
    watch_keep: bool = False

    @property
    def db_path(self) -> Path:
        return self.home / "archive.sqlite3"
