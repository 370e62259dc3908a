"""The archive's weighting (indexer/backends/whoosh/weighting.py): Whoosh's BM25F, its statistics read from the weights files."""

from whoosh import scoring

from indexer.backends.whoosh.weighting import WEIGHTING, Scaled


def _terms(s, limit=300):
    for field in ("title", "body", "context", "cites"):
        for n, text in enumerate(s.reader().lexicon(field)):
            if n >= limit:
                break
            yield field, text


def test_idf_is_whooshs(service) -> None:
    s = service.backend.searcher()
    stock = scoring.BM25F()
    compared = 0
    for field, text in _terms(s):
        assert WEIGHTING.idf(s, field, text) == scoring.WeightingModel.idf(stock, s, field, text)
        compared += 1
    assert compared > 500


def test_bm25_parameters_are_the_scorers(service) -> None:
    s = service.backend.searcher()
    for sub, _ in s.leaf_searchers():
        for field, text in _terms(sub, 100):  # the segment's own terms (Whoosh's scorer needs them there)
            p, scorer = WEIGHTING.bm25(sub, field, text), WEIGHTING.scorer(sub, field, text)
            assert isinstance(scorer, Scaled) and isinstance(scorer.inner, scoring.BM25FScorer)
            inner = scorer.inner
            assert (p.idf, p.avgfl, p.B, p.K1, p.superseded) == (inner.idf, inner.avgfl, inner.B, inner.K1,
                                                                  scorer.superseded)
    assert WEIGHTING.bm25(s, "kind", b"article") is None  # not a scored field
