"""Term-at-a-time evaluation (indexer/backends/whoosh/docsets.py): the same matches and scores as Whoosh's own matchers."""

import math

import pytest
from whoosh import query as Q
from whoosh import sorting
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from benchmarks.quality.runner import load_split
from indexer.backends.whoosh import docsets
from indexer.backends.whoosh.compile import to_whoosh
from indexer.backends.whoosh.docsets import evaluate
from indexer.backends.whoosh.execution import TermCache, top
from indexer.backends.whoosh.weighting import WEIGHTING, DisMax

@pytest.fixture(scope="module")
def service(indexed_settings):  # type: ignore[no-untyped-def]
    """The session's search API with min_match off: Whoosh's own matchers, the reference here, read the MinMatch
    clause (weighting.AtLeast) as a plain Or; docsets' AtLeast is checked in tests/test_rescore.py."""
    from dataclasses import replace

    from indexer.search import SearchService

    return SearchService(replace(indexed_settings.search_options(), min_match=None))


@pytest.fixture(autouse=True)
def whoosh_and_maybe_skips_right(monkeypatch) -> None:
    """Whoosh 2.7.5's AndMaybeMatcher.skip_to(id) skips its optional side to `id`, not to where its required side
    landed (past `id` when the required side has no `id`): inside an intersection the optional side then lags and
    its score is lost for the document the required side landed on. Found here: 领导干部 退休后 到企业 任职 scored
    15.42 by Whoosh, 16.44 by docsets, which is the sum of the four clauses' own Whoosh scores (AndMaybe as
    documented: "if the same posting is in the second sub-matcher, adds their scores"). The reference is Whoosh with
    that one line right; docsets keeps the documented meaning."""
    from whoosh.matching import mcore
    from whoosh.matching.binary import AndMaybeMatcher

    def skip_to(self, id):  # type: ignore[no-untyped-def]
        if not self.a.is_active():
            raise mcore.ReadTooFar
        ra = self.a.skip_to(id)
        rb = False
        if self.a.is_active() and self.b.is_active() and self.b.id() < self.a.id():
            rb = self.b.skip_to(self.a.id())
        return ra or rb

    monkeypatch.setattr(AndMaybeMatcher, "skip_to", skip_to)


def whoosh_scores(s, q) -> dict[int, float]:
    return {r.docnum: r.score for r in s.search(q, limit=None)}


def assert_same(s, q, memo=None, terms=None) -> None:
    ours, theirs = evaluate(s, q, memo=memo, terms=terms, generation="g"), whoosh_scores(s, q)
    assert ours.keys() == theirs.keys(), q
    for d, v in theirs.items():
        assert math.isclose(ours[d], v, rel_tol=1e-9, abs_tol=1e-12), (q, d, ours[d], v)


def quality_queries() -> list[str]:
    return [q["query"] for q in load_split("all")]


def test_every_quality_query_matches_and_scores_as_whoosh_does(service) -> None:
    s = service.backend.searcher()
    checked = 0
    for text in quality_queries():
        try:
            built = service.build(text, {})
        except Exception:  # a query the service refuses (too long) is not this module's concern
            continue
        if built.empty:
            continue
        memo: dict = {}  # as a search shares it: the strict form, then the relaxed one, then any word
        for q in (built.strict, built.relaxed, built.any_word, built.strict):
            if q is not None:
                assert_same(s, to_whoosh(q), memo)
                checked += 1
    assert checked > 300


def test_terms_kept_across_searches_give_the_same_scores(service, monkeypatch) -> None:
    monkeypatch.setattr(docsets, "KEEP_MIN_DF", 2)  # keep nearly every term of the sample
    terms = TermCache(10**6)
    s = service.backend.searcher()
    for text in quality_queries()[:80] * 2:  # the second round reads kept terms, restricted or whole
        built = service.build(text, {})
        if not built.empty:
            for q in (built.strict, built.relaxed):
                assert_same(s, to_whoosh(q), {}, terms)
    assert terms.size > 0


def test_the_term_cache_is_bounded_by_postings_least_recent_out() -> None:
    cache = TermCache(40)
    cache.put("a", dict.fromkeys(range(10), 1.0))
    cache.put("b", dict.fromkeys(range(10), 2.0))
    cache.put("c", dict.fromkeys(range(10), 3.0))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", dict.fromkeys(range(10), 4.0))
    cache.put("e", dict.fromkeys(range(10), 5.0))  # 50 postings: the least recent (b) leaves
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.size == 40
    cache.put("huge", dict.fromkeys(range(11), 1.0))  # more than a quarter of the bound: not kept
    assert cache.get("huge") is None
    ids, scores = cache.get("e")
    assert list(ids) == list(range(10)) and set(scores) == {5.0}


@pytest.fixture()
def segmented():
    """A small index of three segments, one document deleted, under the archive's weighting."""
    schema = Schema(id=ID(stored=True), body=TEXT(stored=True), title=TEXT(field_boost=2.0), tag=ID(sortable=True),
                    published=ID(stored=True, sortable=True))
    ix = RamStorage().create_index(schema)
    docs = [("a", "alpha beta gamma", "alpha", "x", "2020"), ("b", "beta beta delta", "beta", "y", "2021"),
            ("c", "gamma delta alpha alpha", "", "x", ""), ("d", "alpha beta", "delta", "y", "2019"),
            ("e", "epsilon alpha beta gamma delta", "gamma", "x", "2022"), ("f", "beta", "beta", "y", "2020")]
    for chunk in (docs[:2], docs[2:4], docs[4:]):
        with ix.writer() as w:
            for i, body, title, tag, published in chunk:
                w.add_document(id=i, body=body, title=title, tag=tag, published=published)
    with ix.writer() as w:
        w.delete_by_term("id", "b")
    s = ix.searcher(weighting=WEIGHTING)
    assert len(s.subsearchers) == 3
    yield s
    s.close()


QUERIES = [
    Q.Term("body", "alpha"),
    Q.Term("body", "beta", boost=2.5),
    Q.Or([Q.Term("body", "alpha"), Q.Term("title", "beta")], boost=1.7),
    Q.Or([Q.Term("body", "delta")], boost=3.0),  # one clause: Whoosh drops the boost
    Q.And([Q.Term("body", "alpha"), Q.Term("body", "beta")], boost=0.5),
    Q.And([Q.Term("body", "alpha"), Q.Or([Q.Term("body", "gamma"), Q.Term("title", "delta")])]),
    DisMax([Q.Term("body", "alpha"), Q.Term("title", "gamma", boost=4.0)], boost=1.2),
    DisMax([Q.Term("body", "alpha"), Q.Term("title", "delta", boost=4.0)]),
    Q.And([DisMax([Q.Term("body", "beta"), Q.Term("title", "delta")]), Q.Term("tag", "y")]),
    Q.AndMaybe(Q.Term("body", "beta"), Q.Or([Q.Term("body", "gamma"), Q.Term("title", "beta")])),
    Q.AndNot(Q.Term("body", "alpha"), Q.Term("tag", "y")),
    Q.Phrase("body", ["alpha", "beta"]),
    Q.And([Q.Phrase("body", ["beta", "gamma"]), Q.Term("tag", "x")]),
    Q.Phrase("body", ["alpha", "beta", "gamma"]),
    Q.Phrase("body", ["alpha", "gamma"], slop=2),
    Q.Phrase("body", ["delta", "alpha"], slop=3, boost=3.0),
    Q.Phrase("body", ["alpha", "alpha"]),
    Q.Or([Q.Phrase("body", ["gamma", "delta"]), Q.Phrase("body", ["beta", "delta"], boost=2.0)]),
    Q.Or([Q.Term("body", "zeta"), Q.Term("nofield", "alpha"), Q.Term("body", "alpha")]),
    Q.Or([Q.Term("body", "alpha"), Q.Term("body", "beta")], minmatch=2),
    Q.Every(),
    Q.NullQuery,
]


def test_whooshs_disjunction_max_scores_a_document_with_anothers_score(segmented) -> None:
    """Why the archive's queries use DisMax (indexer/backends/whoosh/weighting.py): Whoosh's own DisjunctionMax gives doc "c"
    (body alpha only) the score of doc "d"'s title match (the next document of its segment)."""
    q = Q.DisjunctionMax([Q.Term("body", "alpha"), Q.Term("title", "delta", boost=4.0)])
    theirs, ours = whoosh_scores(segmented, q), evaluate(segmented, q)
    alone = evaluate(segmented, Q.Term("body", "alpha"))
    c = next(d for d in ours if segmented.stored_fields(d)["id"] == "c")
    assert ours[c] == pytest.approx(alone[c]) and theirs[c] != pytest.approx(alone[c])


def test_an_index_of_one_segment(segmented) -> None:
    ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT))
    with ix.writer() as w:
        for i, body in enumerate(["alpha beta", "beta gamma", "alpha alpha beta"]):
            w.add_document(id=str(i), body=body)
    with ix.searcher(weighting=WEIGHTING) as s:
        assert s.is_atomic()
        for q in (Q.Term("body", "alpha"), Q.And([Q.Term("body", "alpha"), Q.Term("body", "beta")]),
                  Q.Phrase("body", ["alpha", "beta"])):
            assert_same(s, q)


@pytest.mark.parametrize("q", QUERIES, ids=[repr(q)[:60] for q in QUERIES])
def test_segments_deletions_boosts_and_other_query_types(segmented, q, monkeypatch) -> None:
    assert_same(segmented, q)
    monkeypatch.setattr(docsets, "KEEP_MIN_DF", 1)
    terms = TermCache(1000)
    assert_same(segmented, q, {}, terms)  # terms read whole and kept
    assert_same(segmented, q, {}, terms)  # then read from the cache


def test_top_orders_by_score_then_document_number_as_whoosh_does(segmented) -> None:
    q = Q.Or([Q.Term("body", "alpha"), Q.Term("body", "beta"), Q.Term("tag", "x")])
    ours = [f.docnum for f in top(segmented, evaluate(segmented, q), 3)]
    assert ours == [r.docnum for r in segmented.search(q, limit=3)]


def test_top_by_date_is_newest_first_then_by_score(segmented) -> None:
    q = Q.Or([Q.Term("body", "alpha"), Q.Term("body", "beta")])
    facet = sorting.MultiFacet([sorting.FieldFacet("published", reverse=True), sorting.ScoreFacet()])
    theirs = [r.docnum for r in segmented.search(q, limit=None, sortedby=facet)]
    found = top(segmented, evaluate(segmented, q), 10, by_date=True)
    assert [f.docnum for f in found] == theirs
    assert [f["id"] for f in found][:2] == ["e", "a"]


def test_clause_sizes_are_whooshs_estimates(service, segmented) -> None:
    """The AND's clause order comes from _size, answered from the term infos: the order (and so the order
    scores are summed in) is the one Whoosh's estimate_size gives, on every clause of the quality queries."""
    compared = 0
    cases = [(segmented, [q for q in QUERIES if q is not Q.NullQuery])]
    s = service.backend.searcher()
    cases.append((s, [q for text in quality_queries() if not (b := service.build(text, {})).empty
                      for q in (to_whoosh(b.strict), to_whoosh(b.relaxed))]))
    for searcher, queries in cases:
        for sub, _ in searcher.leaf_searchers():
            leaf = docsets.Leaf(sub, None)
            for q in queries:
                stack = [q]
                while stack:
                    clause = stack.pop()
                    stack.extend(clause.children())
                    assert leaf.size(clause) == clause.estimate_size(sub.reader()), clause
                    compared += 1
    assert compared > 1000


def test_large_unions_summed_in_arrays_equal_the_dict_merges_to_the_bit(service, segmented, monkeypatch) -> None:
    """indexer/backends/whoosh/dense.py takes a union over much of a segment (a long query's relaxed OR); made to take every
    union of three or more clauses here, it gives the very scores the dict merges give, kept terms, memo
    entries (the strict form inside the relaxed one) and boosts included."""
    from indexer.backends.whoosh import dense

    s = service.backend.searcher()
    built = [b for text in quality_queries() if not (b := service.build(text, {})).empty]
    monkeypatch.setattr(docsets, "KEEP_MIN_DF", 2)

    def run(searcher, queries, terms):
        out = []
        for q in queries:
            memo: dict = {}
            out.append([evaluate(searcher, part, memo=memo, terms=terms, generation="g")
                        for part in (q if isinstance(q, tuple) else (q,))])
        return out

    cases = [(s, [(to_whoosh(b.strict), to_whoosh(b.relaxed)) for b in built]), (segmented, [q for q in QUERIES if q is not Q.NullQuery])]
    want = [run(searcher, queries, TermCache(10**6)) for searcher, queries in cases]
    calls = []
    real = dense.union
    monkeypatch.setattr(dense, "union", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(dense, "DENSE_MIN", 0)
    monkeypatch.setattr(dense, "DENSE_SHARE", 10**9)
    monkeypatch.setattr(dense, "INNER_SHARE", 10**9)
    terms = TermCache(10**6)
    for _ in range(2):  # terms read and kept, then read from the cache as arrays
        got = [run(searcher, queries, terms) for searcher, queries in cases]
        assert got == want
    assert len(calls) > 100
