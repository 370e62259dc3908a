"""Fit the suggestion score on the tune half, choose the threshold, and report tune and test side by side.

    python -m benchmarks.quality.crosscheck.fit NEW_RUN.jsonl [--judged /work/wt/judge/judgments.jsonl
        --pool POOL.jsonl] [--weights current|fit] [--out benchmarks/quality/crosscheck/results.json]

Judgments: the 695 earlier ones (keep 0/1) and the blind judge's 751 grades (0/1/2) of the pool written by
benchmarks.quality.crosscheck.pool (judgments.jsonl here, with the pool's measure and article ids). Kept = keep 1 or grade 2 (strict: an inspector would cite it); `lenient` also counts grade 1.
A pair nobody judged counts as not kept, and the report says how many there were.

The score is a logistic model over the features indexer/suggest.py computes for every candidate (the run's
`candidates`), fitted by gradient descent with an L2 penalty on the judged tune pairs only. The threshold is
the lowest (most coverage) at which the tune half reaches the stated precision: P@3 of what is shown ≥ 0.6
and P@1 ≥ 0.7. Metrics at threshold t, over all measures of a half:
coverage = share of measures with at least one suggestion scoring ≥ t; P@1 = kept first suggestions / covered
measures; P@3 = kept / shown among each covered measure's top 3 (shown-precision), and P@3/3 = kept / 3 per
covered measure (the older harness's definition, which counts a missing suggestion as not kept).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from benchmarks.quality.crosscheck.pool import OLD_JUDGED, jsonl
from benchmarks.quality.crosscheck.split import side

HERE = Path(__file__).parent
TARGET_P3, TARGET_P1 = 0.6, 0.7
FEATURES = ("bias", "relevance", "shared", "governing", "cited", "kind_article", "topic_article", "national",
            "foreign_local", "specific", "in_title", "on_problem", "src_governing", "src_problem", "src_measure",
            "src_dense", "src_prior", "kind_fit", "topic_rel")


SAMPLE = "示例"  # the project's own sample rules: their ids hash the checkout's path (archive/ids.py document_id)


def sample_labels(home: Path | None) -> dict[str, list[str]]:
    """Label ("示例区党组议事规则 第四条") → this archive's article ids, for the sample rules (every version)."""
    if home is None:
        return {}
    conn = sqlite3.connect(f"file:{home / 'archive.sqlite3'}?mode=ro", uri=True)
    out: dict[str, list[str]] = {}
    for aid, label, title in conn.execute("SELECT a.id, a.label, d.title FROM articles a JOIN documents d "
                                          "ON d.id = a.doc_id WHERE d.title LIKE ?", (SAMPLE + "%",)):
        out.setdefault(f"{title} {label or ''}".strip(), []).append(aid)
    return out


def judgments(judged: Path | None, pool: Path | None, rows: Sequence[dict] = (), home: Path | None = None
              ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(strict, lenient) kept per (measure_id, article_id). A sample rule's article judged under another
    checkout's id is found again by its label (title and article, "示例区党组议事规则 第四条") among the run's
    candidates: real regulations' ids are stable (the shared corpus's path), the samples' are not."""
    strict, lenient, labels = {}, {}, []
    for j in jsonl(OLD_JUDGED):
        strict[(j["measure_id"], j["article_id"])] = lenient[(j["measure_id"], j["article_id"])] = int(j["keep"])
        labels.append((j["measure_id"], j.get("article", ""), int(j["keep"]), int(j["keep"])))
    for path in ([judged] if isinstance(judged, Path) else list(judged or ())):
        if not path.exists():
            continue
        by_pair = {p["pair_id"]: (p["measure_id"], p["article_id"]) for p in jsonl(pool)} if pool and pool.exists() else {}
        for j in jsonl(path):
            key = (j["measure_id"], j["article_id"]) if "measure_id" in j else by_pair.get(j["pair_id"])
            if key:
                strict[key], lenient[key] = int(j["grade"] == 2), int(j["grade"] >= 1)
                labels.append((key[0], j.get("article", ""), strict[key], lenient[key]))
    here = {(r["measure_id"], c.get("label", "")): c["article_id"] for r in rows for c in r.get("candidates", ())}
    here.update({(r["measure_id"], f"{s.get('doc_title', '')} {s.get('article') or ''}".strip()): s["article_id"]
                 for r in rows for s in r.get("suggested", ())})
    archive = sample_labels(home)
    for mid, label, k_strict, k_lenient in labels:
        if not label.startswith(SAMPLE):
            continue
        for aid in {*archive.get(label, ()), *([here[(mid, label)]] if (mid, label) in here else [])}:
            if (mid, aid) not in strict:
                strict[(mid, aid)], lenient[(mid, aid)] = k_strict, k_lenient
    return strict, lenient


def score_of(x: Mapping[str, float], w: Mapping[str, float]) -> float:
    z = sum(w.get(k, 0.0) * v for k, v in x.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def fit(rows: list[dict], kept: Mapping[tuple[str, str], int], l2: float = 0.1, steps: int = 2000,
        lr: float = 0.5, drop: Sequence[str] = ()) -> dict[str, float]:
    """Logistic regression on standardized features (gradient descent, L2), returned as raw-feature weights."""
    data = [(c["features"], kept[(r["measure_id"], c["article_id"])]) for r in rows if side(r["measure_id"]) == "tune"
            for c in r["candidates"] if (r["measure_id"], c["article_id"]) in kept]
    names = [k for k in FEATURES if k != "bias" and k not in drop]
    if not data:
        return {k: 0.0 for k in FEATURES}
    x = np.array([[f.get(k, 0.0) for k in names] for f, _ in data])
    y = np.array([v for _, v in data], dtype=float)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = (x - mean) / sd
    w, b = np.zeros(len(names)), 0.0
    for _ in range(steps):
        e = 1.0 / (1.0 + np.exp(-np.clip(z @ w + b, -30, 30))) - y
        b -= lr * e.mean()
        w -= lr * (z.T @ e / len(y) + l2 * w)
    raw = {k: float(w[i] / sd[i]) for i, k in enumerate(names)}
    raw["bias"] = float(b - np.sum(w * mean / sd))
    return {k: round(raw.get(k, 0.0), 3) for k in FEATURES}


def folds_of(measure_id: str, k: int) -> int:
    """A tune measure's cross-validation fold (a hash of its id, as the split is)."""
    return hashlib.sha1(f"fold:{measure_id}".encode()).digest()[0] % k


def cross_validated(rows: list[dict], kept: Mapping[tuple[str, str], int], k: int = 5, **kw
                    ) -> dict[str, list[tuple[str, float]]]:
    """Each tune measure's top 3 under weights fitted on the other folds of tune (out-of-fold): the threshold
    chosen on these is chosen on scores the fit never saw."""
    tune = [r for r in rows if side(r["measure_id"]) == "tune"]
    out = {}
    for f in range(k):
        w = fit([r for r in tune if folds_of(r["measure_id"], k) != f], kept, **kw)
        out.update({r["measure_id"]: ranked(r, w) for r in tune if folds_of(r["measure_id"], k) == f})
    return out


L2_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)


def choose_l2(rows: list[dict], kept: Mapping[tuple[str, str], int], k: int = 5, drop: Sequence[str] = ()) -> float:
    """The L2 penalty of the lowest out-of-fold log loss over tune's judged candidates."""
    tune = [r for r in rows if side(r["measure_id"]) == "tune"]
    best = (math.inf, L2_GRID[0])
    for l2 in L2_GRID:
        loss = n = 0
        for f in range(k):
            w = fit([r for r in tune if folds_of(r["measure_id"], k) != f], kept, l2=l2, drop=drop)
            for r in tune:
                if folds_of(r["measure_id"], k) != f:
                    continue
                for c in r["candidates"]:
                    y = kept.get((r["measure_id"], c["article_id"]))
                    if y is not None:
                        p = min(max(score_of(c["features"], w), 1e-6), 1 - 1e-6)
                        loss -= math.log(p if y else 1 - p)
                        n += 1
        best = min(best, (loss / (n or 1), l2))
    return best[1]


def ranked(row: dict, w: Mapping[str, float], limit: int = 3,
           only: Mapping[tuple[str, str], int] | None = None) -> list[tuple[str, float]]:
    """A measure's top `limit` candidates under weights w, two articles of one regulation at most (as suggest);
    with `only`, the condensed list of judged candidates (unjudged ones skipped, not counted as misses)."""
    cands = sorted(((score_of(c["features"], w), c["article_id"]) for c in row["candidates"]
                    if only is None or (row["measure_id"], c["article_id"]) in only), key=lambda t: -t[0])
    out, per = [], {}
    for s, aid in cands:
        doc = aid.rsplit("-", 1)[0]
        if per.get(doc, 0) >= 2:
            continue
        per[doc] = per.get(doc, 0) + 1
        out.append((aid, s))
        if len(out) >= limit:
            break
    return out


def metrics(rows: list[dict], tops: Mapping[str, list[tuple[str, float]]], kept: Mapping[tuple[str, str], int],
            t: float) -> dict[str, float]:
    covered = p1 = shown = good = 0
    unjudged = 0
    for r in rows:
        sug = [(a, s) for a, s in tops[r["measure_id"]] if s >= t]
        if not sug:
            continue
        covered += 1
        ks = [kept.get((r["measure_id"], a)) for a, _ in sug]
        unjudged += sum(k is None for k in ks)
        ks = [k or 0 for k in ks]
        p1 += ks[0]
        shown += len(ks)
        good += sum(ks)
    n = len(rows) or 1
    return {"threshold": round(t, 3), "measures": len(rows), "covered": covered, "coverage": round(covered / n, 3),
            "P@1": round(p1 / covered, 3) if covered else None, "P@3": round(good / shown, 3) if shown else None,
            "P@3/3": round(good / (3 * covered), 3) if covered else None, "unjudged": unjudged}


MIN_COVERED = 8  # a precision measured on fewer tune measures than this is not evidence of reaching the target
MIN_COVERAGE = 0.25  # the fallback's floor: a threshold that shows almost nothing is not a choice


def choose(rows: list[dict], tops, kept) -> tuple[float, str]:
    """The lowest threshold at which tune reaches the stated precision on ≥ MIN_COVERED measures; when no
    threshold does, the one of the best tune P@3 among those keeping coverage ≥ MIN_COVERAGE (and says so)."""
    grid = [i / 100 for i in range(0, 100)]
    for t in grid:
        m = metrics(rows, tops, kept, t)
        if m["covered"] >= MIN_COVERED and m["P@3"] is not None and m["P@3"] >= TARGET_P3 and \
                (m["P@1"] or 0) >= TARGET_P1:
            return t, "target reached on tune"
    ok = [(metrics(rows, tops, kept, t), t) for t in grid]
    ok = [(m["P@3"], -t, t) for m, t in ok if m["coverage"] >= MIN_COVERAGE and m["P@3"] is not None]
    best = max(ok)[2] if ok else 1.0
    return best, f"target not reached on tune: best tune P@3 at coverage ≥ {MIN_COVERAGE}"


def table(result: dict) -> str:
    """The tune/test table at the threshold and the precision–coverage curve, in Markdown."""
    def cells(m: dict) -> str:
        return " | ".join(str(m[k]) for k in ("coverage", "P@1", "P@3", "P@3/3", "unjudged"))

    lines = [f"threshold {result['threshold']} (chosen on tune; aim P@3 ≥ {TARGET_P3} and P@1 ≥ {TARGET_P1}: "
             f"{result['threshold_rule']})", "",
             "| judged as | half | coverage | P@1 | P@3 (shown) | P@3/3 | unjudged shown |", "|---|---|---|---|---|---|---|"]
    for label, key in (("strict (keep, grade 2)", "at_threshold"), ("lenient (grade ≥ 1)", "at_threshold_lenient"),
                       ("strict, judged pairs only", "at_threshold_condensed")):
        for half in ("tune", "test"):
            lines.append(f"| {label} | {half} | {cells(result[key][half])} |")
    if "tune_cross_validated" in result:
        lines.append(f"| strict, out-of-fold | tune | {cells(result['tune_cross_validated'])} |")
    lines += ["", "precision–coverage (strict; tune out-of-fold beside tune in-sample):", "",
              "| threshold | tune coverage | tune P@1 | tune P@3 | tune-oof coverage | tune-oof P@1 | tune-oof P@3 | "
              "test coverage | test P@1 | test P@3 |", "|---|---|---|---|---|---|---|---|---|---|"]
    for c, cv in zip(result["curve"], result.get("curve_cv") or [c["tune"] for c in result["curve"]]):
        tu, te = c["tune"], c["test"]
        lines.append(f"| {tu['threshold']} | {tu['coverage']} | {tu['P@1']} | {tu['P@3']} | {cv['coverage']} | "
                     f"{cv['P@1']} | {cv['P@3']} | {te['coverage']} | {te['P@1']} | {te['P@3']} |")
    return "\n".join(lines) + "\n"


def baseline(rows: list[dict], strict, lenient, threshold: float | None = None) -> int:
    """A run scored as it ranked (the current system, BM25): its own top 3 for every measure, or with a threshold
    those of its own scores reaching it (a run of the system before this one, with its weights)."""
    tops = {r["measure_id"]: [(x["article_id"], x.get("score", 1.0) if threshold is not None else 1.0)
                              for x in r["suggested"][:3]] for r in rows}
    out = {}
    for label, kept in (("strict", strict), ("lenient", lenient)):
        for half in ("tune", "test"):
            out[f"{label} {half}"] = metrics([r for r in rows if side(r["measure_id"]) == half], tops, kept,
                                             threshold or 0.0)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.crosscheck.fit")
    ap.add_argument("run", type=Path)
    ap.add_argument("--judged", type=Path, default=HERE / "judgments.jsonl",
                    help="the blind judge's grades (pair ids with measure and article ids, as kept here)")
    ap.add_argument("--pool", type=Path, default=None, help="the blind pool, when the judgments lack ids")
    ap.add_argument("--weights", choices=("current", "fit"), default="fit")
    ap.add_argument("--threshold", type=float, default=None, help="report at this threshold instead of choosing")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--drop", nargs="*", default=[], help="features left out of the fit (ablation)")
    ap.add_argument("--fit-on", choices=("strict", "lenient"), default="strict")
    ap.add_argument("--home", type=Path, default=None, help="the archive (finds judged sample articles by label)")
    ap.add_argument("--cv", type=int, default=5, help="folds of tune for the out-of-fold threshold choice (0: in-sample)")
    ap.add_argument("--l2", type=float, default=None, help="the L2 penalty (default: chosen by out-of-fold log loss)")
    ap.add_argument("--baseline", action="store_true", help="score a run as it ranked (no scores, no threshold)")
    args = ap.parse_args(argv)
    rows = jsonl(args.run)
    strict, lenient = judgments(args.judged, args.pool, rows, args.home)
    if args.baseline:
        return baseline(rows, strict, lenient, args.threshold)
    fit_kept = lenient if args.fit_on == "lenient" else strict
    if args.l2 is None:
        args.l2 = choose_l2(rows, fit_kept, max(args.cv, 2), drop=args.drop) if args.weights == "fit" else 0.1
    if args.weights == "fit":
        w = fit(rows, lenient if args.fit_on == "lenient" else strict, drop=args.drop, l2=args.l2)
    else:
        from indexer.suggest import WEIGHTS
        w = dict(WEIGHTS)
    tops = {r["measure_id"]: ranked(r, w) for r in rows}
    dense = {r["measure_id"]: ranked(r, w, only=strict) for r in rows}
    tune = [r for r in rows if side(r["measure_id"]) == "tune"]
    test = [r for r in rows if side(r["measure_id"]) == "test"]
    oof = tops
    if args.weights == "fit" and args.cv:
        oof = {**tops, **cross_validated(rows, lenient if args.fit_on == "lenient" else strict, args.cv,
                                         drop=args.drop, l2=args.l2)}
    t, why = (args.threshold, "given") if args.threshold is not None else choose(tune, oof, strict)
    curve = [{"tune": metrics(tune, tops, strict, x), "test": metrics(test, tops, strict, x)}
             for x in [i / 20 for i in range(0, 20)]]
    result = {"fit_on": args.fit_on, "l2": args.l2, "weights": w, "threshold": t, "threshold_rule": why, "target": {"P@3": TARGET_P3, "P@1": TARGET_P1},
              "at_threshold": {"tune": metrics(tune, tops, strict, t), "test": metrics(test, tops, strict, t)},
              "at_threshold_lenient": {"tune": metrics(tune, tops, lenient, t), "test": metrics(test, tops, lenient, t)},
              "at_threshold_condensed": {"tune": metrics(tune, dense, strict, t), "test": metrics(test, dense, strict, t)},
              "tune_cross_validated": metrics(tune, oof, strict, t),
              "curve": curve, "curve_cv": [metrics(tune, oof, strict, x) for x in [i / 20 for i in range(0, 20)]]}
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
        args.out.with_suffix(".md").write_text(table(result), encoding="utf-8")
    print(json.dumps(result["weights"], ensure_ascii=False))
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
