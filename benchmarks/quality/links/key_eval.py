"""The linker against the author's key to corpus/rounds/ (tests/fixtures/rounds_key.json), data it was not tuned on.

    python -m benchmarks.quality.links.key_eval [--out results-key.json]

Ingests corpus/rounds/ alone into a temporary archive and compares: units (their notices, in round order),
recurring links (the key's earlier problem, or one of its same-round reports `also_earlier`), same-round links,
common clusters (pairwise over cross-unit pairs: precision over every pair the clusters make, and over the pairs
of problems the key groups at all; recall over the required groups' pairs) and links among the distractors.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from itertools import combinations
from pathlib import Path

from archive.database import Archive
from archive.pipeline import ingest
from xuncha.settings import load_settings

ROOT = Path(__file__).resolve().parents[3]
KEY = ROOT / "tests" / "fixtures" / "rounds_key.json"
ROUNDS = ROOT / "corpus" / "rounds"


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def evaluate(archive: Archive, key: dict) -> dict:
    """The comparison, on an archive holding corpus/rounds/ (ingested and linked)."""
    docs = {Path(d.source_path).name: d.id for d in archive.documents()}

    def pid(ref: dict) -> str:
        return f"{docs[ref['file']]}-{ref['problem']}"

    unit_docs = [tuple(u.documents) for u in archive.units()]
    key_docs = [tuple(docs[d["file"]] for d in u["documents"]) for u in key["units"]]
    units_right = sum(1 for k in key_docs if k in unit_docs)
    rec = {(l.a, l.b) for l in archive.problem_links("recurring")}
    found = 0
    for r in key["recurring"]:
        earlier = {pid(r["earlier"]), *(pid(e) for e in r.get("also_earlier", []))}
        found += any((e, pid(r["later"])) in rec for e in earlier)
    key_rec = {(e, pid(r["later"])) for r in key["recurring"]
               for e in (pid(r["earlier"]), *(pid(x) for x in r.get("also_earlier", [])))}
    same = {frozenset((l.a, l.b)) for l in archive.problem_links("same_round")}
    key_same = {frozenset((pid(s["a"]), pid(s["b"]))) for s in key["same_round"]}
    unit_of = {p.id: archive.unit_of(p.doc_id).unit_id for p in archive.link_problems()}
    group_of: dict[str, int] = {}
    required: set[frozenset[str]] = set()
    for i, c in enumerate(key["common"]):
        members = [pid(m) for m in c["members"]]
        for m in members:
            group_of[m] = i
        pairs = {frozenset(p) for p in combinations(members, 2) if unit_of[p[0]] != unit_of[p[1]]}
        if c["required"]:
            required |= pairs
    made = {frozenset(p) for c in archive.common_clusters() for p in combinations(c.members, 2)
            if unit_of[p[0]] != unit_of[p[1]]}
    right = {p for p in made if len({group_of.get(x, -1 - hash(x)) for x in p}) == 1}
    known = {p for p in made if all(x in group_of for x in p)}
    linked = {frozenset((l.a, l.b)) for l in archive.problem_links()} | made
    distract = [frozenset((pid(d["a"]), pid(d["b"]))) for d in key["distractors"]]
    return {
        "units": f"{units_right}/{len(key_docs)} units with exactly the key's notices in the key's order",
        "recurring": {"key": len(key["recurring"]), "found": found, "recall": _ratio(found, len(key["recurring"])),
                      "links": len(rec), "in_key": len(rec & key_rec), "precision": _ratio(len(rec & key_rec), len(rec))},
        "same_round": {"key": len(key_same), "found": len(same & key_same), "recall": _ratio(len(same & key_same),
                                                                                              len(key_same)),
                       "links": len(same), "precision": _ratio(len(same & key_same), len(same))},
        "common": {"cluster_pairs": len(made), "right": len(right), "precision_all": _ratio(len(right), len(made)),
                   "precision_known": _ratio(len(right & known), len(known)),
                   "required_pairs": len(required), "recall_required": _ratio(len(made & required), len(required)),
                   "clusters": [(c.label, len(c.members)) for c in archive.common_clusters()]},
        "distractors": {"pairs": len(distract), "linked": sum(1 for d in distract if d in linked)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    key = json.loads(KEY.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={}, home=Path(tmp) / "home")
        with Archive.open(settings.db_path) as archive:
            ingest(archive, settings.ingest_options(), [str(ROUNDS)])
            report = evaluate(archive, key)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
