"""The frozen tune/test split of the real notices' measures: by a hash of the measure id, 50/50.

    python -m benchmarks.quality.crosscheck.split --home DIR    # rewrite split.json from the archive's measures

The rule (sha1 of the id, first byte even → tune) fixes each measure's side before any tuning; split.json
lists the ids it gave so a reader can check which side a measure is on without running anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

SPLIT_JSON = Path(__file__).with_name("split.json")
RULE = "sha1(measure_id.encode('utf-8')).digest()[0] % 2 == 0 → tune, else test"


def side(measure_id: str) -> str:
    """'tune' or 'test' for one measure (the frozen rule)."""
    return "tune" if hashlib.sha1(measure_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def split(ids: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"tune": [], "test": []}
    for mid in sorted(set(ids)):
        out[side(mid)].append(mid)
    return out


def write(ids: Iterable[str], path: Path = SPLIT_JSON) -> dict[str, list[str]]:
    parts = split(ids)
    path.write_text(json.dumps({"rule": RULE, **parts}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.crosscheck.split")
    ap.add_argument("--home", type=Path)
    ap.add_argument("--judged", type=Path, default=Path(__file__).parents[1] / "suggestion_judgments.jsonl")
    args = ap.parse_args(argv)
    ids = {json.loads(x)["measure_id"] for x in args.judged.read_text(encoding="utf-8").splitlines() if x.strip()}
    if args.home:
        from benchmarks.quality.suggestions import real_measure_ids
        ids |= set(real_measure_ids(args.home))
    parts = write(ids)
    print({k: len(v) for k, v in parts.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
