"""xuncha: a click group of thin commands over the archive, the indexer and the web UI."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import click

from archive import records, store
from archive.pipeline import FileOutcome, ingest as run_ingest

from .settings import Settings, load_settings


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings)  # type: ignore[return-value]


def _open(settings: Settings) -> sqlite3.Connection:
    try:
        return store.connect(settings.db_path)
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise click.ClickException(f"cannot open the archive at {settings.db_path}: {exc}\n"
                                   "hint: set XUNCHA_HOME or --home to a writable folder") from exc


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group()
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Archive folder (default: $XUNCHA_HOME or ./xuncha-data).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TOML settings file (default: $XUNCHA_CONFIG or HOME/xuncha.toml).")
@click.version_option(package_name="xuncha")
@click.pass_context
def main(ctx: click.Context, home: Path | None, config: Path | None) -> None:
    """巡察整改档案检索 — archive and search rectification notices and regulations."""
    try:
        ctx.obj = load_settings(config, home=home)
    except ValueError as exc:
        raise click.ClickException(f"{exc}\nhint: fix the setting or unset it") from exc


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Re-parse files even when their bytes are unchanged.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], force: bool) -> None:
    """Ingest files and folders (recursively) into the archive."""
    from tqdm import tqdm

    settings = _settings(ctx)
    conn = _open(settings)
    bar = tqdm(desc="ingest", unit=" files", file=sys.stderr, disable=None, dynamic_ncols=True)

    def progress(outcome: FileOutcome) -> None:
        bar.update(1)

    report = run_ingest(conn, settings, paths, force=force, progress=progress)
    bar.close()
    counts = Counter(o.outcome for o in report.outcomes)
    click.echo(f"{len(report.outcomes)} files: {counts['added']} added, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged, {counts['failed']} failed, {counts['skipped']} skipped")
    types = Counter(r["doc_type"] for r in conn.execute(
        "SELECT doc_type FROM documents WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([o.doc_id for o in report.outcomes if o.doc_id]),)))
    if types:
        click.echo("documents: " + ", ".join(f"{n} {t}" for t, n in sorted(types.items())))
    for o in report.outcomes:
        if o.outcome == "skipped":
            click.echo(f"skipped: {o.source_path}: {o.reason}")
    for o in report.failures:
        click.echo(f"failed: {o.source_path}: {o.reason}", err=True)
    ctx.exit(1 if report.failures else 0)


def _print_document(doc: dict) -> None:
    click.secho(doc["title"], bold=True)
    fields = [("id", doc["id"]), ("type", doc["doc_type"]), ("publisher", doc.get("publisher")),
              ("published", doc.get("published")), ("source", doc["source_path"])]
    for key in ("inspected_unit", "inspecting_body", "inspection_start", "inspection_end", "feedback_date",
                "stated_counts", "short_title", "version", "issuer", "region", "category"):
        if doc.get(key):
            fields.append((key, doc[key]))
    for key, value in fields:
        if value:
            click.echo(f"  {key:16} {value}")
    for w in doc["warnings"]:
        click.secho(f"  warning: {w}", fg="yellow")
    for cat in doc.get("categories", []):
        click.echo()
        label = f"({cat['number']}) " if cat["number"] else ""
        click.secho(f"{label}{cat['title']}", bold=True)
        for p in cat["problems"]:
            click.echo(f"  {p['number']}. {p['title']}")
            for m in p["measures"]:
                cites = "".join(f" 《{c['title']}》{c['article'] or ''}" for c in m["citations"])
                figs = ", ".join(f["text"] for f in m["figures"])
                text = m["text"] if len(m["text"]) <= 70 else m["text"][:70] + "…"
                click.echo(f"     {m['number']}) {text}")
                if cites or figs:
                    click.secho(f"        {cites.strip()}{'  ' if cites and figs else ''}{figs}", fg="cyan")
    chapter = None
    for a in doc.get("articles", []):
        if a["chapter"] != chapter:
            chapter = a["chapter"]
            click.secho(f"\n{chapter or ''}", bold=True)
        text = a["text"].replace("\n", " ")
        click.echo(f"  {a['label']} {text[:80]}{'…' if len(text) > 80 else ''}")
    if doc.get("text"):
        click.echo()
        click.echo(doc["text"][:2000])


@main.command()
@click.argument("doc")
@click.option("--json", "as_json", is_flag=True, help="Print the structured record as JSON.")
@click.pass_context
def show(ctx: click.Context, doc: str, as_json: bool) -> None:
    """Show one document's structured record (DOC: an id, or the path it was ingested from)."""
    conn = _open(_settings(ctx))
    row = records.find_document(conn, doc)
    if row is None:
        raise click.ClickException(f"no document {doc!r} in the archive\n"
                                   "hint: use an id from `xuncha search`, or the path given to `xuncha ingest`")
    data = records.document_json(conn, row)
    if as_json:
        _echo_json(data)
    else:
        _print_document(data)
