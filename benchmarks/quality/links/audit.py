"""Audit the judged pairs for consistency, blind to every system (issue 30 §4: thresholds on a judged set).

    python -m benchmarks.quality.links.audit draw OUT_DIR FOLDER... [--controls 120] [--second-judges C.jsonl,…]
    python -m benchmarks.quality.links.audit rest OUT_DIR FOLDER...
    python -m benchmarks.quality.links.audit extend OUT_DIR POOL-N.jsonl SECOND.jsonl[,…] [--name audit-5.jsonl]
    python -m benchmarks.quality.links.audit second OUT_DIR REGRADES.jsonl[,…] [--name …] [--have LATER.jsonl,…]
    python -m benchmarks.quality.links.audit merge REGRADES.jsonl[,…] [--second LATER.jsonl,…]

"Same fault" is an equivalence: if a judge graded A–B and B–C the same fault (2), A–C is the same fault too. A
judged set where A–C was graded related (1) or different (0) holds an error in one of its three grades, and nothing
says which. Entity-resolution gold standards are cleaned the same way (their duplicates are checked for transitive
closure before they are used). The rule reads the grades only — no score, link or system output — so it cannot
favour one system over another.

draw: every pair of every such triad (all three pairs, the 2s as well as the lower grade, tune and test alike),
plus `--controls` judged pairs outside any triad drawn at random (seeded), go to OUT_DIR/audit-1.jsonl in the pool's
blind form (pair id, unit-free title and text; no grade, no group, shuffled by hash). From round 6 on, a third judge
regraded half of each round independently (`--second-judges`: those files); the judged set kept the first judge's
grade even where the two disagree, so the disputed pairs not drawn already go to OUT_DIR/audit-1b.jsonl. audit.json
beside this file keeps which pair ids were drawn and why, and the earlier second grades, so the merge needs nothing
outside the repository.
second: after fresh judges regraded audit-1 and audit-1b, the pairs whose grades still have no majority go to
OUT_DIR/audit-2.jsonl for another fresh judge.
merge: each drawn pair's final grade is the median of its independent grades — the original, the earlier second
judge's where there was one, the regrade, and (where those were an even number without a majority) the second
regrade — written to adjudicated.jsonl. evaluate.py reads it after judged.jsonl (`judged.jsonl,adjudicated.jsonl`: a
later file's grade wins), so the figures under the original grades stay reproducible beside the audited ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from .pool import linked_archive, problem_key, unit_free, unit_names

HERE = Path(__file__).resolve().parent


def judged_pairs(path: Path = HERE / "judged.jsonl") -> dict[str, dict]:
    """judged.jsonl by pair id: the two problem keys, the grade, the group."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            j = json.loads(line)
            out[j["pair_id"]] = j
    return out


def triads(judged: dict[str, dict]) -> list[tuple[str, str, str]]:
    """Every triad of judged pairs (pair ids) where two are graded the same fault and the third is not: the first
    id is the lower-graded pair. Sorted, so a draw is reproducible."""
    by_keys = {frozenset((j["a"], j["b"])): pid for pid, j in judged.items()}
    near: dict[str, set[str]] = defaultdict(set)
    for j in judged.values():
        near[j["a"]].add(j["b"])
        near[j["b"]].add(j["a"])
    out = []
    for pid, j in sorted(judged.items()):
        if j["grade"] == 2:
            continue
        for c in sorted(near[j["a"]] & near[j["b"]]):
            ac, bc = by_keys[frozenset((j["a"], c))], by_keys[frozenset((j["b"], c))]
            if judged[ac]["grade"] == 2 and judged[bc]["grade"] == 2:
                out.append((pid, ac, bc))
    return out


def regrades(paths: str) -> dict[str, int]:
    """Grades by pair id from judges' files (comma-separated; a later file's grade wins)."""
    grades: dict[str, int] = {}
    for path in paths.split(","):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                grades[j["pair_id"]] = int(j["grade"])
    return grades


def _shuffled(ids: set[str], salt: str) -> list[str]:
    return sorted(ids, key=lambda p: hashlib.sha1(f"{salt}:{p}".encode()).hexdigest())


def _blind_pool(out: Path, name: str, ids: list[str], texts: dict[str, dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / name).open("w", encoding="utf-8") as fh:
        for pid in ids:
            fh.write(json.dumps({"pair_id": pid, **texts[pid]}, ensure_ascii=False) + "\n")


def _texts_of(folders: list[str], judged: dict[str, dict], ids: set[str]) -> dict[str, dict]:
    """The pairs as a judge sees them (pool.py's blind form), from an archive of the folders."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = linked_archive(tmp, folders)
        problems = archive.link_problems()
        docs = {d.id: d for d in archive.documents(p.doc_id for p in problems)}
        names = unit_names(docs.values())
        archive.close()
    by_key = {problem_key(docs[p.doc_id].source_path, p.id): p for p in problems}
    texts = {}
    for pid in ids:
        a, b = by_key[judged[pid]["a"]], by_key[judged[pid]["b"]]
        texts[pid] = {"a": unit_free(a, names[a.doc_id]), "b": unit_free(b, names[b.doc_id])}
    return texts


def draw(out: Path, folders: list[str], controls: int, judged: dict[str, dict], earlier: dict[str, int]) -> dict:
    """The first draw: every pair of every inconsistent triad, the random controls, and the pairs an earlier second
    judge graded otherwise than the first (`earlier`), written blind for fresh judges; audit.json records it."""
    found = triads(judged)
    flagged = {pid for t in found for pid in t}
    rest = sorted(set(judged) - flagged)
    control = set(random.Random(30).sample(rest, min(controls, len(rest))))
    earlier = {pid: g for pid, g in earlier.items() if pid in judged}
    disputed = {pid for pid, g in earlier.items() if g != judged[pid]["grade"]}
    texts = _texts_of(folders, judged, flagged | control | disputed)
    _blind_pool(out, "audit-1.jsonl", _shuffled(flagged | control, "audit-1"), texts)
    _blind_pool(out, "audit-1b.jsonl", _shuffled(disputed - flagged - control, "audit-1b"), texts)
    record = {"rule": "every pair of a triad graded 2, 2 and below 2; random controls (Random(30)); the pairs whose "
                      "earlier second judge disagreed with the first",
              "triads": [list(t) for t in found], "flagged": sorted(flagged), "controls": sorted(control),
              "disputed": sorted(disputed), "earlier": dict(sorted(earlier.items()))}
    (HERE / "audit.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record


def draw_rest(out: Path, folders: list[str], record: dict, judged: dict[str, dict]) -> dict:
    """Every judged pair still graded by one judge alone (not drawn before, no earlier second grade), so that
    every pair ends with two independent grades that agree or the median of three: OUT_DIR/audit-3.jsonl."""
    single = set(judged) - _drawn(record) - set(record.get("earlier", {}))
    _blind_pool(out, "audit-3.jsonl", _shuffled(single, "audit-3"), _texts_of(folders, judged, single))
    record = {**record, "rest": sorted(single)}
    (HERE / "audit.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record


def extend(out: Path, record: dict, judged: dict[str, dict], second_grades: dict[str, int], pool: Path,
           name: str) -> dict:
    """A round judged twice from the start (round 15 on): its second judge's grades join the earlier second grades,
    and the pairs the two judges graded differently go to a fresh judge (OUT_DIR/`name`, texts from the round's
    blind pool file)."""
    known = _drawn(record) | set(record.get("earlier", {}))
    added = {pid: g for pid, g in second_grades.items() if pid in judged and pid not in known}
    disputed = {pid for pid, g in added.items() if g != judged[pid]["grade"]}
    texts = {}
    for line in pool.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            texts[row["pair_id"]] = {"a": row["a"], "b": row["b"]}
    _blind_pool(out, name, _shuffled(disputed, name), {pid: texts[pid] for pid in disputed})
    record = {**record, "earlier": dict(sorted({**record.get("earlier", {}), **added}.items())),
              "disputed": sorted(set(record.get("disputed", ())) | disputed)}
    (HERE / "audit.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record


def _drawn(record: dict) -> set[str]:
    return (set(record["flagged"]) | set(record["controls"]) | set(record.get("disputed", ()))
            | set(record.get("rest", ())))


def grades_of(pid: str, record: dict, first: dict[str, int], judged: dict[str, dict]) -> list[int]:
    """A drawn pair's independent grades before any second regrade: the original, the earlier second judge's
    (rounds 6–14, half of each), the regrade."""
    earlier = record.get("earlier", {})
    return [judged[pid]["grade"]] + ([earlier[pid]] if pid in earlier else []) + [first[pid]]


def undecided(grades: list[int]) -> bool:
    """An even number of grades without a majority (2 vs 0, or 2 vs 1): the median is not a grade anyone gave."""
    ranked = sorted(grades)
    return len(ranked) % 2 == 0 and ranked[len(ranked) // 2 - 1] != ranked[len(ranked) // 2]


def second(out: Path, record: dict, first: dict[str, int], judged: dict[str, dict], name: str = "audit-2.jsonl",
           have: frozenset[str] = frozenset()) -> list[str]:
    """The audited pairs whose grades have no majority after the regrade (and no later grade yet: `have`), for
    another fresh judge: OUT_DIR/`name`."""
    drawn = _drawn(record)
    missing = drawn - set(first)
    if missing:
        raise SystemExit(f"the first regrades lack {len(missing)} drawn pairs (e.g. {sorted(missing)[0]})")
    differ = {pid for pid in drawn if undecided(grades_of(pid, record, first, judged))} - have
    texts = {}
    for path in sorted(out.glob("audit-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts[row["pair_id"]] = {"a": row["a"], "b": row["b"]}
    _blind_pool(out, name, _shuffled(differ, name), {pid: texts[pid] for pid in differ})
    return sorted(differ)


def merge_grades(record: dict, first: dict[str, int], later: dict[str, int],
                 judged: dict[str, dict]) -> dict[str, list[int]]:
    """Each drawn pair's independent grades, the second regrade added where the others have no majority."""
    out = {}
    for pid in sorted(_drawn(record)):
        grades = grades_of(pid, record, first, judged)
        if undecided(grades):
            if pid not in later:
                raise SystemExit(f"pair {pid}: its grades {grades} have no majority and no second regrade was given")
            grades.append(later[pid])
        out[pid] = grades
    return out


def merge(record: dict, first: dict[str, int], later: dict[str, int], judged: dict[str, dict]) -> dict[str, int]:
    """Each drawn pair's median over its independent grades."""
    return {pid: statistics.median_low(g) for pid, g in merge_grades(record, first, later, judged).items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="step", required=True)
    d = sub.add_parser("draw")
    d.add_argument("out", type=Path)
    d.add_argument("folders", nargs="+")
    d.add_argument("--controls", type=int, default=120)
    d.add_argument("--second-judges", default="", help="the earlier third judges' files (rounds 6–14), comma-separated")
    r = sub.add_parser("rest")
    r.add_argument("out", type=Path)
    r.add_argument("folders", nargs="+")
    e = sub.add_parser("extend")
    e.add_argument("out", type=Path)
    e.add_argument("pool", type=Path, help="the round's blind pool file (pool-N.jsonl)")
    e.add_argument("second_judges", help="the round's second judges' files, comma-separated")
    e.add_argument("--name", default="audit-5.jsonl")
    s = sub.add_parser("second")
    s.add_argument("out", type=Path)
    s.add_argument("first")
    s.add_argument("--name", default="audit-2.jsonl")
    s.add_argument("--have", default="", help="second regrades already made, comma-separated")
    m = sub.add_parser("merge")
    m.add_argument("first")
    m.add_argument("--second", default=None)
    args = ap.parse_args()
    judged = judged_pairs()
    record = {} if args.step == "draw" else json.loads((HERE / "audit.json").read_text(encoding="utf-8"))
    if args.step == "draw":
        earlier = regrades(args.second_judges) if args.second_judges else {}
        record = draw(args.out, args.folders, args.controls, judged, earlier)
        low = Counter((judged[t[0]]["grade"], judged[t[0]]["group"]) for t in record["triads"])
        print(f"{len(record['triads'])} triads, {len(record['flagged'])} pairs in them, "
              f"{len(record['controls'])} controls, {len(record['disputed'])} disputed; lower pairs by grade and group: {dict(low)}")
    elif args.step == "rest":
        record = draw_rest(args.out, args.folders, record, judged)
        print(f"{len(record['rest'])} pairs graded by one judge alone: {args.out / 'audit-3.jsonl'}")
    elif args.step == "extend":
        before = set(record.get("disputed", ()))
        record = extend(args.out, record, judged, regrades(args.second_judges), args.pool, args.name)
        print(f"{len(set(record['disputed']) - before)} pairs graded otherwise by the round's second judge: "
              f"{args.out / args.name}")
    elif args.step == "second":
        have = frozenset(regrades(args.have)) if args.have else frozenset()
        differ = second(args.out, record, regrades(args.first), judged, args.name, have)
        print(f"{len(differ)} pairs without a majority after the regrade: {args.out / args.name}")
    else:
        every = merge_grades(record, regrades(args.first), regrades(args.second) if args.second else {}, judged)
        final = {pid: statistics.median_low(g) for pid, g in every.items()}
        changed = {pid: (judged[pid]["grade"], g) for pid, g in final.items() if g != judged[pid]["grade"]}
        with (HERE / "adjudicated.jsonl").open("w", encoding="utf-8") as fh:
            for pid, g in final.items():  # the final grade, and every independent grade it is the median of
                fh.write(json.dumps({"pair_id": pid, "grade": g, "grades": every[pid]}) + "\n")
        print(f"{len(final)} pairs adjudicated, {len(changed)} changed: {dict(Counter(changed.values()))}")


if __name__ == "__main__":
    main()
