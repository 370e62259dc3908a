"""The unit page `/unit/<id>` (issue 30): a unit's notices on a timeline in round order, each problem with its
status history, its recurring links (屡改屡犯) and its common fault (共性问题), the figures each notice states;
`/api/unit/<id>` the same as JSON; signed-in operators merge the unit with another or split an alias off
(POST, CSRF-checked: the corrections of `xuncha unit merge/split`, kept across re-ingest), and confirm or reject a
recurring link (the reviews of `xuncha link confirm/reject/clear`, archive/linkreviews.py)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from archive.database import Archive
from archive.linkreviews import REVIEW_LABELS, Review
from archive.links import NotReviewable, correct, review, reviews_in_force
from archive.records import ProblemMark, UnitRecord
from archive.units import Correction
from indexer.backend import BuildFailed, IndexBusy, NoIndex
from indexer.backends import update

from .context import get_archive, not_found, settings
from .auth import audit, operator_required
from .labels import PROGRESS_LABELS, STAGE_LABELS

bp = Blueprint("units", __name__)
log = logging.getLogger(__name__)
INDEX_WAIT_S = 10.0  # a correction re-indexes the notices whose links changed; a long ingest may hold the lock


def load_unit(unit_id: str) -> UnitRecord:
    """A unit by id (or name or alias), or a 404 in both languages."""
    unit = get_archive().unit(unit_id) if unit_id and "\x00" not in unit_id else None
    if unit is None:
        raise not_found(f"unit_id: no unit {unit_id[:80]!r} in the archive (`xuncha unit list` names them)",
                        "档案中没有这个被巡察单位，链接可能有误，或单位已被合并、拆分。")
    return unit


def _step(s: Any) -> dict[str, Any]:
    return {"problem_id": s.problem_id, "doc_id": s.doc_id, "on_date": s.on_date, "status": s.status}


def unit_view(archive: Archive, unit: UnitRecord) -> dict[str, Any]:
    """The unit page's data, which is also /api/unit/<id>'s JSON (README, "Pages and JSON")."""
    placed = archive.unit_notices(unit.id)
    trees = {n.doc_id: [p for cat in archive.notice_tree(n.doc_id) for top in cat.problems for p in top.with_units()]
             for n in placed}
    marks = archive.problem_marks([n.doc_id for n in placed])
    where = {p.id: (n, p) for n in placed for p in trees[n.doc_id]}
    others = {x for m in marks.values() for x in (*m.earlier, *m.later) if x not in where}
    briefs = archive.problem_briefs(others)
    links = {(l.a, l.b): l for m in marks.values() for l in archive.problem_links("recurring", m.problem_id)} \
        if any(m.earlier or m.later for m in marks.values()) else {}
    docs = {d.id: d for d in archive.documents([n.doc_id for n in placed])}

    def other(pid: str) -> dict[str, Any]:
        if pid in where:
            n, p = where[pid]
            return {"problem_id": pid, "doc_id": n.doc_id, "number": p.number, "title": p.title,
                    "round_label": n.round_label, "stage": n.stage}
        b = briefs.get(pid)
        return {"problem_id": pid, "doc_id": b.doc_id if b else None, "number": b.number if b else None,
                "title": b.title if b else pid, "round_label": None, "stage": None}

    # the reviews applied now (links.reviews_in_force): a stale one is the matcher's link again, shown as such
    reviews = {(r.a, r.b): r for r, applied in reviews_in_force(archive) if applied and (r.a in where or r.b in where)}

    def reviewed(a: str, b: str) -> dict[str, Any] | None:
        r = reviews.get((a, b) if a < b else (b, a))
        return {"verdict": str(r.verdict), "user": r.user, "at": r.at} if r and r.verdict is Review.SAME else None

    def recurring(m: ProblemMark) -> list[dict[str, Any]]:
        out = []
        for direction, ids in (("earlier", m.earlier), ("later", m.later)):
            for pid in ids:
                link = links.get((pid, m.problem_id) if direction == "earlier" else (m.problem_id, pid))
                out.append({"direction": direction, **other(pid), "score": round(link.score, 3) if link else None,
                            "explicit": bool(link and link.explicit), "reason": link.reason if link else "",
                            "review": reviewed(pid, m.problem_id)})
        return out

    histories = archive.status_histories(unit.id)  # one query for the unit, not one per problem
    notices = []
    for n in placed:
        d = docs.get(n.doc_id)
        figures = {k: getattr(d.progress, k) for k, _, _ in PROGRESS_LABELS
                   if d is not None and getattr(d.progress, k) is not None}
        problems = []
        for p in trees[n.doc_id]:
            m = marks.get(p.id) or ProblemMark(p.id, n.doc_id, unit.id)
            history = histories.get(p.id, ())
            problems.append({"id": p.id, "number": p.number, "title": p.title, "parent_id": p.parent_id,
                             "status": str(p.status) if p.status else None,
                             "history": [_step(s) for s in history] if len(history) > 1 else [],
                             "recurring": recurring(m),
                             "common": {"id": m.cluster_id, "label": m.cluster_label} if m.cluster_id else None})
        notices.append({"doc_id": n.doc_id, "title": n.title, "alias": n.alias, "round_key": n.round_key,
                        "round_label": n.round_label, "round_no": n.round_no, "stage": n.stage, "order": n.order,
                        "on_date": n.on_date, "inferred": n.inferred, "warning": n.warning,
                        "published": d.published if d else None, "figures": figures, "problems": problems})
    rejected = [{"a": other(r.a), "b": other(r.b), "user": r.user, "at": r.at} for r in reviews.values()
                if r.verdict is Review.DIFFERENT and r.a in where and r.b in where]
    return {"id": unit.id, "name": unit.name, "aliases": list(unit.aliases), "region": unit.region,
            "kind": unit.kind, "documents": list(unit.documents), "notices": notices, "rejected": rejected}


def marks_for(archive: Archive, doc_id: str) -> dict[str, dict[str, Any]]:
    """problem id → what the notice and check pages show beside it: its unit, the earlier-round problems it
    repeats (屡改屡犯) and the later ones that repeat it, and its common fault (共性问题)."""
    marks = archive.problem_marks([doc_id])
    placed = archive.unit_of(doc_id)
    unit = archive.unit(placed.unit_id) if placed else None
    linked = {x for m in marks.values() for x in (*m.earlier, *m.later)}
    briefs = archive.problem_briefs(linked)
    rounds_of = {d: archive.unit_of(d) for d in {b.doc_id for b in briefs.values()}}

    def other(pid: str) -> dict[str, Any]:
        b = briefs.get(pid)
        where = rounds_of.get(b.doc_id) if b else None
        return {"problem_id": pid, "doc_id": b.doc_id if b else None, "number": b.number if b else None,
                "title": b.title if b else pid, "round_label": where.round_label if where else None,
                "url": url_for("docs.document", doc_id=b.doc_id, _anchor=f"p-{pid}") if b else None}

    return {pid: {"problem_id": pid, "unit": {"id": unit.id, "name": unit.name} if unit else None,
                  "earlier": [other(x) for x in m.earlier], "later": [other(x) for x in m.later],
                  "common": {"id": m.cluster_id, "label": m.cluster_label} if m.cluster_id else None}
            for pid, m in marks.items()}


def rounds(notices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline's rounds in order, each with its notices (already in round order)."""
    out: list[dict[str, Any]] = []
    for n in notices:
        if not out or out[-1]["key"] != n["round_key"]:
            out.append({"key": n["round_key"], "label": n["round_label"], "notices": []})
        out[-1]["notices"].append(n)
    return out


@bp.get("/unit/<unit_id>")
def page(unit_id: str) -> Any:
    archive = get_archive()
    unit = load_unit(unit_id)
    view = unit_view(archive, unit)
    figure_keys = [(k, label, u) for k, label, u in PROGRESS_LABELS if any(k in n["figures"] for n in view["notices"])]
    choices = [u for u in archive.units() if u.id != unit.id] if g.get("user") else []
    return render_template("unit.html", unit=view, rounds=rounds(view["notices"]), figure_keys=figure_keys,
                           STAGE_LABELS=STAGE_LABELS, choices=choices, done=request.args.get("done", ""),
                           REVIEW_LABELS={str(k): v for k, v in REVIEW_LABELS.items()})


@bp.get("/api/unit/<unit_id>")
def api(unit_id: str) -> Any:
    return jsonify(unit_view(get_archive(), load_unit(unit_id)))


def _reindex(archive: Archive) -> None:
    """The index's recurring/common facets follow the links: re-index the notices whose marks changed."""
    try:
        update(archive, settings().index_options(), wait_s=INDEX_WAIT_S)
    except NoIndex:
        pass  # nothing indexed yet: the first build reads the new links
    except (IndexBusy, BuildFailed) as exc:  # the next ingest or `xuncha reindex` catches up
        log.warning("unit correction stored; the index was not updated now: %s", exc)


@bp.post("/unit/<unit_id>/merge")
@operator_required
def merge(unit_id: str) -> Any:
    """Merge the unit named in the form field `other` (id, name or alias) into this one."""
    archive = get_archive()
    unit = load_unit(unit_id)
    ref = (request.form.get("other") or "").strip()
    other = archive.unit(ref) if ref else None
    if other is None:
        raise BadRequest(description=f"参数 other：档案中没有单位 {ref[:60]!r}，请从列表中选择要合并的单位。")
    if other.id == unit.id:
        raise BadRequest(description=f"参数 other：{other.name} 与 {unit.name} 已是同一单位。")
    correct(archive, Correction("merge", other.name, unit.name), g.user.name)
    audit("unit merge", f"{other.name} → {unit.name}")
    _reindex(archive)
    merged = archive.unit(unit.name) or unit
    return redirect(url_for("units.page", unit_id=merged.id, done="merge"), code=303)


@bp.post("/unit/<unit_id>/split")
@operator_required
def split(unit_id: str) -> Any:
    """Split the alias in the form field `alias` (and the notices naming the unit so) off into its own unit."""
    archive = get_archive()
    unit = load_unit(unit_id)
    alias = "".join((request.form.get("alias") or "").split())
    if alias not in unit.aliases:
        raise BadRequest(description=f"参数 alias：{alias[:60]!r} 不是 {unit.name} 的名称；可拆分的名称："
                                     f"{'、'.join(unit.aliases)}。")
    if len(unit.aliases) == 1:
        raise BadRequest(description=f"参数 alias：{alias} 是 {unit.name} 唯一的名称，无可拆分。")
    correct(archive, Correction("split", alias), g.user.name)
    audit("unit split", f"{alias} ← {unit.name}")
    _reindex(archive)
    rest = next((a for a in unit.aliases if a != alias), unit.name)
    kept = archive.unit(rest) or archive.unit(alias)
    return redirect(url_for("units.page", unit_id=kept.id if kept else unit.id, done="split"), code=303)


VERDICTS = {"same": Review.SAME, "different": Review.DIFFERENT, "clear": None}
NOT_REVIEWABLE_ZH = {  # links.NotReviewable's cases, as the page says them
    "twice": "两个参数是同一个问题，核定需要两个不同的问题。",
    "unknown": "档案中没有这个问题。",
    "two_units": "两个问题不属于同一单位，只能核定本单位两轮之间的问题。",
    "one_round": "两个问题属于同一轮巡察，只能核定两轮之间的屡改屡犯链接。",
    "conflict": "其中一个问题已被确认与该轮的另一个问题为同一问题，请先撤销那条核定。",
}


@bp.post("/unit/<unit_id>/review")
@operator_required
def review_link(unit_id: str) -> Any:
    """Confirm (`verdict=same`), reject (`different`) or take back (`clear`) the recurring link of problems `a` and
    `b` of this unit (the reviews of `xuncha link confirm/reject/clear`)."""
    archive = get_archive()
    unit = load_unit(unit_id)
    a, b = (request.form.get(k, "").strip() for k in ("a", "b"))
    name = request.form.get("verdict", "")
    if name not in VERDICTS:
        raise BadRequest(description=f"参数 verdict：应为 same（确认）、different（否定）或 clear（撤销），而不是 {name[:20]!r}。")
    briefs = archive.problem_briefs((a, b))
    mine = {i for i, p in briefs.items() if p.doc_id in unit.documents}
    if a not in mine or b not in mine:
        raise BadRequest(description=f"参数 a/b：{(b if a in mine else a)[:40]!r} 不是 {unit.name} 的问题。")
    try:
        review(archive, a, b, VERDICTS[name], g.user.name)
    except NotReviewable as exc:
        if exc.reason == "none":  # `clear` of a pair with no review: a double click, a resubmit after Back
            return redirect(url_for("units.page", unit_id=unit.id, done="review-none", _anchor=f"p-{b}"), code=303)
        raise BadRequest(description="参数 a/b：" + NOT_REVIEWABLE_ZH.get(exc.reason, "只能核定本单位两轮之间的问题。")) \
            from None
    audit("link review", f"{name}: {a} ~ {b}")
    _reindex(archive)
    return redirect(url_for("units.page", unit_id=unit.id, done=f"review-{name}", _anchor=f"p-{b}"), code=303)
