"""`xuncha cluster up|status|down`: local Sphinx shards under the archive's folder, and `--backend` on the
commands that read or write the index (issue 32). Registered on the main group by `register(main)`.
"""

from __future__ import annotations

import dataclasses

import click

from .context import settings_of as _settings
from .settings import BACKENDS

BACKEND_COMMANDS = ("serve", "reindex", "search", "check")


def _choose_backend(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """--backend NAME: this command's Settings with that engine (over xuncha.toml and XUNCHA_BACKEND)."""
    if value:
        ctx.obj = dataclasses.replace(_settings(ctx), backend=value)


HINT = "hint: `xuncha cluster up --shards 2` starts shards on this machine; `xuncha cluster status` shows each"


@click.group()
def cluster() -> None:
    """Local Sphinx shards (searchd) for the distributed backend: up, status, down."""


@cluster.command()
@click.option("--shards", type=click.IntRange(1, 64), default=2, show_default=True, help="searchd processes.")
@click.option("--base-port", type=click.IntRange(1024, 65000), default=None,
              help="Shard i listens on base+2i (SphinxQL) and base+2i+1 (agents); default: sphinx_base_port.")
@click.pass_context
def up(ctx: click.Context, shards: int, base_port: int | None) -> None:
    """Start N searchd shards on loopback ports under HOME/cluster and wait until each answers."""
    from indexer.backends import cluster_up

    settings = _settings(ctx)
    try:
        rows = cluster_up(settings.index_root, shards, base_port or settings.sphinx_base_port)
    except (RuntimeError, ValueError, OSError) as exc:
        raise click.ClickException(f"{exc}\n{HINT}") from exc
    for r in rows:
        click.echo(f"shard {r.shard.number}: {r.shard.host}:{r.shard.sql_port} (agents {r.shard.api_port}) pid {r.pid}")
    click.echo(f"cluster: {len(rows)} shards up under {settings.cluster_dir}; "
               "set backend = \"sphinx\" in xuncha.toml (or --backend sphinx) and `xuncha reindex --full`")


@cluster.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Each shard: port, pid, up or down, units in the generation serving (exit 1 when one is down)."""
    import json

    from indexer.backends import cluster_status

    settings = _settings(ctx)
    try:
        rows = cluster_status(settings.index_root, settings.sphinx_agents)
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(f"{exc}\n{HINT}") from exc
    if as_json:
        click.echo(json.dumps([{"shard": r.shard.number, "host": r.shard.host, "port": r.shard.sql_port,
                                "agent_port": r.shard.api_port, "pid": r.pid, "up": r.up, "documents": r.documents,
                                "error": r.error} for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            state = "up" if r.up else f"down ({r.error})" if r.error else "down"
            docs = "" if r.documents is None else f", {r.documents} documents"
            click.echo(f"shard {r.shard.number}: {r.shard.host}:{r.shard.sql_port} pid {r.pid or '-'} {state}{docs}")
    if not all(r.up for r in rows):
        ctx.exit(1)


@cluster.command()
@click.pass_context
def down(ctx: click.Context) -> None:
    """Stop the shards started here (each saves its data first: `cluster up` serves it again, no rebuild)."""
    from indexer.backends import cluster_down

    settings = _settings(ctx)
    try:
        stopped, shards = cluster_down(settings.index_root, settings.sphinx_agents)
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(f"{exc}\n{HINT}") from exc
    click.echo(f"cluster: stopped {stopped} of {shards} shards")


def register(main: click.Group) -> None:
    """Add `cluster` and the --backend option of serve, reindex, search and check to the main group."""
    main.add_command(cluster)
    for name in BACKEND_COMMANDS:
        command = main.commands.get(name)
        if command is not None and not any(p.name == "backend" for p in command.params):
            command.params.append(click.Option(
                ["--backend"], type=click.Choice(BACKENDS), default=None, expose_value=False, is_eager=True,
                callback=_choose_backend, help="Search engine for this command (default: the backend setting)."))
