"""`xuncha links` and `xuncha unit …` (issue 30): units, rounds and problem links, a public contract."""

from __future__ import annotations

import getpass
import json

import click

from archive import linkfit
from archive.database import Archive
from archive.linkreviews import Review
from archive.links import NotReviewable, correct, fit_drift, refresh, review, reviews_in_force
from archive.records import UnitRecord
from archive.units import Correction
from indexer.backend import BuildFailed, IndexBusy, NoIndex
from indexer.backends import update

from .context import open_archive, settings_of

UNIT_HINT = "hint: `xuncha unit list` names every unit (an id, a name or any alias will do)"


def _archive(ctx: click.Context, full: bool = False) -> Archive:
    archive = open_archive(settings_of(ctx))
    report = refresh(archive, full=full)  # derived data: brought up to the archive's state before it is read
    if full:
        click.echo(f"relinked in full: {report.notices} notices, {report.pairs} candidate pairs scored, "
                   f"{report.links} links, {report.clusters} common problems", err=True)
        _reindex(ctx, archive)  # the refit may move a link: the index's recurring/common facets follow
    return archive


def _unit(archive: Archive, ref: str) -> UnitRecord:
    unit = archive.unit(ref)
    if unit is None:
        raise click.ClickException(f"no unit {ref!r} in the archive\n{UNIT_HINT}")
    return unit


def links_json(archive: Archive) -> dict:
    """The documented shape of `xuncha links --json`."""
    return {
        "units": [u.to_json() for u in archive.units()],
        "recurring": [{"from": l.a, "to": l.b, "score": l.score, "explicit": l.explicit, "reason": l.reason}
                      for l in archive.problem_links("recurring")],
        "same_round": [{"a": l.a, "b": l.b, "score": l.score} for l in archive.problem_links("same_round")],
        "common": [c.to_json() for c in archive.common_clusters()],
    }


def timeline(archive: Archive, unit: UnitRecord) -> list[str]:
    """One unit's notices in round order, each problem with its status history and recurring links."""
    lines = [f"{unit.name}  ({unit.id}; {unit.kind}{'; ' + unit.region if unit.region else ''})"]
    if len(unit.aliases) > 1:
        lines.append("  aliases: " + "、".join(unit.aliases))
    titles = {}
    for n in archive.unit_notices(unit.id):
        for cat in archive.notice_tree(n.doc_id):
            for top in cat.problems:
                for p in top.with_units():
                    titles[p.id] = (n, p)
    round_key = None
    histories = archive.status_histories(unit.id)
    for n in archive.unit_notices(unit.id):
        if n.round_key != round_key:
            round_key = n.round_key
            lines.append("")
            lines.append(f"{n.round_label}")
        lines.append(f"  [{n.stage}] {n.on_date or '日期不明'}  {n.title}  ({n.doc_id})")
        if n.warning:
            lines.append(f"    warning: {n.warning}")
        for pid, (owner, p) in titles.items():
            if owner.doc_id != n.doc_id:
                continue
            lines.append(f"    {p.number}. {p.title}  [{p.status or '未说明'}]  ({p.id})")
            history = histories.get(p.id, ())
            if len(history) > 1:
                lines.append("       status: " + " → ".join(f"{s.on_date or '?'} {s.status or '未说明'}"
                                                           for s in history))
            for link in archive.problem_links("recurring", p.id):
                other = link.a if link.b == p.id else link.b
                word = "recurs in" if link.a == p.id else "repeats"
                where = titles.get(other)
                label = f"{where[0].round_label} {where[1].number}. {where[1].title}" if where else other
                lines.append(f"       {word} {label}  (score {link.score:.2f}{', explicit' if link.explicit else ''}; "
                             f"{link.reason})")
    rejected = [r for r, applied in reviews_in_force(archive) if applied and r.verdict is Review.DIFFERENT
                and r.a in titles and r.b in titles]
    if rejected:
        lines += ["", "rejected (not the same fault, `xuncha link clear A B` takes it back):"]
        lines += [f"  {titles[r.a][0].round_label} {titles[r.a][1].number}. {r.a_title}  ≠  {titles[r.b][0].round_label} "
                  f"{titles[r.b][1].number}. {r.b_title}  ({r.a} ~ {r.b}; {r.user}, {r.at})" for r in rejected]
    return lines


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print units, recurring, same_round and common as JSON.")
@click.option("--unit", "unit_ref", default=None, metavar="NAME", help="Print one unit's timeline as text.")
@click.option("--full", is_flag=True, help="Relink the whole archive first, fitting the scores' term weights, "
              f"related terms and fault kinds again (an ingest keeps the fit until {linkfit.REFIT_SHARE:.0%} of the "
              "problems changed).")
@click.pass_context
def links(ctx: click.Context, as_json: bool, unit_ref: str | None, full: bool) -> None:
    """Units, rounds and problem links (same round, recurring, common) of the archive's notices."""
    archive = _archive(ctx, full)
    if unit_ref is not None:
        unit = _unit(archive, unit_ref)
        if as_json:
            data = links_json(archive)
            mine = set(unit.documents)
            problems = {p.id for p in archive.link_problems() if p.doc_id in mine}
            click.echo(json.dumps({"units": [unit.to_json()],
                                   "recurring": [r for r in data["recurring"] if r["to"] in problems],
                                   "same_round": [r for r in data["same_round"] if r["a"] in problems],
                                   "common": [c for c in data["common"] if set(c["members"]) & problems]},
                                  ensure_ascii=False, indent=2))
        else:
            click.echo("\n".join(timeline(archive, unit)))
        return
    data = links_json(archive)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(data['units'])} units, {len(data['recurring'])} recurring links, "
               f"{len(data['same_round'])} same-round links, {len(data['common'])} common problems")
    for c in data["common"]:
        click.echo(f"  {c['label']}: {len(c['members'])} problems")
    drift = fit_drift(archive)
    if drift is not None:
        click.echo(f"scores fitted on {drift[0]} problems; {drift[1]:.1%} of them changed since "
                   f"(fitted again at {linkfit.REFIT_SHARE:.0%}, or now with `xuncha links --full`)")
    click.echo("one unit's timeline: `xuncha links --unit NAME`")


@click.group()
def unit() -> None:
    """Units: list them, and correct how notices are grouped into units."""


@unit.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the units as JSON.")
@click.pass_context
def unit_list(ctx: click.Context, as_json: bool) -> None:
    """Every unit with its aliases and its number of notices."""
    units = _archive(ctx).units()
    if as_json:
        click.echo(json.dumps([{**u.to_json(), "region": u.region, "kind": u.kind} for u in units],
                              ensure_ascii=False, indent=2))
        return
    for u in units:
        click.echo(f"{u.id}  {u.name}  [{u.kind}{'; ' + u.region if u.region else ''}]  {len(u.documents)} notices")
        for a in u.aliases:
            if a != u.name:
                click.echo(f"    alias: {a}")


INDEX_WAIT_S = 30.0  # a correction re-indexes the notices whose links changed; an ingest may hold the lock


def _reindex(ctx: click.Context, archive: Archive) -> None:
    """After a correction the index's recurring/common facets follow at once (as the unit page's merge/split
    does): the notices whose link marks changed are re-indexed; with no index yet the first build reads them."""
    try:
        update(archive, settings_of(ctx).index_options(), wait_s=INDEX_WAIT_S)
    except NoIndex:
        pass
    except (IndexBusy, BuildFailed) as exc:
        click.echo(f"correction stored; the index was not updated now ({exc})\n"
                   "hint: the next `xuncha ingest` or `xuncha reindex` brings its facets up to date", err=True)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


@unit.command("merge")
@click.argument("into")
@click.argument("other")
@click.pass_context
def unit_merge(ctx: click.Context, into: str, other: str) -> None:
    """Merge unit OTHER (and its notices) into unit INTO; kept across re-ingest."""
    archive = _archive(ctx)
    a, b = _unit(archive, into), _unit(archive, other)
    if a.id == b.id:
        raise click.ClickException(f"{into!r} and {other!r} are one unit already ({a.id})\n{UNIT_HINT}")
    correct(archive, Correction("merge", b.name, a.name), _user())
    _reindex(ctx, archive)
    merged = archive.unit(a.name)
    click.echo(f"merged {b.name} into {a.name}: {merged.id if merged else a.id}, "
               f"{len(merged.documents) if merged else '?'} notices")


@unit.command("split")
@click.argument("unit_ref", metavar="UNIT")
@click.argument("alias")
@click.pass_context
def unit_split(ctx: click.Context, unit_ref: str, alias: str) -> None:
    """Split ALIAS (and the notices naming the unit so) off UNIT into a unit of its own; kept across re-ingest."""
    archive = _archive(ctx)
    u = _unit(archive, unit_ref)
    name = "".join(alias.split())
    if name not in u.aliases:
        raise click.ClickException(f"{alias!r} is not an alias of {u.name} ({u.id}); its aliases: "
                                   f"{'、'.join(u.aliases)}\n{UNIT_HINT}")
    if len(u.aliases) == 1:
        raise click.ClickException(f"{alias!r} is the only alias of {u.name}: nothing to split off\n{UNIT_HINT}")
    correct(archive, Correction("split", name), _user())
    _reindex(ctx, archive)
    new = archive.unit(name)
    click.echo(f"split {name} off {u.name}: now {new.id if new else '?'}")


REVIEW_HINT = "hint: `xuncha links --unit NAME` prints a unit's problems with their ids and recurring links"


@click.group("link")
def link() -> None:
    """Review recurring links (屡改屡犯): confirm or reject two problems of one unit's two rounds; kept across relinks
    and re-ingest while both titles stay as reviewed."""


def _review(ctx: click.Context, a: str, b: str, verdict: Review | None) -> Archive:
    archive = _archive(ctx)
    try:
        review(archive, a, b, verdict, _user())
    except NotReviewable as exc:
        hint = "hint: `xuncha link list` names the reviewed pairs" if exc.reason == "none" else REVIEW_HINT
        raise click.ClickException(f"{exc}\n{hint}") from None
    _reindex(ctx, archive)  # the recurring facet follows the links
    return archive


def _now_linked(archive: Archive, a: str, b: str) -> str:
    mine = [l for l in archive.problem_links("recurring", a) if b in (l.a, l.b)]
    return f"now a recurring link (score {mine[0].score:.2f})" if mine else "now no recurring link"


@link.command("confirm")
@click.argument("a")
@click.argument("b")
@click.pass_context
def link_confirm(ctx: click.Context, a: str, b: str) -> None:
    """Problems A and B (ids, as `xuncha show --json` gives them) are the same fault: a recurring link whatever its
    score, in place of either problem's other link to the other's round."""
    archive = _review(ctx, a, b, Review.SAME)
    click.echo(f"confirmed {a} ~ {b}: {_now_linked(archive, a, b)}")


@link.command("reject")
@click.argument("a")
@click.argument("b")
@click.pass_context
def link_reject(ctx: click.Context, a: str, b: str) -> None:
    """Problems A and B are not the same fault: never a recurring link; each may align with another problem."""
    archive = _review(ctx, a, b, Review.DIFFERENT)
    click.echo(f"rejected {a} ~ {b}: {_now_linked(archive, a, b)}")


@link.command("clear")
@click.argument("a")
@click.argument("b")
@click.pass_context
def link_clear(ctx: click.Context, a: str, b: str) -> None:
    """Take the review of A and B back: the link is the matcher's again."""
    archive = _review(ctx, a, b, None)
    click.echo(f"cleared {a} ~ {b}: {_now_linked(archive, a, b)}")


@link.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the reviews as JSON.")
@click.pass_context
def link_list(ctx: click.Context, as_json: bool) -> None:
    """Every review: the pair, the verdict, who and when, and whether it holds (both problems there under the
    titles reviewed, of two rounds of one unit)."""
    reviews = reviews_in_force(_archive(ctx))
    if as_json:
        click.echo(json.dumps([{**r.to_json(), "holds": applied} for r, applied in reviews], ensure_ascii=False,
                              indent=2))
        return
    for r, applied in reviews:
        state = "" if applied else "  [stale: a title changed, a problem is gone or the two are no longer of one " \
                                   "unit's two rounds; not applied]"
        click.echo(f"{r.verdict}  {r.a} {r.a_title}  ~  {r.b} {r.b_title}  ({r.user}, {r.at}){state}")
    click.echo(f"{len(reviews)} reviews")


def register(main: click.Group) -> None:
    for command in (links, unit, link):
        main.add_command(command)
