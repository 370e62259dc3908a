"""A learned re-ranker over features the search already computes (issue 31, method 4): an experiment, not shipped.

    python -m benchmarks.quality.rerank --home DIR --out RESULT.json

Per query, the candidates are the union of the engine's top `DEPTH` units and plain BM25-OR's (the relaxed form's
OR without the AND-first boost, indexer/fusion.py); each gets the features below. LightGBM's LambdaMART
(lightgbm.LGBMRanker) is trained on the tune split only: its settings are chosen by 5-fold cross-validation over
tune queries (nDCG@10 of the held-out folds), then one model is fitted on all of tune and applied to every split.
The result has the candidates.py shape (per query and system: the scored top 10), with stock-OR/stock-AND taken
from a candidates.py run of the same archive (`--stock RESULT.json`), so `candidates.markdown` prints the tables.

Features (per unit): engine rank (log) and score / the first's, plain-OR rank (log) and score / the first's, in each
list, RRF of the two ranks (k 60); grain (article, problem, measure); superseded (已修订); per query: the relaxed
form answered, the plain OR's clause count, a citation query.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .runner import CORPUS, SPLIT_FILES, ArchiveMap, Judged, score_units, judged_docs, load_split

DEPTH = 100
FEATURES = ("e_rank", "e_score", "e_in", "p_rank", "p_score", "p_in", "rrf", "article", "problem", "measure",
            "superseded", "relaxed", "words", "citation")
GRID = [dict(rounds=n, num_leaves=l, learning_rate=0.05, min_data_in_leaf=m)
        for n in (50, 150) for l in (7, 15) for m in (10, 40)]


class _Hit:
    __slots__ = ("id", "kind", "title", "doc_id", "article", "measure", "status")

    def __init__(self, unit: Any) -> None:
        f = unit.fields()
        self.id, self.kind, self.title = unit.id, unit.kind, f.get("title", "")
        self.doc_id, self.article, self.measure, self.status = f["doc_id"], f.get("article"), f.get("measure"), \
            f.get("status", "")


def candidates_of(service: Any, text: str) -> tuple[list[_Hit], np.ndarray]:
    """The query's candidate units and their feature rows."""
    from indexer.backend import RELAX_BELOW, SearchRequest, Sort

    built = service.build(text, {})
    if built.empty:
        return [], np.zeros((0, len(FEATURES)))
    found = service.backend.search(SearchRequest(built.strict, built.relaxed, built.any_word, built.filters, DEPTH,
                                                 Sort.RELEVANCE, RELAX_BELOW, service.options.time_limit_s))
    engine = [u for u in found.units if u.kind != "document"]
    plain = [u for u in service.backend.best(built.plain, None, DEPTH * 2) if u.kind != "document"][:DEPTH] \
        if built.plain is not None else []
    words = len(built.plain.clauses) if built.plain is not None and hasattr(built.plain, "clauses") else 0
    e_top = engine[0].score if engine else 1.0
    p_top = plain[0].score if plain else 1.0
    rows: dict[str, dict[str, float]] = {}
    hits: dict[str, _Hit] = {}
    for rank, u in enumerate(engine, 1):
        hits[u.id] = _Hit(u)
        rows[u.id] = {"e_rank": math.log(rank), "e_score": u.score / (e_top or 1.0), "e_in": 1.0,
                      "rrf": 1 / (60 + rank)}
    for rank, u in enumerate(plain, 1):
        hits.setdefault(u.id, _Hit(u))
        r = rows.setdefault(u.id, {"rrf": 0.0})
        r.update({"p_rank": math.log(rank), "p_score": u.score / (p_top or 1.0), "p_in": 1.0})
        r["rrf"] += 1 / (60 + rank)
    out = []
    for uid, r in rows.items():
        h = hits[uid]
        r.setdefault("e_rank", math.log(DEPTH * 2))
        r.setdefault("p_rank", math.log(DEPTH * 2))
        r.update({"article": float(h.kind == "article"), "problem": float(h.kind == "problem"),
                  "measure": float(h.kind == "measure"), "superseded": float(h.status == "已修订"),
                  "relaxed": float(found.relaxed), "words": float(words), "citation": float(built.citation is not None)})
        out.append([r.get(f, 0.0) for f in FEATURES])
    return list(hits.values()), np.array(out, dtype=float)


def labels(judged: Judged, hits: list[_Hit], amap: ArchiveMap) -> np.ndarray:
    """Each candidate's grade: the best judged unit it covers (0 when none)."""
    return np.array([max((judged.grades[k] for k in judged.covers(amap.unit(h.kind, h.id, h.doc_id, h.article,
                                                                             h.measure), h.kind)), default=0)
                     for h in hits], dtype=int)


def _ndcg_of(model: Any, data: list[tuple[dict, list[_Hit], np.ndarray]], amap: ArchiveMap) -> float:
    scores = [_ranked_score(q, hits, x, model, amap)["ndcg@10"] for q, hits, x in data]
    return float(np.mean(scores)) if scores else 0.0


def _ranked_score(q: dict, hits: list[_Hit], x: np.ndarray, model: Any, amap: ArchiveMap) -> dict:
    judged = Judged.of(q)
    order = np.argsort(-model.predict(x), kind="stable") if len(hits) else []
    ranked = [(hits[i], amap.unit(hits[i].kind, hits[i].id, hits[i].doc_id, hits[i].article, hits[i].measure))
              for i in order][:10]
    return score_units(judged, ranked, len(hits))


def _fit(data: list[tuple[dict, list[_Hit], np.ndarray]], amap: ArchiveMap, params: dict) -> Any:
    try:
        import lightgbm
    except ImportError as exc:  # the bench extra, not in the lock (runtime + tests): the re-ranker is not shipped
        raise SystemExit("benchmarks/quality/rerank.py needs LightGBM: pip install '.[bench]'") from exc

    xs = [x for _, _, x in data if len(x)]
    ys = [labels(Judged.of(q), hits, amap) for q, hits, x in data if len(x)]
    params = dict(params)
    rounds = params.pop("rounds")
    train = lightgbm.Dataset(np.vstack(xs), np.concatenate(ys), group=[len(x) for x in xs],
                             feature_name=list(FEATURES))
    return lightgbm.train({"objective": "lambdarank", "verbose": -1, "seed": 0, "num_threads": 1,
                           "deterministic": True, "force_col_wise": True, **params}, train, num_boost_round=rounds)


def main(argv: list[str] | None = None) -> int:
    from archive import store
    from indexer.search import SearchService
    from xuncha.settings import load_settings

    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.rerank", description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--stock", type=Path, help="a candidates.py result of the same archive: its stock systems")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--features", type=Path, help="also keep the candidates' features here (pickle)")
    args = ap.parse_args(argv)
    settings = load_settings(environ={}, home=args.home)
    conn = store.connect(settings.db_path)
    queries = load_split("all")
    amap = ArchiveMap.load(conn, CORPUS, judged_docs(queries))
    service = SearchService(settings.search_options())
    data: dict[str, list] = {name: [] for name in SPLIT_FILES}
    for q in queries:
        hits, x = candidates_of(service, q["query"])
        data[q["split"]].append((q, hits, x))
    if args.features:  # the candidates and their features, for a later look (pickled _Hit rows)
        import pickle

        args.features.write_bytes(pickle.dumps({k: [(q["id"], [h.id for h in hs], x) for q, hs, x in v]
                                                for k, v in data.items()}))
    tune = data["tune"]
    folds = [tune[i::5] for i in range(5)]
    best, best_cv = GRID[0], -1.0
    for params in GRID:
        cv = float(np.mean([_ndcg_of(_fit([d for j, f in enumerate(folds) if j != i for d in f], amap, params),
                                     folds[i], amap) for i in range(5)]))
        print(f"cv {params}: nDCG@10 {cv:.4f}", file=sys.stderr, flush=True)
        if cv > best_cv:
            best, best_cv = params, cv
    model = _fit(tune, amap, best)
    stock = {r["id"]: r["systems"] for r in json.loads(args.stock.read_text(encoding="utf-8"))["per_query"]} \
        if args.stock else {}
    rows = []
    for name, split in data.items():
        for q, hits, x in split:
            systems = {s: v for s, v in stock.get(q["id"], {}).items() if s.startswith("stock")}
            systems["rerank"] = _ranked_score(q, hits, x, model, amap)
            rows.append({"id": q["id"], "kind": q["kind"], "split": name, "query": q["query"], "systems": systems})
    imp = dict(zip(FEATURES, (int(v) for v in model.feature_importance())))
    result = {"meta": {"queries": len(rows), "params": best, "cv_ndcg": round(best_cv, 4), "importance": imp,
                       "query_ms": {}}, "per_query": rows}
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"chosen {best} (cv {best_cv:.4f}); importance {imp}", file=sys.stderr)
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
