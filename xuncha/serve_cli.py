"""`xuncha serve`: the web UI over the archive, with a production WSGI server, its index opened and its first pages
warmed before it accepts."""

from __future__ import annotations

import threading

import click

from archive.database import Archive

from .context import settings_of
from .settings import Settings


@click.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 5000).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, help="Worker threads per process.")
@click.option("--processes", type=click.IntRange(0, 64), default=None,
              help="Server processes sharing the port (default: the serve_processes setting; 0: one per core).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, threads: int, processes: int | None) -> None:
    """Serve the web UI over the archive in XUNCHA_HOME with a production WSGI server (waitress)."""
    import os

    from webui import create_app
    from webui.ops import start_background

    from .serving import serve as run
    from .serving import settle

    settings = settings_of(ctx)
    host, port = host or settings.host, port or settings.port
    count = settings.serve_processes if processes is None else processes
    count = count or (os.cpu_count() or 1)

    def make_app(index: int):  # type: ignore[no-untyped-def]
        app = create_app(settings)
        _open_index(app)  # before this process accepts: its first request does not open it
        settle()
        if index == 0:
            start_background(app)  # the job worker, and the watch folder when watch_dir is set: one process only
        threading.Thread(target=_warm, args=(app, settings), name="xuncha-warm", daemon=True).start()
        return app

    click.echo(f"xuncha: serving {settings.home} on http://{host}:{port}/ with {count} process(es) of {threads} "
               "threads (Ctrl-C to stop)")
    if host in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"xuncha: bound to {host}: only this computer can connect (set host, e.g. --host 0.0.0.0, "
                   "to serve the network)")
    else:
        click.echo(f"xuncha: listening on {host}: other computers can connect (reading is open; writes need an operator)")
    # the dictionary and the synonyms before any process is forked: each child shares them instead of loading
    # them while its first request waits on the open port (measured: a server's first page 2.1–3.0 s → below 1 s)
    from indexer.analysis import load_segmenter
    from indexer.query import load_synonyms

    load_segmenter()
    load_synonyms()
    settle()
    try:
        status = run(make_app, host, port, threads, count)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}\nhint: pass another --port, or stop "
                                   "the program using it") from exc
    ctx.exit(status)


def _open_index(app) -> None:  # type: ignore[no-untyped-def]
    """Open the search index and its facet tables (kept beside it by indexer.checks.prepare)."""
    from indexer.backend import NoIndex

    try:
        app.extensions["xuncha.search"].keep_tables()
    except NoIndex:
        pass  # nothing ingested yet: the pages say so


WARM_NOTICES = 32  # the check page's cache holds this many reports


def _warm(app, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Load what first requests would otherwise wait for: the index's per-generation tables (one
    search) and the cross-check reports of the newest notices (their suggestions cost about a
    second each on the whole corpus). Best effort: a failure here only means a slower first load."""
    from archive.kinds import DocType

    client = app.test_client()
    try:
        client.get("/?q=%E6%95%B4%E6%94%B9")
        with Archive.open(settings.db_path) as archive:  # not every document's text: only the notices warmed
            notices = archive.documents_of_type(DocType.NOTICE, WARM_NOTICES)
        for d in notices:
            client.get(f"/doc/{d.id}/check")
    except Exception as exc:  # noqa: BLE001 - warm-up must never stop the server
        click.echo(f"xuncha: warm-up stopped early ({type(exc).__name__}: {exc})", err=True)


def register(main: click.Group) -> None:
    main.add_command(serve)
