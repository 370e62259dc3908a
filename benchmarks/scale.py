"""How xuncha's Whoosh index scales: a synthetic archive at 10%, 30%, 100%, 1,000% of the real one.

    nice -n 10 python -m benchmarks.scale [--sizes 0.1,0.3,1,10] [--out DIR] [--budget-s 3000]

Synthetic regulations are built from the real ones (benchmarks/../shared/corpus/regulations): each
takes a real regulation's layout (title line, header, 第N条 articles, chapters where it has them) and
fills it with articles drawn at random from the whole real pool, under a new numbered title, so the
vocabulary, article lengths and layouts are the real ones. The two real notices come along at every
size. For each size: ingest, a full build in its own process (seconds, index bytes, peak RSS), and
query p50/p95 over benchmarks.workload's queries. Sizes run smallest first; a size whose predicted
build time would pass --budget-s is skipped and reported as such (with the prediction).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from archive import store
from archive.database import Archive
from archive.pipeline import ingest
from xuncha.settings import load_settings

from .speed import SHARED, build, percentile_ms
from .workload import staff_queries

ROOT = Path(__file__).resolve().parents[1]
_ART = re.compile(r"^第[〇零一二三四五六七八九十百千两]+条\s*", re.M)
REAL_UNITS = 150_000


def _pool(regs: list[Path]) -> tuple[list[tuple[str, str]], list[str]]:
    """(header, title) layouts and every real article body."""
    layouts, articles = [], []
    for path in regs:
        text = path.read_text(encoding="utf-8", errors="replace")
        head, sep, body = text.partition("<!-- INFO END -->")
        if not sep:
            continue
        parts = _ART.split(body)
        if len(parts) < 3:
            continue
        layouts.append((head.strip(), path.stem))
        articles.extend(p.strip() for p in parts[1:] if p.strip())
    return layouts, articles


def generate(out: Path, factor: float, seed: int = 14) -> int:
    """Write synthetic regulations for `factor` × the real corpus into `out`; returns their number."""
    from archive.numerals import int_to_cn

    rng = random.Random(seed)
    regs = sorted((SHARED / "regulations").rglob("*.md"))
    layouts, articles = _pool(regs)
    n_regs = max(1, int(len(regs) * factor))
    per_reg = max(1, len(articles) // max(1, len(layouts)))
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n_regs):
        head, stem = layouts[i % len(layouts)]
        title = f"合成{i:06d}号{stem.split('(')[0]}"
        lines = [re.sub(r"^# .*$", f"# {title}", head, count=1, flags=re.M), "", "<!-- INFO END -->", ""]
        for k in range(1, rng.randint(max(1, per_reg // 2), per_reg * 2) + 1):
            lines += [f"第{int_to_cn(k)}条 {rng.choice(articles)}", ""]
        (out / f"{title}(2020-01-{1 + i % 28:02d}).md").write_text("\n".join(lines), encoding="utf-8")
    return n_regs


def measure(factor: float, work: Path) -> dict:
    """Ingest, build and query one size."""
    from indexer.search import SearchService

    src, home = work / f"src-{factor}", work / f"home-{factor}"
    n = generate(src, factor)
    settings = load_settings(environ={}, home=home)
    t = time.perf_counter()
    with Archive(store.connect(settings.db_path)) as archive:
        ingest(archive, settings.ingest_options(), [str(src), str(SHARED / "notices")])
        queries = staff_queries(archive, 240)
    ingest_s = time.perf_counter() - t
    b = build("xuncha", home, work / "unused")
    svc = SearchService(dataclasses.replace(settings.search_options(), result_cache=0))
    svc.search("预热")
    times = []
    for _, q in queries:
        t = time.perf_counter()
        svc.search(q, per_page=10)
        times.append(time.perf_counter() - t)
    shutil.rmtree(src, ignore_errors=True)
    out = {"factor": factor, "regulations": n, "ingest_s": round(ingest_s, 1), **b,
           "query_p50_ms": percentile_ms(times, 0.5), "query_p95_ms": percentile_ms(times, 0.95),
           "query_max_ms": round(max(times) * 1000, 1), "queries": len(times)}
    shutil.rmtree(home, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="0.1,0.3,1,10")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--budget-s", type=float, default=3000.0, help="skip a size whose predicted build passes this")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xuncha-scale-"))
    rows: list[dict] = []
    try:
        for factor in sorted(float(x) for x in args.sizes.split(",")):
            measured = [r for r in rows if "seconds" in r]
            if measured:
                last = measured[-1]
                predicted = last["seconds"] * factor / last["factor"]
                if predicted > args.budget_s:
                    rows.append({"factor": factor, "skipped": f"predicted build {predicted:.0f} s > budget "
                                 f"{args.budget_s:.0f} s (linear from {last['factor']})"})
                    print(json.dumps(rows[-1]), flush=True)
                    continue
            rows.append(measure(factor, work))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
