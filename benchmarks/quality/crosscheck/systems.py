"""The suggestion systems compared on the real notices: the new one (indexer/suggest.py, any threshold) and a
plain BM25 over the articles in force (the problem title and measure text as an OR query, no topic rules).
The current system before this redesign is run from the main checkout with benchmarks.quality.suggestions run.

    python -m benchmarks.quality.crosscheck.systems new  --home DIR --out RUN.jsonl [--threshold 0]
    python -m benchmarks.quality.crosscheck.systems bm25 --home DIR --out RUN.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.quality.suggestions import REAL


BACKEND = ""  # --backend: the engine the suggestions ask (default: the home's setting, Whoosh)


def _measures(home: Path):
    from archive import store
    from archive.crosscheck import measure_topics
    from archive.database import Archive
    from indexer.search import SearchService
    from xuncha.settings import load_settings

    settings = load_settings(environ={"XUNCHA_BACKEND": BACKEND} if BACKEND else {}, home=home)
    archive = Archive(store.connect(settings.db_path))
    service = SearchService(settings.search_options())
    for doc in archive.documents():
        if str(doc.doc_type) != "notice" or not any(k in doc.source_path for k in REAL):
            continue
        for cat, prob, m, topic in measure_topics(doc, archive.notice_tree(doc.id)):
            yield archive, service, doc, cat, prob, m, topic


def _row(doc, cat, prob, m, suggested: list[dict]) -> dict:
    return {"measure_id": m.id, "doc": doc.title, "unit": doc.publisher or "", "problem": prob.number,
            "measure": m.number, "problem_title": prob.title, "category": cat.title, "text": m.text,
            "suggested": suggested}


def run_new(home: Path, threshold: float, limit: int = 3, weights: dict | None = None, options: dict | None = None) -> list[dict]:
    from archive.faults import model_of, prior_of
    from indexer.suggest import WEIGHTS, suggest

    rows = []
    for archive, service, doc, cat, prob, m, topic in _measures(home):
        explain: list[dict] = []
        model = model_of(archive)
        found = suggest(service.backend, topic, limit, service.reg_keys, service.texts, service._hit,
                        model=model, threshold=threshold, explain=explain, weights={**WEIGHTS, **(weights or {})},
                        prior=prior_of(archive, model), **(options or {}))
        feats = {e["article_id"]: e["features"] for e in explain}
        rows.append(_row(doc, cat, prob, m, [
            {"article_id": x.article_id, "doc_title": x.doc_title, "article": x.article, "score": x.score,
             "reason": x.reason, "fault_kind": x.fault_kind, "governing": x.governing,
             "features": feats.get(x.article_id)} for x in found]))
        rows[-1]["candidates"] = explain  # every scored candidate: the fit and the curves read these
    return rows


def run_bm25(home: Path, limit: int = 3) -> list[dict]:
    from whoosh import query as Q

    from indexer.analysis import query_words
    from indexer.backends.whoosh.docsets import among, evaluate
    from indexer.backends.whoosh.execution import top
    from indexer.suggest import IN_FORCE

    rows = []
    for archive, service, doc, cat, prob, m, topic in _measures(home):
        s = service.searcher()
        words = list(dict.fromkeys(w for w in query_words(f"{prob.title}\n{m.text}") if len(w) >= 2))
        if not words:
            rows.append(_row(doc, cat, prob, m, []))
            continue
        found = top(s, among(evaluate(s, Q.Or([Q.Term("body", w) for w in words])), service.backend.units(IN_FORCE)),
                    limit)
        rows.append(_row(doc, cat, prob, m, [
            {"article_id": r["id"], "doc_title": r.fields().get("doc_title", ""), "article": r.fields().get("article"),
             "score": round(float(r.score), 4)} for r in found]))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.crosscheck.systems")
    ap.add_argument("system", choices=("new", "bm25"))
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threshold", type=float, default=0.0)
    ap.add_argument("--weights", type=json.loads, default=None, help='JSON overrides of indexer.suggest.WEIGHTS')
    ap.add_argument("--options", type=json.loads, default=None, help='JSON keyword arguments of suggest (min_shared)')
    ap.add_argument("--backend", choices=("whoosh", "sphinx"), default=None, help="search engine (default: setting)")
    args = ap.parse_args(argv)
    global BACKEND
    BACKEND = args.backend or ""
    rows = run_new(args.home, args.threshold, weights=args.weights, options=args.options) if args.system == "new" else run_bm25(args.home)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} measures → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
