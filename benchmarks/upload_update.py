"""How long the index update after each uploaded file takes (webui/worker.py updates after every changed file).

    python -m benchmarks.upload_update [N]

Ingests the first N regulations of ../shared/corpus (default 500), builds the index, then ingests the two
sample notices one by one and times indexer.backends.whoosh.build.update after each: the delay the upload worker adds per file.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from archive.database import Archive
from archive.pipeline import ingest
from indexer.backends.whoosh.build import full_rebuild, update
from xuncha.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus" / "regulations"


def main(n: int) -> None:
    regs = sorted(SHARED.rglob("*.md"))[:n]
    if not regs:
        raise SystemExit(f"no regulations under {SHARED}")
    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(environ={}, home=Path(tmp) / "home")
        with Archive.open(s.db_path) as a:
            ingest(a, s.ingest_options(), [str(p) for p in regs])
            full_rebuild(a, s.index_options())
            times = []
            for notice in sorted((ROOT / "corpus" / "notices").glob("*.txt")):
                ingest(a, s.ingest_options(), [str(notice)])
                start = time.monotonic()
                update(a, s.index_options())
                times.append(time.monotonic() - start)
    print(f"{len(regs)} regulations indexed; update after one new file: " + ", ".join(f"{t:.2f} s" for t in times))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
