"""Fuzzed requests through the Flask test client: no 500, nothing slower than 1 s, no unescaped markup.

    python -m benchmarks.fuzz [--requests 10000] [--seed 1] [--home DIR]

Builds (or reuses, with --home) an archive of the sample corpus plus documents whose names, titles,
text, folders (facet values) and links carry markup (hostile_corpus), then sends fuzzed queries and
parameter sets to /, /api/search, /doc/<id>, /doc/<id>/original, /api/doc/<id>, /doc/<id>/check and its
CSV/XLSX exports. A response fails when its status is 500 or above, it takes over --slow seconds, or
an HTML page carries a payload's markup unescaped. Prints the counts; exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import string
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]

# each payload is markup that would run or render if a page put it out unescaped
PAYLOADS = ['<script>alert("xss-script")</script>', '"><img src=x onerror=alert("xss-img")>',
            "javascript:alert('xss-js')", "'><svg onload=alert(1)>", "<iframe src=javascript:alert(2)>",
            "{{7*7}}", "</textarea><b>bold</b>", "<a href=\"javascript:alert('xss-a')\">链接</a>"]
# what must never appear in a page's HTML (the unescaped forms of the payloads)
MARKERS = re.compile(r"<script>alert|<img src=x|<svg onload|<iframe src=javascript|<b>bold</b>|"
                     r"href=\"javascript:|href='javascript:|href=javascript:", re.I)

NOTICE = """中共示例区{tag}委员会关于巡察整改情况的通报
根据区委统一部署，2021年3月至5月，区委第一巡察组对示例区{tag}党组开展了常规巡察。2021年6月10日，巡察组反馈了意见。现将整改情况通报如下。
一、整改工作开展情况
党组高度重视，成立整改工作领导小组。{payload}
二、巡察反馈问题的整改落实情况
（一）关于落实中央八项规定精神方面
1.针对“公务接待不规范{payload}”问题。一是严格执行《示例市党政机关国内公务接待管理规定》第八条{payload}；二是清退超标准接待费用1.2万元。
2.针对“公务用车管理不严”问题。一是修订《公务用车管理办法{payload}》；二是开展专项检查3次。
"""
REGULATION = """# 示例市{tag}管理办法
第一章 总则
第一条 为了规范{tag}管理，{payload}制定本办法。
第二条 本办法适用于本市行政机关。{payload}
第二章 附则
第三条 本办法自2020年1月1日起施行。
"""


def hostile_corpus(folder: Path) -> Path:
    """Write documents whose names, titles, text, folder (a facet value) and links carry markup."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, payload in enumerate(PAYLOADS):
        safe = payload.replace("/", "／")  # a file name cannot hold a slash
        (folder / f"通报{i}{safe}.txt").write_text(NOTICE.format(tag=f"{i}{payload}", payload=payload),
                                                 encoding="utf-8")
    region = folder / f'"><img src=x onerror=alert(9)>地方法规'  # becomes the region facet value
    region.mkdir(exist_ok=True)
    (region / "示例市档案管理办法(2020-01-01).md").write_text(
        REGULATION.format(tag="档案<script>alert(3)</script>", payload=PAYLOADS[1]), encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>示例页面<script>alert(5)</script></title></head><body><h1>示例页面标题</h1>"
        f"<p>正文段落，含有链接 <a href=\"javascript:alert('xss-a')\">点击这里</a> 和 {PAYLOADS[0].replace('<', '&lt;')}"
        "以及更多关于巡察整改的说明文字。</p></body></html>", encoding="utf-8")
    return folder


def build_archive(home: Path) -> "object":
    """The sample corpus plus the hostile documents, ingested and indexed at home; its Settings."""
    from tests.conftest import SAMPLES, build_archive as build

    corpus = hostile_corpus(home.parent / f"{home.name}-hostile")
    return build(home, [str(SAMPLES), str(corpus)])


def _word(rng: random.Random) -> str:
    pools = ["公务用车", "整改", "巡察", "第八条", "三重一大", "示例", "管理办法", "AND", "OR", "NOT", "*", "?",
             '"', "(", ")", ":", "title:", "~2", "^3", "[a TO z]", "\\", "%", "&", "#", "　", "\x00", "\u202e",
             "\ud7ff", "😀", "ａｂｃ", "0" * 30, "-1", "《", "》", "第一百条", "‘", "…"] + PAYLOADS
    kind = rng.random()
    if kind < 0.6:
        return rng.choice(pools)
    if kind < 0.8:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 12)))
    return "".join(chr(rng.randint(0x20, 0x9fff)) for _ in range(rng.randint(1, 8)))


def fuzz_query(rng: random.Random) -> str:
    """A query string: words, operators, markup, odd characters; now and then very long."""
    words = [_word(rng) for _ in range(rng.randint(0, 8))]
    q = rng.choice([" ", "", "  ", " AND ", "\t"]).join(words)
    if rng.random() < 0.05:
        q = q * rng.randint(20, 80)
    return q


def fuzz_params(rng: random.Random, facets: list[tuple[str, str]]) -> dict[str, str]:
    """A parameter set for / and /api/search (some valid, some not)."""
    params: dict[str, str] = {"q": fuzz_query(rng)}
    for name, values in (("kind", ["document", "problem", "measure", "article", "all", "x", ""]),
                         ("sort", ["relevance", "date", "x", ""]),
                         ("page", ["1", "2", "0", "-1", "999999", "1e9", "x", "9" * 40]),
                         ("per_page", ["10", "0", "101", "x"]),
                         ("doc_type", ["notice", "regulation", "other", "<b>", ""])):
        if rng.random() < 0.4:
            params[name] = rng.choice(values)
    for _ in range(rng.randint(0, 3)):
        if facets and rng.random() < 0.7:
            name, value = rng.choice(facets)
        else:
            name, value = rng.choice(["year", "region", "category", "publisher", "doc_type", "x"]), _word(rng)
        params[name] = value
    return params


@dataclass
class Tally:
    """Requests sent and what went wrong."""

    sent: int = 0
    times: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _check(tally: Tally, url: str, resp: "object", seconds: float, slow_s: float) -> None:
    status = resp.status_code  # type: ignore[attr-defined]
    tally.sent += 1
    tally.times.append(seconds)
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    if status >= 500:
        tally.failures.append(f"{status} {url[:200]}")
    if seconds > slow_s:
        tally.failures.append(f"slow {seconds:.2f} s {url[:200]}")
    ctype = resp.headers.get("Content-Type", "")  # type: ignore[attr-defined]
    if ctype.startswith("text/html"):
        body = resp.get_data(as_text=True)  # type: ignore[attr-defined]
        if m := MARKERS.search(body):
            tally.failures.append(f"unescaped {m.group(0)!r} in {url[:200]}")


def _facets(client: "object") -> list[tuple[str, str]]:
    data = client.get("/api/search?q=" + quote("整改")).get_json()  # type: ignore[attr-defined]
    out = []
    for name, values in (data.get("facets") or {}).items():
        for v in values:
            out.append((name, str(v.get("value") if isinstance(v, dict) else v[0])))
    return out


def run(settings: "object", requests: int, seed: int = 1, slow_s: float = 1.0) -> Tally:
    """Send `requests` fuzzed requests to the app over settings' archive."""
    from archive.database import Archive
    from webui import create_app

    app = create_app(settings)  # type: ignore[arg-type]
    client = app.test_client()
    with Archive.open(settings.db_path) as archive:  # type: ignore[attr-defined]
        docs = list(archive.documents())
    ids = [d.id for d in docs]
    notices = [d.id for d in docs if d.doc_type == "notice"]
    rng = random.Random(seed)
    facets = _facets(client)
    tally = Tally()
    while tally.sent < requests:
        roll = rng.random()
        if roll < 0.35:
            url = "/?" + "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in fuzz_params(rng, facets).items())
        elif roll < 0.7:
            url = "/api/search?" + "&".join(f"{quote(k)}={quote(v, safe='')}"
                                            for k, v in fuzz_params(rng, facets).items())
        else:
            doc = rng.choice(ids) if rng.random() < 0.8 else quote(_word(rng), safe="")
            if notices and rng.random() < 0.4:
                doc = rng.choice(notices)
            tail = rng.choice(["", "/original", "/check", "/check.csv", "/check.xlsx", "/../../etc/passwd",
                               "/%2e%2e%2f%2e%2e%2fetc%2fpasswd"])
            prefix = rng.choice(["/doc/", "/api/doc/"]) if tail in ("", "/check") else "/doc/"
            extra = rng.choice(["", "?q=" + quote(fuzz_query(rng), safe=""), "?only=" + quote(_word(rng), safe="")])
            url = f"{prefix}{doc}{tail}{extra}"
        started = time.perf_counter()
        resp = client.get(url)
        _check(tally, url, resp, time.perf_counter() - started, slow_s)
        resp.close()
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--slow", type=float, default=1.0, help="seconds above which a response fails")
    ap.add_argument("--home", type=Path, default=None, help="reuse (or build) the fuzz archive here")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="xuncha-fuzz-") as tmp:
        home = args.home or Path(tmp) / "home"
        if (home / "archive.sqlite3").is_file():
            from xuncha.settings import load_settings

            settings = load_settings(environ={}, home=home)
        else:
            settings = build_archive(home)
        started = time.monotonic()
        tally = run(settings, args.requests, args.seed, args.slow)
        took = time.monotonic() - started
    times = sorted(tally.times)
    print(f"fuzz: {tally.sent} requests in {took:.0f} s; statuses {dict(sorted(tally.statuses.items()))}; "
          f"p50 {statistics.median(times) * 1000:.0f} ms, p99 {times[int(len(times) * 0.99)] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms; failures {len(tally.failures)}")
    for line in tally.failures[:50]:
        print("  " + line)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
