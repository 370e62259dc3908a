"""Units, rounds and problem links kept up to date with the archive (issue 30 §1–3, §6).

`refresh` is the one entry point: the ingest pipeline calls it after every batch, `xuncha links` and the unit
commands before they read. The links are derived data, stored with the key of the archive state they were
computed on (the notices' content hashes, the operators' unit corrections, the options and LINKS_VERSION):
when the key matches, nothing is done. When notices were added, changed or removed (or units corrected), only
their problems are paired against the archive (candidates by shared specific terms, archive/linking.py) and
scored with the kept fit (archive/linkfit.py); the stored pairs of the others keep their scores; units, rounds,
same-round and recurring links are derived again from the pairs, and the common clusters of the components those
changes touched. A full relink (asked for, a changed method, or the fit due again) fits and pairs everything. All
of it is written in one transaction: never half written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from . import linkfit, linkreviews, linkstore, store
from .database import Archive
from .kinds import DocType
from .clustering import Component, by_component, flat
from .linkfit import LinkFit
from .linkreviews import LinkReview, Review, Reviewed, holding, ordered
from .linking import Scorer
from .linktypes import Link, LinkOptions, LinkProblem, Pair
from .pairlinks import Place, recurring, round_pairs, same_round
from .records import DocumentRecord, UnitNotice
from .rounds import RoundNotice, as_of_date, place, round_number, stage_of
from .units import Correction, PlannedUnit, clean, group_names, unit_name, without_level

LINKS_VERSION = 24  # 24: same-round links without the heading and broad-finding gates (LinkOptions.same_round_gates); 23: a place keeps its level (示例区 and 示例市 are two places: their units of one name were one), and a company's short name is its full one (城投集团党委 = 中共…城市建设投资集团有限公司委员会: the short form 城投, the legal form dropped); 22: a bare body of the place itself (县人民医院党委, 区委组织部, 区人大…) is its place + the rest, as its placed spelling is (县人民医院党委 and 中共洧湄县人民医院委员会 were two units), and unplaced names of two levels (区委组织部, 市委组织部) stay two units; 21: the explicit recurring bar chosen on its own, 0.22 → 0.06 (tune, rounds 1–13: recurring 0.849 / 0.633 → 0.854 / 0.714); 20: the recurring bar 0.24 → 0.22 (tune, rounds 1–12: 0.833 / 0.575 → 0.853 / 0.667); 19: the heading gate (Scorer.broader) no longer keeps a heading and a finding under it out of one common cluster (LinkOptions.broader_common); 18: every pair of problems of two rounds of one unit is a candidate, whatever their titles share (pairlinks.round_pairs; tune, rounds 1–10: recurring 0.830 / 0.494 → 0.845 / 0.620, nothing else moves); 17: two broad findings join a common cluster only at the other_kind bar (LinkOptions.broad_common); 16: a bare 区/县 name (区第一中学) joins the one placed unit of its name only at that level (not 棠梓县第一中学); 15: the broad-finding gate is not applied to a unit's recurring pairs (LinkOptions.broad_recurring); 14: a notice naming its unit without the place takes the place its signature names (县自然资源局党组 in a notice signed 中共澄岭县自然资源局党组 is 澄岭县自然资源局党组: two counties of one unit name stay two units); 13: two findings of the catch-all kind (a unit's own business) join a common cluster only at the other_kind bar; 12: a broad finding (area + general verdict) is no link to a specific one, a title that states no fault none at all, bars chosen by F0.5 on the derived links; 11: soft cosine over related bigrams, recurring links aligned (mutual best); bump when linking's method changes: every archive relinks in full
_BEFORE_ABOUT = re.compile(r"^(.{2,40}?)关于")


@dataclass(frozen=True, slots=True)
class LinkReport:
    """What one refresh did: mode none | incremental | full (| superseded: the notices changed meanwhile, nothing
    written), notices re-paired, candidate pairs scored, links made."""

    mode: str
    notices: int = 0
    repaired: int = 0
    pairs: int = 0
    links: int = 0
    clusters: int = 0


def alias_of(doc: DocumentRecord) -> str:
    """The name a notice gives its unit: the inspected unit, else the publisher, else its title before 关于."""
    name = doc.header.inspected_unit or doc.publisher
    if name and doc.publisher and name != doc.publisher:
        # a notice names its unit without the place (县自然资源局党组: the notice's own region) and signs with it
        # (中共澄岭县自然资源局党组): the signed name says which county's unit it is, so two counties' units of one
        # name stay two
        own, signed = unit_name(clean(name)), unit_name(clean(doc.publisher))
        if own.place is None and signed.place is not None and own.core == signed.core:
            name = signed.place + without_level(name)  # 县自然资源局党组 → 澄岭县自然资源局党组
    if not name:
        m = _BEFORE_ABOUT.match(doc.title or "")
        name = m.group(1) if m else doc.title
    return clean(name or doc.id)


def round_notice(doc: DocumentRecord) -> RoundNotice:
    """What placing needs of a notice: the header's round fields (issue 30's parser) or what the title says."""
    h = doc.header
    head = doc.title + "\n" + doc.text[:300]
    stated_no = getattr(h, "round_no", None) if hasattr(h, "round_no") else round_number(doc.title) or round_number(
        doc.text[:200])
    stage = stage_of(doc.title, getattr(h, "stage", None))
    revisit = bool(getattr(h, "revisit", False)) or "回头看" in doc.title
    return RoundNotice(doc.id, doc.title, stated_no, getattr(h, "round_label", None), h.inspecting_body,
                       h.inspection_start, h.inspection_end, h.feedback_date, stage, revisit,
                       getattr(h, "as_of", None) or as_of_date(head), doc.published)


def state_key(hashes: dict[str, str], corrections: tuple[Correction, ...], options: LinkOptions,
              reviews: tuple[LinkReview, ...] = ()) -> str:
    """method-data: the method part (LINKS_VERSION, options) decides whether stored pairs can be kept at all;
    the data part covers the notices' hashes, the corrections and the reviews (none: the key it had before them)."""
    def digest(x: object) -> str:
        return hashlib.sha1(json.dumps(x, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]

    method = digest([LINKS_VERSION, dataclasses.asdict(options)])
    data: list[object] = [sorted(hashes.items()), [dataclasses.astuple(c) for c in corrections]]
    if reviews:
        data.append(linkreviews.state_part(reviews))
    return f"{method}-{digest(data)}"


def plan_units(docs: tuple[DocumentRecord, ...], corrections: tuple[Correction, ...],
               units: Sequence[PlannedUnit] | None = None) -> list[UnitNotice]:
    """Pure: the notices → each one's unit and place in its unit's rounds (`units`: the notices' aliases grouped
    with the corrections, when the caller has them already)."""
    aliases = {d.id: alias_of(d) for d in docs}
    if units is None:
        units = group_names(list(aliases.values()), corrections)
    unit_of = {a: u for u in units for a in u.aliases}
    by_unit: dict[str, list[DocumentRecord]] = {}
    for d in docs:
        by_unit.setdefault(unit_of[aliases[d.id]].id, []).append(d)
    out = []
    titles = {d.id: d.title for d in docs}
    for uid, members in by_unit.items():
        notices = [round_notice(d) for d in members]
        dates = {n.doc_id: n.date or None for n in notices}
        for p in place(notices):
            out.append(UnitNotice(p.doc_id, titles[p.doc_id], uid, aliases[p.doc_id], p.round_key, p.round_label,
                                  p.round_no, str(p.stage), p.order, p.inferred, dates[p.doc_id], p.warning))
    return out


def refresh(archive: Archive, options: LinkOptions = LinkOptions(), full: bool = False) -> LinkReport:
    """Bring units and links up to the archive's state (incrementally unless `full`); see the module doc."""
    hashes = archive.notice_hashes()
    corrections = archive.unit_corrections()
    reviews = archive.link_reviews()
    key = state_key(hashes, corrections, options, reviews)
    state = archive.link_state()
    if state and state[0] == key and not full:
        return LinkReport("none", len(hashes))
    docs = archive.documents_of_type(DocType.NOTICE)
    units = group_names([alias_of(d) for d in docs], corrections)
    placements = plan_units(docs, corrections, units)
    problems = archive.link_problems()
    method = key.split("-")[0]
    kept = None if full or state is None or state[0].split("-")[0] != method else kept_fit(archive, method, problems,
                                                                                         hashes)
    new_fit, untouched = None, None
    if kept is None:
        mode, changed = "full", set(hashes)
        scorer = Scorer(problems, options)
        new_fit = dataclasses.replace(scorer.fit, basis=dict(hashes))
        pairs, scored = all_pairs(scorer, placements, problems)
    else:
        mode = "incremental"
        changed = {d for d, h in hashes.items() if state[1].get(d) != h} | (set(state[1]) - set(hashes))
        doc_of = {p.id: p.doc_id for p in problems}
        scorer = Scorer(problems, options, kept.current(doc_of, hashes), pack=False)
        before = archive.unit_notices()
        pairs, scored, touched = new_pairs(scorer, placements, before, problems, archive.scored_pairs(), changed)
        moved = regrouped(before, placements)  # notices whose unit now holds other notices (a merge, a split)
        touched |= {i for i, d in doc_of.items() if d in moved}
        untouched = {k: c for k, c in archive.link_components().items()
                     if all(m in doc_of and m not in touched for m in c.members)}
    reviewed = holding(reviews, {p.id: p.title for p in problems})
    links, parts = derive_by_component(pairs, placements, problems, scorer, untouched, reviewed)
    groups = flat(parts)
    with archive.transaction() as conn:
        if archive.notice_hashes() != hashes or archive.unit_corrections() != corrections \
                or archive.link_reviews() != reviews:
            # another ingest changed the notices while this one computed: its own refresh links them
            return LinkReport("superseded", len(hashes))
        linkstore.put_pairs(conn, pairs)
        linkstore.put_components(conn, parts)
        if new_fit is not None:
            linkstore.put_fit(conn, method, linkfit.dumps(new_fit))
        linkstore.write_links(conn, units, placements, links, groups, key, hashes, store.now())
    return LinkReport(mode, len(hashes), len(changed), scored, len(links), len(groups))


def stored_fit(archive: Archive) -> tuple[str, LinkFit] | None:
    """The kept fit and the method key it was fitted with (None: none kept, or another format, or the fault-kind
    table changed since: fitted again)."""
    stored = archive.link_fit()
    if stored is None:
        return None
    try:
        return stored[0], linkfit.loads(stored[1])
    except ValueError:
        return None


def kept_fit(archive: Archive, method: str, problems: Sequence[LinkProblem], hashes: dict[str, str]) -> LinkFit | None:
    """The stored fit when it was fitted with this method and the problems changed since are under REFIT_SHARE of
    those it was fitted on (None: a full relink, which fits again)."""
    stored = stored_fit(archive)
    if stored is None or stored[0] != method:
        return None
    fit = stored[1]
    return fit if fit.drift(Counter(p.doc_id for p in problems), hashes) <= linkfit.REFIT_SHARE else None


def fit_drift(archive: Archive) -> tuple[int, float] | None:
    """The kept fit's size (problems fitted on) and the share of problems changed since (None: no fit kept)."""
    stored = stored_fit(archive)
    if stored is None:
        return None
    fit = stored[1]
    return fit.problems, fit.drift(Counter(p.doc_id for p in archive.link_problems()), archive.notice_hashes())


def all_pairs(scorer: Scorer, placements: Sequence[UnitNotice], problems: Sequence[LinkProblem]) -> tuple[list[Pair], int]:
    """Pure: every pair that can be a link or count in a cluster under the scorer's options, and how many candidate
    pairs were scored: a pair of a unit's two rounds down to the lowest bar (the explicit recurring one), any other
    candidate down to the same-round and common bars."""
    rounds = unit_candidates(placements, problems)
    ra, rb = scorer.rows_of(rounds)
    ca, cb = scorer.candidate_rows({p.id for p in problems})
    n = len(scorer.sorted_ids)
    # the candidates less the round pairs, over row numbers (a pair as one integer, the lower row first)
    other = ~np.isin(ca * n + cb, np.minimum(ra, rb) * n + np.maximum(ra, rb))
    ca, cb = ca[other], cb[other]
    floors = np.concatenate((np.full(len(ra), scorer.lowest_bar), np.full(len(ca), scorer.lowest_bar_across)))
    pairs = scorer.scored_rows(np.concatenate((ra, ca)), np.concatenate((rb, cb)), floor=floors)  # in (a, b) order
    return pairs, len(rounds) + len(ca)


def new_pairs(scorer: Scorer, placements: Sequence[UnitNotice], before: Sequence[UnitNotice],
              problems: Sequence[LinkProblem], stored: Iterable[tuple[str, str, float]],
              changed: set[str]) -> tuple[list[Pair], int, set[str]]:
    """Pure: the pairs `all_pairs` gives with the same fit, from the stored ones and the changed notices' alone,
    how many were scored, and the problems that gained, lost or changed a pair (clustering.by_component clusters
    their components again; every other component is as it was).
    The stored pairs of unchanged problems keep their scores (the fit is the one they were scored with); the
    changed notices' problems are paired and scored; so are the pairs that became pairs of a unit's two rounds (a
    notice placed between two, a unit merged), and a pair that no longer is one stays only as any other pair would."""
    doc_of = {p.id: p.doc_id for p in problems}
    fresh = {i for i, d in doc_of.items() if d in changed}
    rounds = unit_candidates(placements, problems)
    old = [p for p in problems if p.id not in fresh]
    was = unit_candidates([u for u in before if u.doc_id not in changed], old)
    across, kinds = scorer.lowest_bar_across, scorer.kinds
    dropped: list[Pair] = []
    no_longer = was - rounds  # pairs of a unit's two rounds then, not now
    live = {i for i in doc_of if i not in fresh}  # a problem gone or changed: its components are clustered again
    kept = [Pair(a, b, score, kinds[a] == kinds[b], "") for a, b, score in stored if a in live and b in live]
    if no_longer:
        # a stored pair of no unit's two rounds then was a candidate of at least that bar; one of two rounds then
        # but not now stays as such a candidate would
        dropped = [p for p in kept if (p.a, p.b) in no_longer and not (p.score >= across and scorer.paired(p.a, p.b))]
        gone = {(p.a, p.b) for p in dropped}
        kept = [p for p in kept if (p.a, p.b) not in gone] if gone else kept
    # the pairs of two rounds that are new (a changed notice's, or of rounds that are two rounds now), less those kept
    maybe = {ab for ab in rounds if ab[0] in fresh or ab[1] in fresh or ab not in was}
    firsts = {a for a, _ in maybe}
    have = {(p.a, p.b) for p in kept if p.a in firsts}
    todo = maybe - have
    others = scorer.candidates(fresh) - rounds
    scorer.pack({i for ab in (*todo, *others) for i in ab})
    added = scorer.scored(todo, floor=scorer.lowest_bar) + scorer.scored(others, floor=across)
    # a component changes where a pair that joins clusters came or went (the others are no edge of any component)
    touched = set(fresh) | {x for p in scorer.joining(added + dropped, scorer.options.common) for x in (p.a, p.b)}
    return sorted(kept + added, key=attrgetter("a", "b")), len(todo) + len(others), touched


def regrouped(before: Sequence[UnitNotice], now: Sequence[UnitNotice]) -> set[str]:
    """Pure: the notices whose unit holds other notices now than it did (or that had none): a merge, a split, an
    alias that joined two units."""
    def mates(placements: Sequence[UnitNotice]) -> dict[str, frozenset[str]]:
        by_unit: dict[str, set[str]] = {}
        for u in placements:
            by_unit.setdefault(u.unit_id, set()).add(u.doc_id)
        return {u.doc_id: frozenset(by_unit[u.unit_id]) for u in placements}

    was, are = mates(before), mates(now)
    return {d for d, m in are.items() if was.get(d) != m}


def _places(placements: Sequence[UnitNotice]) -> dict[str, Place]:
    """Each notice's place in its unit's rounds, by document id."""
    return {p.doc_id: Place(p.unit_id, p.round_key, p.order, p.stage == "revisit") for p in placements}


def unit_candidates(placements: Sequence[UnitNotice], problems: Sequence[LinkProblem]) -> set[tuple[str, str]]:
    """The pairs of problems of two rounds of one unit (pairlinks.round_pairs), candidates whatever their titles."""
    return round_pairs(_places(placements), {p.id: p.doc_id for p in problems})


def derive(pairs: list[Pair], placements: list[UnitNotice], problems, scorer: Scorer):  # type: ignore[no-untyped-def]
    """Pure: scored pairs and placements → same-round and recurring links, and common clusters."""
    links, groups = derive_by_component(pairs, placements, problems, scorer)
    return links, flat(groups)


def derive_by_component(pairs: list[Pair], placements: Sequence[UnitNotice], problems: Sequence[LinkProblem],
                        scorer: Scorer, kept: Mapping[str, Component] | None = None,
                        reviewed: Reviewed = Reviewed()) -> tuple[list[Link], dict[str, Component]]:
    """`derive`, the clusters by component (clustering.by_component: the `kept` components, unchanged, are taken
    as they are), the recurring links under the reviews that hold (archive/linkreviews.py)."""
    where = _places(placements)
    doc_of = {p.id: p.doc_id for p in problems}
    unit_of = {p.id: where[p.doc_id].unit for p in problems if p.doc_id in where}
    # same-round and recurring links are of two problems of one unit: the few pairs within a unit, not the archive's
    within = [p for p in pairs if (u := unit_of.get(p.a)) is not None and u == unit_of.get(p.b)]
    links = same_round(within, where, doc_of, scorer) + recurring(within, where, doc_of, scorer, reviewed)
    return links, by_component(pairs, unit_of, scorer, kept)


def reviews_in_force(archive: Archive) -> list[tuple[LinkReview, bool]]:
    """Every review and whether it is applied now: both problems there under the titles reviewed (LinkReview.holds)
    and still of two rounds of one unit (a split, or a notice placed anew, can undo that). Reads the reviewed
    problems and their notices' places only: the unit page asks at every view."""
    reviews = archive.link_reviews()
    if not reviews:
        return []
    briefs = archive.problem_briefs(x for r in reviews for x in (r.a, r.b))
    titles = {i: b.title for i, b in briefs.items()}
    placed = {d: archive.unit_of(d) for d in {b.doc_id for b in briefs.values()}}

    def two_rounds(r: LinkReview) -> bool:
        ra, rb = (placed.get(briefs[x].doc_id) if x in briefs else None for x in (r.a, r.b))
        return ra is not None and rb is not None and ra.unit_id == rb.unit_id and ra.round_key != rb.round_key

    return [(r, r.holds(titles) and two_rounds(r)) for r in reviews]


class NotReviewable(ValueError):
    """Two problems that are no recurring pair to review: `reason` says which case (`twice`, `unknown`, `two_units`,
    `one_round`, `conflict`, `none`), the message names the problems and why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def review(archive: Archive, a: str, b: str, verdict: Review | None, user: str) -> LinkReport:
    """Record a reviewer's verdict on problems `a` and `b` (None: take the pair's review back), then bring the links
    up to date. Raises NotReviewable when the two are not problems of one unit's two rounds."""
    if verdict is not None:
        if a == b:
            raise NotReviewable("twice", f"{a!r} twice: a review is of two problems")
        titles = {i: (p.doc_id, p.title) for i, p in archive.problem_briefs((a, b)).items()}
        for x in (a, b):
            if x not in titles:
                raise NotReviewable("unknown", f"{x!r} is no problem of a notice in the archive")
        refresh(archive)  # the units and rounds the pair is checked against are the archive's of now
        ua, ub = archive.unit_of(titles[a][0]), archive.unit_of(titles[b][0])
        if ua is None or ub is None or ua.unit_id != ub.unit_id:
            raise NotReviewable("two_units", f"{a} and {b} are not problems of one unit: only a unit's recurring links are reviewed")
        if ua.round_key == ub.round_key:
            raise NotReviewable("one_round", f"{a} and {b} are of one round of their unit ({ua.round_label}): only links between "
                                "two rounds (屡改屡犯) are reviewed")
        if verdict is Review.SAME:  # one confirmed link a problem to the other's round: refused, not overridden
            rounds = {n.doc_id: n.round_key for n in archive.unit_notices(ua.unit_id)}
            for r, applied in reviews_in_force(archive):
                if not applied or r.verdict is not Review.SAME or (r.a, r.b) == ordered(a, b):
                    continue
                for mine, theirs in ((a, b), (b, a)):
                    if mine in (r.a, r.b):
                        other = r.b if r.a == mine else r.a  # there: the review is applied
                        if rounds.get(archive.problem_briefs((other,))[other].doc_id) == rounds.get(titles[theirs][0]):
                            raise NotReviewable("conflict", f"{mine} is confirmed the same fault as {other} of that round already "
                                                f"({r.user}, {r.at}): clear that review first")
        x, y = ordered(a, b)
        entry = LinkReview(x, y, verdict, titles[x][1], titles[y][1], user, store.now())
    with archive.transaction() as conn:
        if verdict is None:
            if not linkreviews.drop_review(conn, a, b):
                raise NotReviewable("none", f"no review of {a} and {b}")
        else:
            linkreviews.put_review(conn, entry)
    return refresh(archive)


def correct(archive: Archive, correction: Correction, user: str) -> LinkReport:
    """Record an operator's merge or split (keyed by alias names), then bring the units and links up to date."""
    with archive.transaction() as conn:
        linkstore.add_correction(conn, correction, user, store.now())
    return refresh(archive)
