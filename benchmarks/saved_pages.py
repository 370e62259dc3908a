"""Saved-page main content: trafilatura against the hand-written tree, on the same pages in the same run.

    .venv/bin/python benchmarks/saved_pages.py

Prints, per page, whether both keep the same article lines, and trafilatura's time as a ratio of the tree's.
"""

from __future__ import annotations

import time
from pathlib import Path

from archive.extract import html as h

ROOT = Path(__file__).resolve().parents[1]
RUNS = 20


def _tree(text: str) -> list[str]:
    parser = h._Tree()
    parser.feed(text)
    parser.close()
    parts: list[str] = []
    h._text(h._best_container(parser.root), parts)
    return h._clean_lines("".join(parts)).split("\n")


def main() -> None:
    pages = sorted((ROOT / "tests" / "fixtures" / "notices").glob("*.html")) + sorted((ROOT / "corpus").rglob("*.html"))
    for page in pages:
        text = page.read_bytes().decode("utf-8")
        start = time.perf_counter()
        for _ in range(RUNS):
            lines = h._clean_lines(h._main_text(text) or "").split("\n")
        traf = (time.perf_counter() - start) / RUNS
        start = time.perf_counter()
        for _ in range(RUNS):
            hand = _tree(text)
        tree = (time.perf_counter() - start) / RUNS
        extra = [ln[:24] for ln in lines if ln not in hand]
        missing = [ln[:24] for ln in hand if ln not in lines]
        print(f"{page.name}: trafilatura/tree time {traf / tree:.1f}x ({traf * 1000:.1f} vs {tree * 1000:.1f} ms); "
              f"lines only trafilatura keeps {extra}, only the tree keeps {missing}")


if __name__ == "__main__":
    main()
