"""`xuncha user`, `xuncha token`, `xuncha watch` and `xuncha worker`: operators and background work (issue 16)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from archive import accounts
from archive.database import Archive

from .context import find_document, open_archive, settings_of


def _conn(ctx: click.Context) -> Archive:
    return open_archive(settings_of(ctx))


def _fail(exc: accounts.AccountError, hint: str) -> click.ClickException:
    return click.ClickException(f"{exc}\nhint: {hint}")


@click.group()
def user() -> None:
    """Operators who may write from the web UI (sign in with name and password)."""


@user.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.pass_context
def user_add(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Add an operator NAME; prompts for the password (twice), or reads it from stdin when piped."""
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.add_user(_conn(ctx), name, password)
    except accounts.AccountError as exc:
        raise _fail(exc, f"names are letters, digits or Chinese; passwords at least {accounts.MIN_PASSWORD} "
                         "characters; `xuncha user list` shows who exists") from exc
    click.echo(f"added operator {name}")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List operators."""
    users = accounts.list_users(_conn(ctx))
    if not users:
        click.echo("no operators: the web UI is read-only (add one with `xuncha user add NAME`)")
    for u in users:
        click.echo(f"{u.name}\t{u.created_at}")


@user.command("remove")
@click.argument("name")
@click.pass_context
def user_remove(ctx: click.Context, name: str) -> None:
    """Remove an operator (their tokens and saved searches go too; the audit trail keeps the name)."""
    try:
        accounts.remove_user(_conn(ctx), name)
    except accounts.AccountError as exc:
        raise _fail(exc, "`xuncha user list` shows the operators") from exc
    click.echo(f"removed operator {name}")


@click.group()
def token() -> None:
    """API tokens: `Authorization: Bearer <token>` on /api/ writes."""


@token.command("create")
@click.argument("name")
@click.option("--label", default="", help="What the token is for (shown in `xuncha token list`).")
@click.pass_context
def token_create(ctx: click.Context, name: str, label: str) -> None:
    """Create a token for operator NAME; it is printed once and stored only as a hash."""
    try:
        tok, secret = accounts.create_token(_conn(ctx), name, label)
    except accounts.AccountError as exc:
        raise _fail(exc, "add the operator first with `xuncha user add NAME`") from exc
    click.echo(secret)
    click.echo(f"token {tok.id} for {name}: keep it now, it is not shown again", err=True)


@token.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """List tokens (id, operator, prefix, state); never the secrets."""
    for t in accounts.list_tokens(_conn(ctx)):
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        click.echo(f"{t.id}\t{t.user_name}\t{t.prefix}…\t{t.label}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def token_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke token TOKEN_ID (from `xuncha token list`)."""
    try:
        accounts.revoke_token(_conn(ctx), token_id)
    except accounts.AccountError as exc:
        raise _fail(exc, "`xuncha token list` shows the ids") from exc
    click.echo(f"revoked token {token_id}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--once", is_flag=True, help="Wait for the files there now to settle, ingest them, and exit.")
@click.pass_context
def watch(ctx: click.Context, folder: Path | None, once: bool) -> None:
    """Ingest files dropped into FOLDER (default: the watch_dir setting) once they stop growing."""
    from webui.watch import Watcher

    settings = settings_of(ctx)
    folder = folder or (Path(settings.watch_dir) if settings.watch_dir else None)
    if folder is None:
        raise click.ClickException("no folder to watch\nhint: pass FOLDER or set watch_dir in xuncha.toml")
    _conn(ctx).close()
    watcher = Watcher(settings.job_options(), folder)
    folder.mkdir(parents=True, exist_ok=True)
    click.echo(f"watching {folder} (done/ and failed/ inside it; Ctrl-C to stop)", err=True)
    deadline = time.monotonic() + settings.watch_settle_s * 3 + 5
    try:
        while True:
            for t in watcher.scan_once():
                where = f" → {t.moved_to}" if t.moved_to else ""
                click.echo(f"{t.outcome}: {t.source}{where}" + (f" ({t.reason})" if t.reason else ""))
            if once and (not watcher.pending() or time.monotonic() > deadline):
                return
            time.sleep(min(1.0, settings.watch_settle_s / 2))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@click.command()
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit.")
@click.pass_context
def worker(ctx: click.Context, once: bool) -> None:
    """Run the upload and re-index job queue (`xuncha serve` runs one itself unless serve_worker = false)."""
    from webui.worker import Worker, WorkerBusy

    settings = settings_of(ctx)
    _conn(ctx).close()
    w = Worker(settings.job_options())
    try:
        w.claim()
    except WorkerBusy as exc:
        raise click.ClickException(f"{exc}\nhint: `xuncha serve` runs a worker itself unless serve_worker = false; "
                                   "run one or the other") from exc
    if once:
        n = 0
        while w.run_once():
            n += 1
        w.release()
        click.echo(f"{n} job(s) run")
        return
    click.echo("worker: waiting for jobs (Ctrl-C to stop)", err=True)
    w.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        w.stop()


@click.group()
def verdicts() -> None:
    """Inspectors' verdicts from the check page (issue 33), as judged pairs for the suggestion benchmark."""


@verdicts.command("export")
@click.option("--jsonl", is_flag=True, help="One JSON object per line (the only format, required).")
@click.option("--notice", "doc", default=None, help="Only this notice's verdicts (id or ingested path).")
@click.pass_context
def verdicts_export(ctx: click.Context, jsonl: bool, doc: str | None) -> None:
    """Print every verdict as a judged pair: measure_id, article_id, verdict, keep (适用 1, 不适用 0), user,
    notice_id, at, added, source. Extra judged data: keep it apart from the frozen test split's judgments."""
    import json

    if not jsonl:
        raise click.ClickException("choose the output format\nhint: xuncha verdicts export --jsonl > verdicts.jsonl")
    archive = _conn(ctx)
    doc_id = None
    if doc is not None:
        doc_id = find_document(archive, doc).id
    for v in archive.verdicts(doc_id):
        click.echo(json.dumps(v.to_json(), ensure_ascii=False))


def register(main: click.Group) -> None:
    for command in (user, token, watch, worker, verdicts):
        main.add_command(command)
