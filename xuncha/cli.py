"""xuncha: a click group of thin commands over the archive, the indexer and the web UI."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.database import Archive

from .context import echo_json as _echo_json
from .context import find_document as _find
from .context import open_archive as _open
from .context import settings_of as _settings
from .settings import Settings, load_settings

if TYPE_CHECKING:  # the extractors (trafilatura, docx, openpyxl) load in a second: only ingest imports them
    from archive.pipeline import FileOutcome


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
@click.option("--no-index", is_flag=True, help="Store only; leave the search index for `xuncha reindex`.")
@click.option("--wait", "wait_s", type=float, default=0.0, help="Seconds to wait for another index writer.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], force: bool, no_index: bool, wait_s: float) -> None:
    """Ingest files and folders (recursively) into the archive."""
    from archive.pipeline import ingest as run_ingest
    from indexer.progress import meter

    settings = _settings(ctx)
    archive = _open(settings)
    bar = meter("ingested", "files")

    def progress(outcome: FileOutcome) -> None:
        bar.update(1)

    try:
        report = run_ingest(archive, settings.ingest_options(), paths, force=force, progress=progress)
    except (sqlite3.OperationalError, OSError) as exc:
        bar.close()
        raise click.ClickException(f"the archive at {settings.home} cannot be written: {exc}\n"
                                   "hint: check free disk space and permissions; files stored so far are kept") from exc
    bar.close()
    counts = Counter(o.outcome for o in report.outcomes)
    click.echo(f"{len(report.outcomes)} files: {counts['added']} added, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged, {counts['failed']} failed, {counts['skipped']} skipped")
    types = archive.type_counts(o.doc_id for o in report.outcomes if o.doc_id)
    if types:
        click.echo("documents: " + ", ".join(f"{n} {t}" for t, n in sorted(types.items())))
    # notices stored as plain documents because their layout matched no known structure (issue 12)
    unrecognised = [o.source_path for o in report.outcomes if o.doc_id and any(
        w.startswith("structure not recognised") for w in archive.warnings(o.doc_id))]
    if unrecognised:
        click.echo(f"{len(unrecognised)} notices with unrecognised structure: {', '.join(unrecognised)}")
    for o in report.outcomes:
        if o.outcome == "skipped":
            click.echo(f"skipped: {o.source_path}: {o.reason}")
    for o in report.failures:
        click.echo(f"failed: {o.source_path}: {o.reason}", err=True)
    if not no_index:
        _run_index(ctx, archive, settings, full=False, if_needed=False, wait_s=wait_s)
    ctx.exit(1 if report.failures else 0)


def _print_document(doc: dict) -> None:
    click.secho(doc["title"], bold=True)
    fields = [("id", doc["id"]), ("type", doc["doc_type"]), ("publisher", doc.get("publisher")),
              ("published", doc.get("published")), ("source", doc["source_path"])]
    for key in ("inspected_unit", "inspecting_body", "inspection_start", "inspection_end", "feedback_date",
                "stated_counts", "round_label", "revisit", "stage", "as_of", "short_title", "version", "issuer", "region", "category"):
        if doc.get(key):
            fields.append((key, doc[key]))
    stated = {k: v for k, v in (doc.get("progress") or {}).items() if v is not None}
    if stated:
        fields.append(("progress", " ".join(f"{k}={v:g}" for k, v in stated.items())))
    for key, value in fields:
        if value:
            click.echo(f"  {key:16} {value}")
    for w in doc["warnings"]:
        click.secho(f"  warning: {w}", fg="yellow")
    for cat in doc.get("categories", []):
        click.echo()
        label = f"({cat['number']}) " if cat["number"] else ""
        click.secho(f"{label}{cat['title']}", bold=True)
        for p in [u for top in cat["problems"] for u in (top, *top.get("subproblems", []))]:
            state = " ".join(x for x in (p.get("status"), p.get("deadline"), p.get("responsible")) if x)
            click.echo(f"  {'  ' if p.get('parent_id') or p not in cat['problems'] else ''}{p['number']}. "
                       f"{p['title']}" + (f"  [{state}]" if state else ""))
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
    archive = _open(_settings(ctx))
    data = archive.detail(_find(archive, doc)).to_json()
    if as_json:
        _echo_json(data)
    else:
        _print_document(data)


def _index_progress(total: int | None = None):  # type: ignore[no-untyped-def]
    from indexer.progress import meter

    return meter("indexed", "documents", total)


def _run_index(ctx: click.Context, archive: Archive, settings: Settings, full: bool, if_needed: bool,
               wait_s: float) -> None:
    from indexer.backend import BuildFailed, IndexBusy
    from indexer.backends import reindex as run_reindex

    bar = _index_progress(len(archive.hashes()) if full else None)
    try:
        report = run_reindex(archive, settings.index_options(), full=full, if_needed=if_needed, progress=bar.update, wait_s=wait_s)
    except IndexBusy as exc:
        raise click.ClickException(f"{exc}\nhint: wait for it, or pass --wait SECONDS") from exc
    except BuildFailed as exc:
        bar.close()
        raise click.ClickException(f"{str(exc).splitlines()[0]}\nhint: the previous index is still in place and "
                                   "searchable; fix the cause, then run `xuncha reindex --full`") from exc
    except KeyboardInterrupt:
        bar.close()
        click.echo("interrupted: the previous index is still in place and searchable", err=True)
        ctx.exit(130)
    bar.close()
    rate = report.documents / report.seconds if report.seconds else 0.0
    if report.mode == "none":
        click.echo("index: up to date")
    else:
        why = f" ({report.reason})" if report.reason else ""
        click.echo(f"index: {report.mode}{why}: {report.documents} documents, {report.grains} entries, "
                   f"{report.removed} removed in {report.seconds:.1f} s ({rate:.0f} documents/s); "
                   f"texts segmented {report.segmented}, kept tokens reused {report.reused}")
    _prepare_checks(archive, settings)


def _prepare_checks(archive: Archive, settings: Settings) -> None:
    """The cross-check's suggested articles for every notice, kept for the current index (indexer/checks.py)."""
    from indexer.checks import prepare
    from indexer.search import SearchService

    done = prepare(archive, SearchService(settings.search_options()))
    if done.measures:
        click.echo(f"cross-check: suggestions ready for {done.measures} measures of {done.notices} notices "
                   f"in {done.seconds:.1f} s")


@main.command()
@click.option("--full", is_flag=True, help="Build a new index from the whole archive and swap it in.")
@click.option("--if-needed", is_flag=True, help="Rebuild only if the schema or dictionary version changed.")
@click.option("--wait", "wait_s", type=float, default=0.0, help="Seconds to wait for another writer.")
@click.pass_context
def reindex(ctx: click.Context, full: bool, if_needed: bool, wait_s: float) -> None:
    """Update the search index from the archive (only what changed, unless --full)."""
    settings = _settings(ctx)
    _run_index(ctx, _open(settings), settings, full, if_needed, wait_s)


def _print_results(results: object) -> None:
    import html

    from indexer.search import Results

    assert isinstance(results, Results)
    note = ""
    if results.relaxed:
        note = (f"（全部词同时出现的仅 {results.full_matches} 条，已按“或”放宽：另有 {results.relaxed_total} 条部分匹配"
                + (f"，列出 {results.relaxed_shown} 条" if results.relaxed_shown < results.relaxed_total else "") + "）")
    click.echo(f"{results.total} hits{note}, page {results.page}/{results.pages}")
    for i, h in enumerate(results.hits, (results.page - 1) * results.per_page + 1):
        where = {"article": h.article, "problem": f"问题{h.problem}" if h.problem else None,
                 "measure": f"问题{h.problem} 措施{h.measure}"}.get(h.kind) or ""
        click.secho(f"{i:>3}. [{h.kind}] {h.doc_title} {where}  ({h.score:.2f})", bold=True)
        # <mark> becomes bold red in a terminal (click drops the colour codes when piped)
        start, end = click.style("", fg="red", bold=True, reset=False), "\x1b[0m"
        click.echo("     " + html.unescape(h.snippet.replace("<mark>", start).replace("</mark>", end)))
        click.echo(f"     id={h.id}  {h.source_path}")


@main.command()
@click.argument("query")
@click.option("--kind", type=click.Choice(["document", "problem", "measure", "article"]), default=None,
              help="Grain to search at (default: all).")
@click.option("--type", "doc_type", type=click.Choice(["notice", "regulation", "other"]), default=None,
              help="Only documents of this type.")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Facet filter, e.g. --filter year=2021 (repeatable).")
@click.option("--limit", type=click.IntRange(1, 100), default=10, help="Hits per page.")
@click.option("--page", type=click.IntRange(1, 10_000), default=1)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--json", "as_json", is_flag=True, help="Print {total, hits, facets} as JSON.")
@click.pass_context
def search(ctx: click.Context, query: str, kind: str | None, doc_type: str | None, filters: tuple[str, ...],
           limit: int, page: int, sort: str, as_json: bool) -> None:
    """Search the archive."""
    from indexer.backend import NoIndex
    from indexer.search import SearchError, SearchService

    parsed: dict[str, str] = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--filter")
        parsed[key.strip()] = value.strip()
    if doc_type:
        parsed["doc_type"] = doc_type
    try:
        results = SearchService(_settings(ctx).search_options()).search(query, parsed, page=page, per_page=limit, sort=sort,
                                                       kind=kind)
    except NoIndex as exc:
        raise click.ClickException(f"{exc}") from exc
    except SearchError as exc:
        raise click.ClickException(f"{exc}\nhint: see `xuncha search --help`") from exc
    if as_json:
        _echo_json(results.to_json())
    else:
        _print_results(results)


@main.command()
@click.argument("doc")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--suggest", type=click.IntRange(0, 10), default=3, help="Suggested articles per measure.")
@click.pass_context
def check(ctx: click.Context, doc: str, as_json: bool, suggest: int) -> None:
    """Cross-check a notice: resolve its citations and suggest articles for each measure."""
    from indexer.backend import NoIndex
    from indexer.checks import notice_suggester
    from indexer.search import SearchService

    from archive.crosscheck import NotANotice, check_notice
    from archive.kinds import DocType

    settings = _settings(ctx)
    archive = _open(settings)
    record = _find(archive, doc)
    try:
        # jieba loads only if a measure's suggestions are not kept (one read for the notice's kept ones)
        service = SearchService(settings.search_options(), warm=False) if suggest else None
        suggester = notice_suggester(service, archive, record, suggest) if service and record.doc_type == DocType.NOTICE \
            else None
        report = check_notice(archive, record, suggester, suggest)
    except NotANotice as exc:
        raise click.ClickException(f"{exc}\nhint: pass a notice's id or path") from exc
    except NoIndex as exc:
        raise click.ClickException(f"{exc}\nhint: or pass --suggest 0 to skip suggestions") from exc
    if as_json:
        _echo_json(report.to_json())
        return
    click.secho(f"{report.title}  ({report.published or '日期不明'})", bold=True)
    click.secho("\n引用核查", bold=True)
    for c in report.citations:
        where = f"问题{c.problem}" + (f" 措施{c.measure}" if c.measure else "")
        target = ""
        if c.regulation:
            target = (f" → {c.regulation.title} ({c.regulation.version or '版本不明'}) "
                      f"{c.resolution.article_label or ''}")
        color = "green" if c.status == "resolved" else "yellow"
        click.echo(f"  {where:12} 《{c.title}》{c.article or ''}")
        click.secho(f"               {c.label}{target}  [{c.resolution.reason}]", fg=color)
    bare = [m for m in report.measures if not m.cites]
    click.secho(f"\n整改措施 ({len(report.measures)}，其中 {len(bare)} 条未引用任何法规)", bold=True)
    for m in report.measures:
        figs = "、".join(f.text for f in m.figures)
        click.echo(f"  问题{m.problem} 措施{m.measure}{'  [未引用]' if not m.cites else ''}{'  ' + figs if figs else ''}")
        for s in m.suggested:
            click.echo(f"      ↳ {s.doc_title} {s.article}  [{s.reason}]")
        if m.abstained:
            click.echo(f"      ↳ {m.suggestion_note}（问题类型：{m.fault_kind}）")


@main.command()
@click.option("--fix", is_flag=True, help="Repair what disagrees (originals, leftovers, the index).")
@click.pass_context
def doctor(ctx: click.Context, fix: bool) -> None:
    """Check that the records, the stored originals and the index agree (exit 1 if they do not)."""
    from archive import doctor as archive_doctor
    from indexer.backends import check as check_index
    from indexer.backends import remove_unfinished

    settings = _settings(ctx)
    archive = _open(settings)
    problems = archive_doctor.check(archive, settings.originals_dir)
    health = check_index(settings.index_options(), archive.hashes())
    lines = [f"{p.kind}: {p.subject}: {p.detail}" for p in problems]
    if health.reason:
        lines.append(f"index: needs a full rebuild ({health.reason})")
    for label, ids in (("not in the index", health.missing), ("indexed at an old version", health.stale),
                       ("indexed but no longer stored", health.extra),
                       ("unfinished index generation", health.unfinished)):
        lines += [f"index: {label}: {i}" for i in ids]
    if not lines:
        click.echo(f"doctor: {settings.home}: records, originals and index agree")
        return
    for line in lines:
        click.echo(line)
    if not fix:
        click.echo(f"doctor: {len(lines)} problems\nhint: run `xuncha doctor --fix` to repair them")
        ctx.exit(1)
    unrepaired = 0
    for p, what in archive_doctor.fix(archive, settings.originals_dir, problems):
        unrepaired += what.startswith("not repaired")
        click.echo(f"fixed {p.kind}: {p.subject}: {what}")
    for name in remove_unfinished(settings.index_options()):
        click.echo(f"fixed index: removed unfinished generation {name}")
    if not health.ok and (health.reason or health.missing or health.stale or health.extra):
        _run_index(ctx, archive, settings, full=bool(health.reason), if_needed=False, wait_s=30.0)
    if unrepaired:
        raise click.ClickException(f"{unrepaired} problems could not be repaired\n"
                                   "hint: ingest the named files again")
    click.echo("doctor: repaired")


from .ops_cli import register as _register_ops  # noqa: E402 - user, token, watch, worker (issue 16)

_register_ops(main)

from .links_cli import register as _register_links  # noqa: E402 - links, unit (issue 30)

_register_links(main)

from .serve_cli import register as _register_serve  # noqa: E402 - serve

_register_serve(main)

from .cluster_cli import register as _register_cluster  # noqa: E402 - cluster up/status/down, --backend (issue 32)

_register_cluster(main)

if __name__ == "__main__":  # python -m xuncha.cli, as python -m xuncha (__main__.py)
    main()
