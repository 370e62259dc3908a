"""What the web UI's blueprints share: this app's Settings, its one SearchService, the request's archive, a
document or a 404 (the blueprints import these from here; webui/__init__.py builds the app and imports them)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from flask import current_app, g
from werkzeug.exceptions import NotFound

from archive.database import Archive
from archive.records import DocumentRecord
from indexer.options import SearchOptions
from indexer.search import SearchService

from .options import JobOptions


class Settings(Protocol):
    """What the web UI reads of the Settings its caller (xuncha.cli, the tests) builds: xuncha.settings.Settings
    has all of it (the web UI does not import the CLI's layer)."""

    home: Path
    watch_dir: str
    serve_worker: bool
    max_file_mb: int
    max_query_chars: int
    per_page: int
    upload_max_mb: int
    export_max_rows: int
    login_attempts: int
    login_window_s: int

    @property
    def db_path(self) -> Path: ...

    @property
    def originals_dir(self) -> Path: ...

    def job_options(self) -> JobOptions: ...

    def search_options(self) -> SearchOptions: ...


def settings() -> Settings:
    """The app's Settings."""
    return current_app.config["XUNCHA_SETTINGS"]


def search_service() -> SearchService:
    """The app's one SearchService."""
    return current_app.extensions["xuncha.search"]


def get_archive() -> Archive:
    """This request's archive (its SQLite connection), opened on first use."""
    if "archive" not in g:
        g.archive = Archive.open(settings().db_path)
    return g.archive


def close_db(exc: BaseException | None = None) -> None:
    """Close the request's archive, if one was opened."""
    archive = g.pop("archive", None)
    if archive is not None:
        archive.close()


def load_document(doc_id: str) -> DocumentRecord:
    """A document by id (or ingested path), or a 404 in both languages."""
    doc = get_archive().document(doc_id) if doc_id and "\x00" not in doc_id else None
    if doc is None:
        raise not_found(f"doc_id: no document {doc_id[:80]!r} in the archive",
                        "档案中没有这份文件，链接可能有误，或文件已被移出档案。")
    return doc


def not_found(message: str, zh: str) -> NotFound:
    """A 404 with an English description (for JSON) and a Chinese message (for pages)."""
    exc = NotFound(description=message)
    exc.zh = zh  # type: ignore[attr-defined]
    return exc
