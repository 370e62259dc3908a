"""The search API on a temporary archive of the sample corpus and the real notices."""

import pytest

from archive.database import Archive
from indexer.search import SearchError
from tests.conftest import needs_shared


@needs_shared
def test_sanzhongyida_problem_five_first(service) -> None:
    r = service.search("三重一大", kind="problem", filters={"publisher": "中共深圳市罗湖区残疾人联合会党组"})
    assert r.hits[0].problem == 5 and r.hits[0].kind == "problem"
    assert "<mark>三重一大</mark>" in r.hits[0].snippet


@needs_shared
def test_sanzhongyida_seed_problem_five_first_among_real_notices(service) -> None:
    r = service.search("三重一大", kind="problem")
    seed = [h for h in r.hits if "luohu" in h.source_path]
    assert seed and seed[0].problem == 5


@needs_shared
def test_phrase_finds_its_problems(service) -> None:
    r = service.search('"主体责任"', kind="problem")
    assert r.total >= 2
    assert all("主体责任" in h.snippet.replace("<mark>", "").replace("</mark>", "") or "主体责任" in h.title
               for h in r.hits[:5])
    assert any("luohu" in h.source_path and h.problem == 9 for h in r.hits)


@needs_shared
def test_amount_finds_problem_five(service) -> None:
    r = service.search("20万元", kind="problem")
    assert any("luohu" in h.source_path and h.problem == 5 for h in r.hits[:5])


@needs_shared
def test_citation_goes_to_the_article(service) -> None:
    r = service.search("政府采购法 第二十六条")
    top = r.hits[:3]
    assert any(h.kind == "article" and h.article == "第二十六条" and "政府采购法" in h.doc_title for h in top)


def test_recall_fallback_finds_longer_word(service) -> None:
    r = service.search("人民共和国")
    assert r.total > 0
    assert "<mark>人民共和国</mark>" in " ".join(h.snippet for h in r.hits) or any(
        "中华人民共和国" in h.snippet for h in r.hits)


def test_snippet_escapes_html(service) -> None:
    r = service.search("公务用车")
    assert r.hits and all("<script" not in h.snippet for h in r.hits)
    assert all(h.snippet.count("<mark>") == h.snippet.count("</mark>") for h in r.hits)


def test_facets_and_filters(service) -> None:
    r = service.search("公务用车")
    kinds = dict(r.facets["kind"])
    assert kinds and sum(kinds.values()) == r.total
    only = service.search("公务用车", kind="article")
    assert only.total == kinds["article"] and all(h.kind == "article" for h in only.hits)
    types = dict(r.facets["doc_type"])
    assert "regulation" in types and "notice" in types
    reg = service.search("公务用车", filters={"doc_type": "regulation"})
    assert reg.total == types["regulation"]


def test_status_facet_marks_superseded_version(service) -> None:
    r = service.search("公务用车 管理办法", kind="document", filters={"doc_type": "regulation"})
    statuses = {h.version: h.status for h in r.hits if "公务用车" in h.doc_title}
    assert statuses.get("2022-06-15") == "现行有效" and statuses.get("2019-03-01") == "已修订"


def test_paging_and_date_sort(service) -> None:
    first = service.search("整改", per_page=5)
    second = service.search("整改", per_page=5, page=2)
    assert first.total == second.total and {h.id for h in first.hits}.isdisjoint({h.id for h in second.hits})
    beyond = service.search("整改", per_page=5, page=9999)
    assert beyond.hits == () and beyond.total == first.total
    dated = service.search("整改", sort="date", per_page=50)
    dates = [h.published or "" for h in dated.hits]
    assert dates == sorted(dates, reverse=True)


def test_exclusion(service) -> None:
    base = service.search("公务用车")
    without = service.search("公务用车 -示例镇")
    assert without.total < base.total


@pytest.mark.parametrize("kwargs,param", [({"page": 0}, "page"), ({"page": 10**9}, "page"), ({"per_page": 0}, "per_page"),
                                          ({"sort": "x"}, "sort"), ({"kind": "x"}, "kind"),
                                          ({"filters": {"nope": "1"}}, "nope")])
def test_bad_parameters_name_themselves(service, kwargs, param) -> None:
    with pytest.raises(SearchError, match=param) as exc:
        service.search("整改", **kwargs)
    assert exc.value.param == param and exc.value.code in {"range", "choice", "unknown_filter"}


def test_bad_parameters_carry_their_bounds(service) -> None:
    with pytest.raises(SearchError) as exc:
        service.search("整改", per_page=500)
    assert (exc.value.code, exc.value.bounds) == ("range", {"got": 500, "low": 1, "high": 100})
    with pytest.raises(SearchError) as exc:
        service.search("整" * 300)
    assert (exc.value.param, exc.value.code, exc.value.bounds) == ("q", "too_long", {"length": 300, "limit": 200})


def test_a_named_regulation_travels_as_fields(service) -> None:
    r = service.search("政府采购法 第二十六条")
    assert r.citation is not None and (r.citation.key, r.citation.article) == ("政府采购法", 26)
    assert service.search("公务用车").citation is None


def test_too_long_query_is_a_clear_error(service) -> None:
    with pytest.raises(SearchError, match="limit"):
        service.search("整" * 10_000)


@pytest.mark.parametrize("q,found", [('"公务用车', True), ("<script>公务用车</script>", True), ("\x00\x1b公务用车", True),
                                     ("公务用车 AND OR NOT", True), ("-", False), ('""', False), ("<script>", False)])
def test_hostile_queries_search_safely(service, q, found) -> None:
    r = service.search(q)
    assert (r.reachable > 0) == found
    assert all("<script" not in h.snippet and "<mark>" in h.snippet for h in r.hits)


def test_version_in_force_outranks_the_superseded_one(service) -> None:
    r = service.search("公务用车 管理", kind="article", per_page=100)
    seen: dict[tuple[str, str], str] = {}
    checked = 0
    for h in r.hits:
        if "公务用车管理办法" not in h.doc_title:
            continue
        key = (h.article or "", h.snippet)
        if key in seen:
            assert seen[key] == "现行有效" and h.status == "已修订", key  # same text: the current version first
            checked += 1
        seen.setdefault(key, h.status or "")
    assert checked >= 3


def test_a_cited_article_comes_first_then_the_measures_citing_it(service) -> None:
    r = service.search("示例区党组议事规则 第二十条")
    assert r.hits[0].kind == "article" and r.hits[0].article == "第二十条"
    citing = [h for h in r.hits[1:4] if h.kind in ("measure", "problem")]
    assert citing and all("议事规则》第二十条" in h.snippet.replace("<mark>", "").replace("</mark>", "")
                          or h.kind == "problem" for h in citing)


def test_relaxed_results_count_the_hits_with_every_word(service) -> None:
    from indexer.search import RELAX_BELOW

    few = service.search("议事规则 公车")  # both words together in only a couple of units
    assert few.relaxed and 0 < few.full_matches < RELAX_BELOW and few.full_matches == few.total
    assert few.relaxed_total > 0 and few.reachable == few.total + few.relaxed_shown
    none = service.search("议事规则 zzqx")
    assert none.relaxed and none.full_matches == 0 and none.total == 0 and none.relaxed_total > 0 and none.hits
    plain = service.search("议事规则")
    assert not plain.relaxed and plain.full_matches == plain.total
    filtered = service.search("议事规则 公车", filters={"kind": "problem"})
    assert filtered.relaxed and filtered.full_matches <= few.full_matches


def test_the_total_counts_only_units_matching_as_typed(service) -> None:
    from indexer.search import RELAXED_CAP

    r = service.search("议事规则 公车", per_page=5)
    # the total is what the user typed; partial matches are counted apart and at most RELAXED_CAP are paged
    assert r.total == r.full_matches and r.relaxed_shown == min(r.relaxed_total, RELAXED_CAP)
    assert r.pages == -(-(r.total + r.relaxed_shown) // 5)
    last = service.search("议事规则 公车", page=r.pages, per_page=5)
    assert last.hits and len(last.hits) == r.reachable - (r.pages - 1) * 5
    beyond = service.search("议事规则 公车", page=r.pages + 1, per_page=5)
    assert beyond.hits == () and beyond.pages == r.pages
    body = r.to_json()
    assert {"total", "pages", "relaxed", "full_matches", "relaxed_total", "relaxed_shown", "reachable"} <= set(body)


def test_a_cited_article_counts_only_its_own_units(service) -> None:
    r = service.search("示例区党组议事规则 第二十条")
    # the regulation's article and the units citing it, not every unit that says 规则
    assert not r.relaxed and r.total == len([h for h in service.search(
        "示例区党组议事规则 第二十条", per_page=100).hits])
    assert r.hits[0].article == "第二十条"
    assert all(h.doc_title == "示例区党组议事规则" or h.kind in ("problem", "measure", "document") for h in r.hits)


def test_a_query_of_common_words_still_finds_units(service) -> None:
    r = service.search("规定 工作")  # words in most units: left out of the OR fallback, found anyway
    assert r.reachable > 0 and r.hits


def test_a_measure_hit_is_titled_by_its_problem(service) -> None:
    r = service.search("三会一课", kind="measure")
    assert r.hits
    h = r.hits[0]
    assert h.heading.startswith(f"问题{h.problem} ") and h.heading.endswith(f" · 措施{h.measure}")
    assert len(h.heading) > len(f"问题{h.problem}  · 措施{h.measure}")
    assert h.to_json()["heading"] == h.heading and "title" in h.to_json()


def test_snippets_are_cut_from_the_archive_text(service, indexed_settings) -> None:
    """The index stores no text (SQLite holds it): every grain's snippet still marks the query's words."""
    assert "body" not in service.searcher().schema.stored_names()
    for kind in ("measure", "problem", "article", "document"):
        r = service.search("整改", kind=kind, per_page=3)
        if r.hits:
            assert all("<mark>" in h.snippet for h in r.hits), kind
    with Archive.open(indexed_settings.db_path) as archive:
        hit = service.search("整改", kind="measure", per_page=1).hits[0]
        assert archive.unit_texts([hit.id, "no-such-id"]) == {hit.id: archive.unit_texts([hit.id])[hit.id]}
        assert "整改" in archive.unit_texts([hit.id])[hit.id]


def test_the_services_searchers_read_segments_without_copying_them(service) -> None:
    import mmap

    """Opened with mmap, a compound segment's sub-files are copied into memory by every searcher
    (indexer/backends/whoosh/mapped.py open_for_search): the service's segments are read from the file instead."""
    s = service.searcher()
    leaves = [r for r, _ in s.reader().leaf_readers()] if not s.is_atomic() else [s.reader()]
    storages = [getattr(r._storage, "a", r._storage) for r in leaves]  # a segment's: its compound file over the folder
    # read through the map (shared pages), not Whoosh's per-searcher BytesIO copies of it (_source)
    assert storages and all(st._source is None and isinstance(st._file.file, mmap.mmap) for st in storages)


def test_no_query_finds_nothing_when_a_unit_shares_a_word_with_it(service) -> None:
    """Issue 13's rule, on every query of the quality set: a unit sharing any word means a hit."""
    from benchmarks.quality.runner import load_split
    from indexer.analysis import query_words

    s = service.searcher()
    checked = 0
    for text in (q["query"] for q in load_split("all")):
        words = {w for w in query_words(text) if w.strip()}
        if any(s.doc_frequency(f, w) for w in words for f in ("title", "body", "context")):
            checked += 1
            assert service.search(text).hits, text
    assert checked > 100


def test_a_closed_facets_unknown_value_is_a_search_error(service) -> None:  # type: ignore[no-untyped-def]
    svc = service
    for name, value in (("recurring", "maybe"), ("common", "1"), ("year", "20x0")):
        with pytest.raises(SearchError, match=name):
            svc.search("公务用车", {name: value})
    assert svc.search("公务用车", {"recurring": "no"}).total > 0  # a value of the set is a filter as before
