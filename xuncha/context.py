"""What the command modules share (xuncha/cli.py and xuncha/ops_cli.py register their commands on one group, and
neither imports the other's helpers): the Settings of the invocation, the archive, a document by id or path."""

from __future__ import annotations

import json
import sqlite3

import click

from archive.database import Archive
from archive.records import DocumentRecord

from .settings import Settings


def settings_of(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings)  # type: ignore[return-value]


def open_archive(settings: Settings) -> Archive:
    try:
        return Archive.open(settings.db_path)
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise click.ClickException(f"cannot open the archive at {settings.db_path}: {exc}\n"
                                   "hint: set XUNCHA_HOME or --home to a writable folder") from exc


def find_document(archive: Archive, doc: str) -> DocumentRecord:
    """A document by id or ingested path, or a ClickException that says how to name one."""
    row = archive.document(doc)
    if row is None:
        raise click.ClickException(f"no document {doc!r} in the archive\n"
                                   "hint: use an id from `xuncha search`, or the path given to `xuncha ingest`")
    return row


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
