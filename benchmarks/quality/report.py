"""The search-quality runner's output (runner.py): its tables per system, group and split, the worst queries, and a
comparison of two runs' result files."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from .metrics import METRICS
from .runner import KINDS, SYSTEMS


def _groups(summary: dict) -> list[str]:
    return list(next(iter(summary.values())).keys())


def print_splits(result: dict, out: Callable[[str], None] = print) -> None:
    """Tuning and test figures side by side, per kind: nDCG@10 of the three systems and the ratio, then
    xuncha's Recall@10, MRR@10 and P@5 (the citation row's MRR@10 is the citation MRR@10)."""
    splits = result.get("splits") or {}
    if not splits:
        return
    names = list(splits)
    groups = ["all", *KINDS]
    head = f"{'group':<14}" + "".join(f"| {n:<5}{'n':>4}{'xuncha':>8}{'AND':>7}{'OR':>7}{'ratio':>7} " for n in names)
    out("\nnDCG@10 per split (ratio = xuncha / the stronger stock)")
    out(head)

    def ndcg(split: dict, g: str) -> str:
        sm, r = split["summary"], split["ratio"][g]
        return (f"| {'':<5}{sm['xuncha'][g]['n']:>4}" + "".join(
            f"{sm[s][g]['ndcg@10']:>{w}.3f}" for s, w in zip(SYSTEMS, (8, 7, 7)))
            + (f"{r:>6.2f}× " if r is not None else f"{'n/a':>7} "))

    def others(split: dict, g: str) -> str:
        sm = split["summary"]
        best = max(SYSTEMS[1:], key=lambda s: sm[s][g]["ndcg@10"])
        return "| " + " ".join(f"{sm['xuncha'][g][m]:.2f}({sm[best][g][m]:.2f})"
                               for m in ("recall@10", "mrr@10", "p@5")).ljust(36)

    _rows(out, splits, groups, ndcg, f"| {'':<5}{0:>4}{'':>29} ")
    out("\nxuncha Recall@10 / MRR@10 / P@5 per split (stronger stock's in brackets)")
    out(f"{'group':<14}" + "".join(f"| {n:<36}" for n in names))
    _rows(out, splits, groups, others, f"| {'':<36}")


def _rows(out: Callable[[str], None], splits: dict, groups: list[str], cell: Callable[[dict, str], str],
          empty: str) -> None:
    """One line per group, one cell per split (`empty` where the split has no query of the group)."""
    for g in groups:
        out(f"{g:<14}" + "".join(empty if g not in split["summary"]["xuncha"] else cell(split, g)
                                 for split in splits.values()))


def print_tables(result: dict, out: Callable[[str], None] = print, worst: int = 10) -> None:
    """Per-system metric tables, the nDCG ratio, build times and the worst queries for xuncha."""
    summary, ratio, meta = result["summary"], result["ratio"], result["meta"]
    groups = _groups(summary)
    head = f"{'group':<22}{'n':>4}" + "".join(f"{m:>11}" for m in METRICS)
    for s in SYSTEMS:
        out(f"\n{s}")
        out(head)
        for g in groups:
            row = summary[s][g]
            out(f"{g:<22}{row['n']:>4}" + "".join(f"{row[m]:>11.3f}" for m in METRICS))
    out("\nnDCG@10  xuncha / max(stock-AND, stock-OR)")
    for g in groups:
        best = max(summary[s][g]["ndcg@10"] for s in SYSTEMS[1:])
        r = ratio[g]
        shown = f"{r:.2f}×" if r is not None else "n/a"
        out(f"{g:<22}{summary['xuncha'][g]['ndcg@10']:>8.3f} / {best:.3f} = {shown}")
    b = meta["build_s"]
    out(f"\n{meta['documents']} documents, {meta['grains']} grains; ingest {meta.get('ingest_s')} s")
    out(f"build: xuncha {b['xuncha']} s ({meta['workers']} process(es)), stock {b['stock']} s (1 process)"
        + (f"; ratio {meta['build_ratio']}×" if meta.get("build_ratio") else ""))
    out("query ms (mean): " + ", ".join(f"{s} {v}" for s, v in meta["query_ms"].items()))
    empty = [r["id"] for r in result["per_query"] if r["systems"]["xuncha"].get("shown", 1) == 0]
    out(f"queries xuncha finds nothing for: {len(empty)}" + (f" ({', '.join(empty)})" if empty else ""))
    if result.get("unreachable"):
        out("judged units no unit-grain hit can reach (kept in the ideal): "
            + ", ".join(f"{u['query']} {u['unit']}" for u in result["unreachable"]))
    print_splits(result, out)
    if worst:
        out(f"\n{worst} worst queries for xuncha (nDCG@10; best stock; xuncha's rank 1)")
        for r in worst_queries(result["per_query"], worst):
            x = r["systems"]["xuncha"]
            best = max(r["systems"][s]["ndcg@10"] for s in SYSTEMS[1:])
            top = x["top"][0] if x["top"] else None
            first = f"{top['unit'] or top['id']} «{top['title'][:30]}» g{top['gain']}" if top else "(no hits)"
            out(f"{r['id']} {r['kind']:<12} {r['query']}  {x['ndcg@10']:.3f} vs {best:.3f}  #1: {first}")
            out(f"     wanted: {'; '.join(r['expected'][:4])}")


def worst_queries(per_query: Sequence[dict], n: int = 10) -> list[dict]:
    """Lowest xuncha nDCG first; ties broken by how far the best stock system is ahead."""
    def key(r: dict) -> tuple[float, float]:
        x = r["systems"]["xuncha"]["ndcg@10"]
        return x, x - max(r["systems"][s]["ndcg@10"] for s in SYSTEMS[1:])
    return sorted(per_query, key=key)[:n]


def compare(a_path: Path, b_path: Path, out: Callable[[str], None] = print, moves: int = 10) -> None:
    """Delta B − A per system and group, then the queries whose xuncha nDCG moved most."""
    a, b = (json.loads(Path(p).read_text(encoding="utf-8")) for p in (a_path, b_path))
    out(f"A = {a_path} ({a['meta']['mode']}, {a['meta']['started']}, indexer {a['meta'].get('indexer_sha1')})")
    out(f"B = {b_path} ({b['meta']['mode']}, {b['meta']['started']}, indexer {b['meta'].get('indexer_sha1')})")
    if a["meta"].get("documents") != b["meta"].get("documents"):
        out(f"warning: different corpora ({a['meta'].get('documents')} vs {b['meta'].get('documents')} documents)")
    head = f"{'group':<22}" + "".join(f"{m:>18}" for m in METRICS)
    for s in SYSTEMS:
        if s not in a["summary"] or s not in b["summary"]:
            continue
        out(f"\n{s}: B − A  (B value)")
        out(head)
        for g in _groups(b["summary"]):
            if g not in a["summary"][s]:
                continue
            cells = "".join(f"{b['summary'][s][g][m] - a['summary'][s][g][m]:>+10.3f} ({b['summary'][s][g][m]:.3f})"
                            for m in METRICS)
            out(f"{g:<22}{cells}")
    qa = {r["id"]: r for r in a["per_query"]}
    deltas = [(r["systems"]["xuncha"]["ndcg@10"] - qa[r["id"]]["systems"]["xuncha"]["ndcg@10"], r)
              for r in b["per_query"] if r["id"] in qa]
    changed = sorted((d for d in deltas if abs(d[0]) > 1e-9), key=lambda d: -abs(d[0]))[:moves]
    out(f"\nxuncha nDCG@10 moves ({sum(1 for d in deltas if d[0] > 1e-9)} up, "
        f"{sum(1 for d in deltas if d[0] < -1e-9)} down):")
    for d, r in changed:
        out(f"{r['id']} {r['query']}: {d:+.3f} → {r['systems']['xuncha']['ndcg@10']:.3f}")
