"""Pool candidate problem pairs for blind judging (issue 30 §4): three scorers, union of their top pairs.

    python -m benchmarks.quality.links.pool OUT_DIR FOLDER... [--round 1] [--top 110]

Ingests the folders into a temporary archive, scores every pair of problems with (1) the linker's scorer
(archive/linking.py; and, from round 3, the same scorer without the soft cosine, as LINKS_VERSION 10 had it), (2) plain TF-IDF cosine of title and text (archive/faults.py's vectors) and (3) the fault
kind and a shared citation, and pools the union of each scorer's top pairs (from round 4 also the pairs that
linker versions 12 and 11 put together (from round 5: 13 and 12), links or one common cluster, since version 12 changed gates, not scores), every pair of one unit's problems
across its notices that any scorer scores above 0.08, and a few random pairs. OUT_DIR gets pool-N.jsonl (pair_id
and the two problems' unit-free title and text: no scores, no scorer names, shuffled by hash) and READY-N.
The pair ids with the files and problem numbers they stand for (no text) go to pairs-N.json beside this file.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import tempfile
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

from archive.database import Archive
from archive.records import DocumentRecord
from archive.faults import FaultModel, cosine
from archive.ids import parse_unit
from archive.linking import Scorer
from archive.linktypes import LinkOptions
from archive.titles import core_title
from archive.links import alias_of, derive, plan_units, refresh, unit_candidates
from archive.pipeline import ingest
from xuncha.settings import load_settings

HERE = Path(__file__).resolve().parent
# LINKS_VERSION 11's gates and bars (round 3): no broad-finding gate, no heading gate
V11 = LinkOptions(same_round=0.34, recurring=0.28, recurring_explicit=0.28, common=0.20, broad_chars=0,
                  headings=False)
# version 12's as they stood when round 4 was pooled (commit 179aaa2; the scores of that commit too: a pool is
# reproduced at the commit that drew it)
V12_POOLED = LinkOptions(same_round=0.28, recurring=0.28, recurring_explicit=0.28, common=0.12, broad_chars=8,
                         headings=False)
# version 12 as shipped (round 5 pools it beside version 13, which changed a gate, not the scores)
V12 = LinkOptions(common=0.10, business_common=False)


# the shipped versions since 18, as options of today's LinkOptions
V20 = dataclasses.replace(LinkOptions(), recurring_explicit=0.22)
V19 = dataclasses.replace(V20, recurring=0.24, recurring_explicit=0.24)
V18 = dataclasses.replace(V19, broader_common=True)
V16 = dataclasses.replace(V18, broad_common=0)
V14 = dataclasses.replace(V16, broad_recurring=False)
# what evaluate.py's full chooser picks on the audited grades (audit.py) and LINKS_VERSION 23 did not take: pooled
# beside it from round 15, so that the judged pairs are not only the shipped version's
CHOSEN_AUDITED = dataclasses.replace(LinkOptions(), same_round=0.28, recurring=0.36, recurring_explicit=0.08,
                                     common=0.14, broad_chars=0, business_common=False)


def pooled_versions(round_no: int, pairs: list, titled: list) -> tuple:  # type: ignore[type-arg]
    """The linker versions whose links and common clusters a round pools, as (name, scored pairs, options): the
    version registered before the round and the one before it. `pairs` holds every candidate (a unit's rounds' pairs
    too: version 18), `titled` the title-term candidates alone (versions up to 17)."""
    if round_no >= 15:  # 23 as shipped, and the bars the full chooser picks on the audited tune (results.md)
        return ("linked23", pairs, LinkOptions()), ("chosen-audited", pairs, CHOSEN_AUDITED)
    if round_no >= 14:
        return ("linked21", pairs, LinkOptions()), ("linked20", pairs, V20)  # 21: the explicit recurring bar 0.06
    if round_no >= 13:
        return ("linked20", pairs, V20), ("linked19", pairs, V19)  # 20: the recurring bar 0.22
    if round_no >= 12:
        return ("linked19", pairs, V19), ("linked18", pairs, V18)  # 19: no heading gate for common clusters
    if round_no >= 11:
        return ("linked18", pairs, V18), ("linked17", titled, V18)  # 18: a unit's rounds' pairs are candidates
    if round_no >= 10:
        return ("linked17", titled, V18), ("linked16", titled, V16)
    if round_no >= 8:
        return ("linked15", titled, V16), ("linked14", titled, V14)
    if round_no >= 5:
        return ("linked13", titled, LinkOptions()), ("linked12", titled, V12)
    return ("linked12", titled, V12_POOLED), ("linked11", titled, V11)


def problem_key(source_path: str, problem_id: str) -> str:
    """A problem named by its folder, file and ordinal (stable across checkouts, unlike ids built from paths). The
    folder is part of it: fixture folders reuse file names (links-r9/yizhong-2021-rectification.txt and
    links-r11/…), and keys of the file name alone had put two problems under one key."""
    parsed = parse_unit(problem_id)
    path = Path(source_path)
    return f"{path.parent.name}/{path.name}#p{parsed.ordinal if parsed else problem_id}"


def pair_id(a: str, b: str) -> str:
    return hashlib.sha1(f"{a}|{b}".encode("utf-8")).hexdigest()[:12]


def unit_names(docs: Iterable[DocumentRecord]) -> dict[str, set[str]]:
    """Each notice's names of its unit (alias, inspected unit, publisher), which a judge is not shown."""
    return {d.id: {alias_of(d), d.header.inspected_unit or "", d.publisher or ""} - {""} for d in docs}


def unit_free(problem, names: set[str]) -> dict:  # type: ignore[no-untyped-def]
    """A problem as a judge sees it: its core title and text (first 500 characters), its unit's names as 该单位."""
    title, text = core_title(problem.title), problem.text
    for n in sorted(names, key=len, reverse=True):
        title, text = title.replace(n, "该单位"), text.replace(n, "该单位")
    return {"title": title, "text": text[:500]}


def linked_archive(tmp: str, folders: list[str]) -> Archive:
    """A new archive under `tmp` holding `folders`, linked in full (what both pooling and evaluation read)."""
    settings = load_settings(environ={}, home=Path(tmp) / "home")
    archive = Archive.open(settings.db_path)
    ingest(archive, settings.ingest_options(), folders)
    refresh(archive, full=True)
    return archive


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--round", type=int, default=1)
    ap.add_argument("--top", type=int, default=110)
    ap.add_argument("--exclude", type=Path, action="append", default=[], help="pairs-N.json of earlier rounds")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = linked_archive(tmp, args.folders)
        problems = archive.link_problems()
        docs = {d.id: d for d in archive.documents(p.doc_id for p in problems)}
        names = unit_names(docs.values())
        unit = {n.doc_id: n.unit_id for n in archive.unit_notices()}
        scorer = Scorer(problems)
        stock = Scorer(problems, dataclasses.replace(LinkOptions(), related_weight=0.0))  # LINKS_VERSION 10's
        model = FaultModel([p.title + "\n" + p.text for p in problems])
        plain = {p.id: model.vector(p.title + "\n" + p.text) for p in problems}
        by_id = {p.id: p for p in problems}
        rows = []
        for x, y in combinations(sorted(by_id), 2):
            mine = scorer.pair(x, y).score
            tfidf = cosine(plain[x], plain[y])
            same = scorer.kinds[x] == scorer.kinds[y] and scorer.kinds[x] != "专项业务"
            cite = bool(set(by_id[x].cited) & set(by_id[y].cited))
            kind_cite = (1.0 if cite else 0.0) + (scorer.raw(x, y)[1] if same else 0.0)
            rows.append((x, y, mine, tfidf, kind_cite, stock.pair(x, y).score))
        # judged pairs by their problems' keys, not by pair id: the ids of rounds 1–13 were drawn from the keys of
        # the file name alone and kept when the keys gained the folder (round 14's pool, matching by id, redrew 606
        # judged pairs)
        seen = {frozenset((k["a"], k["b"])) for f in args.exclude
                for k in json.loads(f.read_text(encoding="utf-8")).values()}

        def key_of(x: str, y: str) -> frozenset[str]:
            return frozenset((problem_key(docs[by_id[x].doc_id].source_path, x),
                              problem_key(docs[by_id[y].doc_id].source_path, y)))

        rows = [r for r in rows if key_of(r[0], r[1]) not in seen]  # each scorer's top among the pairs not judged
        chosen: dict[tuple[str, str], set[str]] = {}
        for k, name in ((2, "linker"), (3, "tfidf"), (4, "kind_cite"), (5, "linker10")):
            for r in sorted(rows, key=lambda r: -r[k])[:args.top]:
                chosen.setdefault((r[0], r[1]), set()).add(name)
        # from round 4: what each linker version puts in one common cluster or links (the gates, not the scores,
        # changed in version 12), its pairs by score, at most `top` each
        placements = plan_units(tuple(docs.values()), archive.unit_corrections())
        titled = scorer.scored(scorer.candidates(set(by_id)))  # the title-term candidates (LINKS_VERSION ≤ 17)
        pairs = scorer.scored(scorer.candidates(set(by_id)) | unit_candidates(placements, problems))
        unjudged = {(r[0], r[1]) for r in rows}
        versions = pooled_versions(args.round, pairs, titled)
        for name, these, options in versions:
            scorer.options = options
            links, groups = derive(these, placements, problems, scorer)
            together = {tuple(sorted((a, b))) for c in groups for a, b in combinations(c.members, 2)}
            together |= {tuple(sorted((l.a, l.b))) for l in links}
            score = {(p.a, p.b): p.score for p in these}
            for xy in sorted(together & unjudged, key=lambda xy: -score.get(xy, 0.0))[:args.top]:
                chosen.setdefault(xy, set()).add(name)
        scorer.options = LinkOptions()
        for r in rows:
            dx, dy = by_id[r[0]].doc_id, by_id[r[1]].doc_id
            if dx != dy and unit.get(dx) == unit.get(dy) and max(r[2:]) > 0.08:
                chosen.setdefault((r[0], r[1]), set()).add("same_unit")
        for r in random.Random(30).sample(rows, 25):
            chosen.setdefault((r[0], r[1]), set()).add("random")

        pool, keys = [], {}
        for (x, y), by in chosen.items():
            ka = problem_key(docs[by_id[x].doc_id].source_path, x)
            kb = problem_key(docs[by_id[y].doc_id].source_path, y)
            pid = pair_id(ka, kb)
            if pid in seen:
                continue
            keys[pid] = {"a": ka, "b": kb, "proposed_by": sorted(by)}
            pool.append({"pair_id": pid, "a": unit_free(by_id[x], names[by_id[x].doc_id]),
                         "b": unit_free(by_id[y], names[by_id[y].doc_id])})
        archive.close()
    pool.sort(key=lambda r: hashlib.sha1(r["pair_id"].encode()).hexdigest())
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / f"pool-{args.round}.jsonl").open("w", encoding="utf-8") as fh:
        for r in pool:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    (HERE / f"pairs-{args.round}.json").write_text(json.dumps(keys, ensure_ascii=False, indent=1, sort_keys=True),
                                                   encoding="utf-8")
    (args.out / f"READY-{args.round}").touch()
    print(f"{len(pool)} pairs pooled from {len(problems)} problems")


if __name__ == "__main__":
    main()
