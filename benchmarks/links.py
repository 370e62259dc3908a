"""How long linking takes (issue 30 §6): units, rounds, pairs, links and clusters of a whole archive.

    nice -n 10 python -m benchmarks.links [--shared ../shared/corpus] [--factor 10] [--out DIR] [--notices-only]

Size 1 is the whole archive of ../shared/corpus (regulations and the real notices) plus corpus/ and the round
samples (tests/fixtures/links, links-r4 … links-rN, corpus/rounds when present). Size N (--factor) holds N × that archive's notices:
synthetic notices written the way benchmarks/scale.py writes synthetic regulations — the real layouts filled
with parts drawn at random from the real pool (here: the archive's own problems, under numbered units, two or
three rounds each). Linking reads notices only, so the larger size holds no extra regulations. For each size:
the ingest (the stock pipeline, for scale), a full relink, one new notice linked incrementally, and one review of a
recurring link (a rejection and its take-back, each followed by its relink: the mean of the two); the figures
are seconds and the relink's ratio to the ingest of the same notices, printed as JSON and kept in --out.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from archive.database import Archive
from archive.kinds import DocType
from archive.linkreviews import Review
from archive.links import refresh, review
from archive.pipeline import ingest
from xuncha.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
CN = "一二三四五六七八九十"


# every judged fixture round (links, links-r4 … links-rN), in round order
FIXTURES = [ROOT / "tests" / "fixtures" / "links",
            *sorted((ROOT / "tests" / "fixtures").glob("links-r*"), key=lambda p: int(p.name.removeprefix("links-r")))]


def sources(shared: Path, notices_only: bool = False) -> list[str]:
    """The archive of size 1: the shared corpus (or, notices_only, its notices: linking reads no regulation, and
    the ingest of 3,500 of them is what the 1× run spends its time on), corpus/ and the round fixtures."""
    paths = [shared / "notices" if notices_only else shared, ROOT / "corpus", *FIXTURES]
    return [str(p) for p in paths if p.exists()]


def synthetic(out: Path, pool: list[tuple[str, str]], notices: int, seed: int = 30) -> int:
    """`notices` synthetic notices of numbered units, 2–3 rounds each, problems drawn from the pool."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written, unit = 0, 0
    while written < notices:
        unit += 1
        name = f"区合成{unit:04d}号局党组"
        for r in range(rng.randint(2, 3)):
            if written >= notices:
                break
            year = 2016 + 3 * r + unit % 3
            lines = [f"中共示例{name}关于区委第{r + 2}轮巡察整改情况的通报",
                     f"根据区委统一部署，{year}年3月1日至4月30日，区委第{r + 2}轮巡察第一巡察组对{name}进行了巡察。"
                     f"{year}年6月1日，区委第一巡察组向{name}反馈了巡察意见。现将整改情况予以公布。",
                     "一、整改工作开展情况", "成立整改工作领导小组，逐条制定整改措施。", "二、巡察反馈问题整改落实情况"]
            k = 0
            for c in range(rng.randint(2, 3)):
                lines.append(f"（{CN[c]}）关于第{c + 1}方面问题的整改落实情况")
                for _ in range(rng.randint(2, 4)):
                    k += 1
                    title, text = rng.choice(pool)
                    body = text.split("的问题。", 1)[-1] if "的问题。" in text else text
                    lines.append(f"{k}.针对{title.removeprefix('针对').removesuffix('的问题')}的问题。{body}")
            (out / f"合成{unit:04d}-{r}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            written += 1
    return written


def measure(label: str, paths: list[str], work: Path, extra: Path) -> dict:
    settings = load_settings(environ={}, home=work / f"home-{label}")
    archive = Archive.open(settings.db_path)
    t = time.perf_counter()
    ingest(archive, settings.ingest_options(), paths)
    ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    full = refresh(archive, full=True)
    full_s = time.perf_counter() - t
    t = time.perf_counter()
    ingest(archive, settings.ingest_options(), [str(extra)])  # one new notice: ingest + incremental link
    one_s = time.perf_counter() - t
    link = next(iter(archive.problem_links("recurring")), None)
    review_s = None
    if link is not None:  # an inspector rejects a recurring link, then takes it back: a relink each
        t = time.perf_counter()
        review(archive, link.a, link.b, Review.DIFFERENT, "bench")
        review(archive, link.a, link.b, None, "bench")
        review_s = (time.perf_counter() - t) / 2
    state = archive.link_state()
    archive.close()
    return {"size": label, "notices": full.notices + 1, "pairs": full.pairs, "links": full.links,
            "clusters": full.clusters, "ingest_s": round(ingest_s, 2), "full_relink_s": round(full_s, 2),
            "relink_over_ingest": round(full_s / ingest_s, 3) if ingest_s else None,
            "one_new_notice_ingest_and_link_s": round(one_s, 2),
            "one_new_over_full_relink": round(one_s / full_s, 3) if full_s else None,
            "one_review_s": round(review_s, 2) if review_s is not None else None,
            "state_key": state[0][:12] if state else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--notices-only", action="store_true", help="leave the shared corpus's regulations out")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xuncha-links-"))
    rows = []
    try:
        base = sources(args.shared, args.notices_only)
        extra = work / "new"
        notice_dirs = [args.shared / "notices", ROOT / "corpus" / "notices", ROOT / "corpus" / "rounds", *FIXTURES]
        probe_settings = load_settings(environ={}, home=work / "probe")
        with Archive.open(probe_settings.db_path) as probe:
            ingest(probe, probe_settings.ingest_options(), [str(p) for p in notice_dirs if p.is_dir()])
            pool = [(p.title, p.text) for p in probe.link_problems()]
            real = probe.type_counts()[DocType.NOTICE.value]
        synthetic(extra, pool, 1, seed=99)
        rows.append(measure("1x", base, work, extra))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        big = work / "synthetic"
        synthetic(big, pool, real * (args.factor - 1))
        rows.append(measure(f"{args.factor}x", [*base, str(big)], work, extra))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"links-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
