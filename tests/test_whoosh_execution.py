"""Bounded execution: the one-pass collector, facet tables per generation."""

import dataclasses
import time

from indexer.backends.whoosh.compile import to_whoosh
from indexer.backends.whoosh.execution import FacetTables
from indexer.query import MAX_WORDS, _content_words
from indexer.backend import FACETS
from indexer.search import SearchService


def test_facets_from_tables_match_whooshs_grouping(indexed_settings) -> None:
    svc = SearchService(dataclasses.replace(indexed_settings.search_options(), result_cache=0))
    r = svc.search("公务用车")
    s = svc.backend.searcher()
    built = svc.build("公务用车", {})
    q = to_whoosh(built.relaxed if r.relaxed else built.strict)
    from whoosh import sorting
    expected = s.search(q, limit=1, groupedby={"kind": sorting.FieldFacet("kind", maptype=sorting.Count)})
    want = sorted(((str(k), n) for k, n in expected.groups("kind").items() if k), key=lambda t: (-t[1], t[0]))
    assert r.facets["kind"] == want
    assert sum(n for _, n in r.facets["kind"]) == r.total


def test_facet_tables_are_shared_by_the_threads_searchers(indexed_settings) -> None:
    svc = SearchService(indexed_settings.search_options())
    s = svc.backend.searcher()
    tables = FacetTables(("kind",))
    gen = svc.backend.generation(s)
    first = tables.tables(s, gen)
    other = svc.backend._index().searcher()  # another searcher (as another thread has) of the same generation
    assert tables.tables(other, gen) is first
    other.close()


def test_long_common_word_query_is_bounded(indexed_settings) -> None:
    svc = SearchService(dataclasses.replace(indexed_settings.search_options(), result_cache=0))
    text = ("工作管理规定单位人员国家有关部门组织制度问题情况建立健全加强落实监督检查责任整改违反依法处理机关政府"
            * 3)[:200]
    start = time.thread_time()
    r = svc.search(text)
    # the collection stops at the CPU deadline; building the query and the page come on top
    assert time.thread_time() - start < svc.options.time_limit_s + 2.0
    assert r.reachable > 0 and r.hits


def test_a_token_expands_to_at_most_max_words_distinct_words() -> None:
    words = _content_words("工作管理规定单位人员国家有关部门组织制度问题情况建立健全加强落实监督检查责任", {},
                           lambda f, w: len(w))
    assert len(words) == MAX_WORDS and len(set(words)) == len(words)


def test_repeated_words_count_once() -> None:
    assert _content_words("公务用车公务用车公务用车", {}, None) == _content_words("公务用车", {}, None)


def test_facet_tables_are_kept_beside_the_index_for_the_next_process(indexed_settings, tmp_path, monkeypatch) -> None:
    svc = SearchService(indexed_settings.search_options())
    s = svc.backend.searcher()
    gen = svc.backend.generation(s)
    first = FacetTables(FACETS).tables(s, gen, tmp_path)
    kept = list(tmp_path.glob("facets-g*.bin"))
    assert len(kept) == 1
    # a new process reads the file instead of the columns, and gets the same tables
    monkeypatch.setattr(FacetTables, "_load", lambda self, reader: (_ for _ in ()).throw(AssertionError("read columns")))
    again = FacetTables(FACETS).tables(s, gen, tmp_path)
    assert {k: (list(c), v) for k, (c, v) in again.items()} == {k: (list(c), v) for k, (c, v) in first.items()}
    # a file for other facets is not used for these
    monkeypatch.undo()
    other = FacetTables(("kind",)).tables(s, gen, tmp_path)
    assert list(other) == ["kind"] and list(other["kind"][0]) == list(first["kind"][0])


def test_facet_tables_work_where_they_cannot_be_kept(indexed_settings, tmp_path, monkeypatch) -> None:
    import tempfile

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("read-only index folder")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    svc = SearchService(indexed_settings.search_options())
    s = svc.backend.searcher()
    tables = FacetTables(FACETS).tables(s, svc.backend.generation(s), tmp_path)
    assert tables["kind"][1] and not list(tmp_path.iterdir())


def test_damaged_kept_tables_are_computed_again(indexed_settings, tmp_path) -> None:
    svc = SearchService(indexed_settings.search_options())
    s = svc.backend.searcher()
    gen = svc.backend.generation(s)
    first = FacetTables(FACETS).tables(s, gen, tmp_path)
    (kept,) = tmp_path.glob("facets-g*.bin")
    good = kept.read_bytes()
    for damaged in (good[:len(good) // 2], good[:8] + b"{not json" + good[17:], b"XFT1" + b"\xff" * 20):
        kept.write_bytes(damaged)
        again = FacetTables(FACETS).tables(s, gen, tmp_path)
        assert {k: list(c) for k, (c, _) in again.items()} == {k: list(c) for k, (c, _) in first.items()}
        assert kept.read_bytes() == good  # written over with the computed tables


def test_a_search_past_its_deadline_falls_back_to_whooshs_bounded_collector(indexed_settings, monkeypatch) -> None:
    import indexer.backends.whoosh.backend as search_module
    from whoosh.searching import TimeLimit

    svc = SearchService(dataclasses.replace(indexed_settings.search_options(), result_cache=0))
    expected = svc.search("公务用车")

    def out_of_time(*args, **kwargs):
        raise TimeLimit

    monkeypatch.setattr(search_module, "evaluate", out_of_time)
    r = svc.search("公务用车")
    # Whoosh's collector, given one more bound, finishes on the sample: the same answer
    assert [h.id for h in r.hits] == [h.id for h in expected.hits] and r.total == expected.total
    assert r.facets == expected.facets


def test_facet_counts_of_few_and_many_values_match_a_plain_count() -> None:
    import random
    from array import array
    from collections import Counter

    rng = random.Random(7)
    few_values = [""] + [f"v{i}" for i in range(5)]
    many_values = [""] + [f"p{i}" for i in range(300)]  # more than shown: the most frequent kept, ties by value
    tables = {"kind": (array("I", (rng.randrange(len(few_values)) for _ in range(5000))), few_values),
              "publisher": (array("I", (rng.randrange(len(many_values)) for _ in range(5000))), many_values)}
    facets = FacetTables(("kind", "publisher", "year"))
    for docs in ([], [17], rng.sample(range(5000), 1200), set(range(0, 5000, 3)), dict.fromkeys(range(40)).keys()):
        got = facets.counts(tables, docs)
        assert got["year"] == []
        for name, (col, values) in tables.items():
            plain = Counter(values[col[d]] for d in docs if values[col[d]])
            want = sorted(plain.items(), key=lambda t: (-t[1], t[0]))[:30]
            assert got[name] == want


def test_top_keeps_the_best_scores_with_ties_by_document_number() -> None:
    import random

    from indexer.backends.whoosh.execution import top

    rng = random.Random(3)
    for n, limit in ((0, 5), (3, 5), (500, 1), (500, 50), (2000, 200)):
        docs = rng.sample(range(10 * n + 1), n)
        scores = {d: float(rng.randrange(20)) / 4 for d in docs}  # many equal scores
        want = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        assert [(f.docnum, f.score) for f in top(None, scores, limit)] == want
