"""The search seam's contract, one suite over both backends (docs/scaling.md "The search seam"): Whoosh embedded,
and Sphinx on 2 loopback shards (skipped when searchd is not installed: Debian sphinxsearch, tools/system-deps.sh).

Each backend serves the sample corpus (corpus/); the behaviours: documents added, replaced and deleted by
document; generations switched atomically and an aborted rebuild leaving the previous one serving; filters,
facets, paging, totals, grains, phrases; a shard down giving a partial answer that names it; an index opened
again from its files answering the same with no rebuild.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.database import Archive
from archive.pipeline import ingest
from indexer import querytree as T
from indexer.backend import DocumentUnits, SearchBackend
from indexer.backends import open_backend, reindex
from indexer.documents import grain_records
from indexer.search import SearchService
from tests.conftest import SAMPLES, free_ports
from xuncha.settings import Settings, load_settings

BACKENDS = ["whoosh", "sphinx"]
QUERY = "公务用车"


@dataclasses.dataclass
class Engine:
    name: str
    settings: Settings

    def backend(self) -> SearchBackend:
        return open_backend(self.settings.search_options())

    def service(self) -> SearchService:
        return SearchService(dataclasses.replace(self.settings.search_options(), result_cache=0))

    def rebuild(self) -> None:
        with Archive.open(self.settings.db_path) as a:
            reindex(a, self.settings.index_options(), full=True)


def _cluster(settings: Settings) -> Iterator[None]:
    from indexer.backends.sphinx import process

    if process.searchd_path() is None:
        pytest.skip("searchd not installed (Debian package sphinxsearch: `make system-deps` installs it)")
    options = process.up(settings.cluster_dir, 2, free_ports(4))
    try:
        yield
    finally:
        process.down(options)


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    home = tmp_path_factory.mktemp(f"contract-{request.param}") / "home"
    settings = load_settings(environ={}, home=home, extract_timeout_s=30, backend=request.param)
    cluster = _cluster(settings) if request.param == "sphinx" else iter([None])
    next(cluster)
    try:
        with Archive.open(settings.db_path) as a:
            report = ingest(a, settings.ingest_options(), [str(SAMPLES)])
            assert not report.failures, report.failures
        engine = Engine(request.param, settings)
        engine.rebuild()
        yield engine
    finally:
        next(cluster, None)


def _fictional(doc_id: str, word: str) -> DocumentUnits:
    """A made-up notice of one document unit and one problem, whose text holds `word`."""
    base = {"doc_id": doc_id, "doc_type": "notice", "doc_title": "示例虚构单位巡察整改通报", "publisher": "示例虚构单位",
            "year": "2026", "published": "2026-01-02", "region": "", "reg_category": "", "status": "", "version": "",
            "source_path": "fictional.txt", "sha": f"sha-{word}", "cites": "", "reg_key": ""}
    return DocumentUnits(doc_id, f"sha-{word}", (
        {**base, "id": doc_id, "kind": "document", "title": "示例虚构单位巡察整改通报", "body": f"通报 {word} 整改",
         "context": "", "category": "", "ord": 0},
        {**base, "id": f"{doc_id}-p1", "kind": "problem", "title": "问题一", "body": f"存在{word}问题",
         "context": "示例虚构单位巡察整改通报", "category": "一、作风方面", "problem": 1, "category_num": 1,
         "rectification": "done", "ord": 1}))


def _ids(results) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.id for h in results.hits}


def test_a_search_finds_units_with_totals_facets_and_a_version(engine: Engine) -> None:
    r = engine.service().search(QUERY, per_page=10)
    assert r.total > 0 and r.hits and not r.missing_shards
    kinds = dict(r.facets["kind"])
    assert sum(kinds.values()) == r.total  # facets count the answering set: every unit has a grain
    assert all(h.kind in kinds for h in r.hits)
    assert engine.backend().version()


def test_filters_narrow_and_a_facet_count_is_what_clicking_it_gives(engine: Engine) -> None:
    svc = engine.service()
    r = svc.search(QUERY, per_page=100)
    for value, count in r.facets["kind"]:
        narrowed = svc.search(QUERY, kind=value, per_page=100)
        assert narrowed.total == count and {h.kind for h in narrowed.hits} == {value}
    publisher, n = r.facets["publisher"][0]
    by_publisher = svc.search(QUERY, filters={"publisher": publisher}, per_page=100)
    assert by_publisher.total == n and {h.publisher for h in by_publisher.hits} == {publisher}


def test_paging_cuts_one_ranking_into_disjoint_pages(engine: Engine) -> None:
    svc = engine.service()
    whole = svc.search(QUERY, per_page=20)
    first, second = svc.search(QUERY, per_page=5), svc.search(QUERY, page=2, per_page=5)
    assert len(first.hits) == 5 and not (_ids(first) & _ids(second))
    assert [h.id for h in first.hits + second.hits] == [h.id for h in whole.hits[:10]]
    assert first.total == second.total == whole.total


def test_each_grain_is_searchable_alone(engine: Engine) -> None:
    svc = engine.service()
    for kind in ("document", "problem", "measure", "article"):
        r = svc.search("整改" if kind in ("problem", "measure") else "规定", kind=kind, per_page=20)
        assert r.total > 0 and {h.kind for h in r.hits} == {kind}, kind


def test_a_quoted_phrase_finds_a_subset_of_its_words(engine: Engine) -> None:
    svc = engine.service()
    words, phrase = svc.search("公务 用车", per_page=100), svc.search('"公务用车"', per_page=100)
    assert 0 < phrase.total <= words.total


def test_documents_are_added_replaced_and_deleted_together(engine: Engine) -> None:
    backend = engine.backend()
    before = backend.version()
    with backend.begin_update() as batch:
        batch.put(_fictional("ffff00000001", "麒麟踏雪"))
    svc = engine.service()
    added = svc.search("麒麟踏雪", per_page=10)
    assert _ids(added) == {"ffff00000001", "ffff00000001-p1"} and backend.version() != before
    with backend.begin_update() as batch:
        batch.put(_fictional("ffff00000001", "凤凰衔珠"))
    assert engine.service().search("麒麟踏雪").total == 0
    assert _ids(engine.service().search("凤凰衔珠")) == {"ffff00000001", "ffff00000001-p1"}
    with backend.begin_update() as batch:
        batch.delete("ffff00000001")
    assert engine.service().search("凤凰衔珠").total == 0


def test_a_rebuild_switches_generations_and_an_aborted_one_leaves_the_old_serving(engine: Engine) -> None:
    backend = engine.backend()
    full = engine.service().search(QUERY).total
    version = backend.version()
    with pytest.raises(RuntimeError), backend.begin_rebuild() as batch:
        batch.put(_fictional("ffff00000002", "白鹤亮翅"))
        raise RuntimeError("killed mid-rebuild")
    assert backend.version() == version and engine.service().search(QUERY).total == full
    with backend.begin_rebuild() as batch:
        batch.put(_fictional("ffff00000002", "白鹤亮翅"))
    only = engine.service()
    assert only.search(QUERY).total == 0 and only.search("白鹤亮翅").total == 2
    assert backend.version() != version
    engine.rebuild()
    assert engine.service().search(QUERY).total == full and engine.service().search("白鹤亮翅").total == 0


def test_an_index_opened_again_from_its_files_answers_the_same(engine: Engine) -> None:
    before = engine.service().search(QUERY, per_page=10)
    if engine.name == "sphinx":
        from indexer.backends.sphinx import process
        from indexer.backends.sphinx.engine import cluster_options

        options = cluster_options(engine.settings.index_root)
        process.down(options)
        for shard in options.shards:
            process.start_shard(options, shard)
    after = engine.service().search(QUERY, per_page=10)
    assert (after.total, [h.id for h in after.hits]) == (before.total, [h.id for h in before.hits])


def test_a_shard_down_gives_a_partial_answer_naming_it(engine: Engine) -> None:
    if engine.name != "sphinx":
        pytest.skip("the Whoosh backend has no shards")
    from indexer.backends.sphinx import process
    from indexer.backends.sphinx.engine import cluster_options

    options = cluster_options(engine.settings.index_root)
    full = engine.service().search(QUERY, per_page=100)
    victim = options.shards[1]
    pid = process.pid_of(options, victim.number)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    while process.pid_of(options, victim.number) is not None:
        time.sleep(0.05)
    try:
        svc = engine.service()
        partial = svc.search(QUERY, per_page=100)
        assert partial.missing_shards == (victim.name,)
        assert partial.to_json()["partial"] is True and partial.to_json()["missing_shards"] == [victim.name]
        assert 0 < partial.total < full.total and _ids(partial) < _ids(full)
    finally:
        (options.shard_dir(victim.number) / "searchd.pid").unlink(missing_ok=True)
        process.start_shard(options, victim)
    again = engine.service().search(QUERY, per_page=100)
    assert not again.missing_shards and again.total == full.total


# the cross-check's suggestions (indexer/suggest.py), asked of the backend through the interface only

def _measure_topics(settings: Settings) -> list:  # type: ignore[type-arg]
    from archive.crosscheck import measure_topics
    from archive.kinds import DocType

    with Archive.open(settings.db_path) as a:
        return [t for d in a.documents_of_type(DocType.NOTICE) for *_, t in measure_topics(d, a.notice_tree(d.id))]


def _suggested(service: SearchService, topics: list) -> list[tuple]:  # type: ignore[type-arg]
    return [tuple((s.article_id, s.score, s.governing) for s in service.suggest_articles(t, 3)) for t in topics]


def test_the_sample_notices_measures_get_suggestions_and_abstentions(engine: Engine) -> None:
    """Every measure of the sample notices is answered: articles in force on its topic with calibrated scores,
    or nothing (abstention) when no article reaches the threshold; both occur."""
    service = engine.service()
    topics = _measure_topics(engine.settings)
    found = [service.suggest_articles(t, 3) for t in topics]
    assert len(topics) > 100
    given = [f for f in found if f]
    assert len(given) > len(topics) // 4 and len(given) < len(topics), (len(given), len(topics))
    for f in given:
        assert all(0.42 <= s.score <= 1.0 and s.article and s.fault_kind and s.reason for s in f), f
        assert [s.score for s in f] == sorted((s.score for s in f), reverse=True)


def test_both_backends_suggest_alike(engine: Engine) -> None:
    """Sphinx beside Whoosh on the same archive: the same measures abstain, and the top suggestion is the same
    article on most measures both suggest for (their BM25 scores differ in the last places: the calibrated
    scores move by a few hundredths, docs/design/h-sug32.md)."""
    if engine.name != "sphinx":
        pytest.skip("compares the Sphinx backend's suggestions with the Whoosh backend's")
    whoosh = load_settings(environ={}, home=engine.settings.home, extract_timeout_s=30, backend="whoosh")
    with Archive.open(whoosh.db_path) as a:
        reindex(a, whoosh.index_options(), full=True)
    topics = _measure_topics(engine.settings)
    ours = _suggested(engine.service(), topics)
    theirs = _suggested(SearchService(dataclasses.replace(whoosh.search_options(), result_cache=0)), topics)
    same_abstention = sum(bool(a) == bool(b) for a, b in zip(ours, theirs)) / len(topics)
    both = [(a, b) for a, b in zip(ours, theirs) if a and b]
    same_top = sum(a[0][0] == b[0][0] for a, b in both) / len(both)
    assert same_abstention >= 0.9 and same_top >= 0.8, (same_abstention, same_top)


def test_the_check_page_and_api_show_suggestions(engine: Engine) -> None:
    """The web UI's check page and its JSON, on this backend: suggested articles with their reasons, or the
    measure's abstention."""
    from tests.conftest import CITY
    from webui import create_app

    with Archive.open(engine.settings.db_path) as a:
        doc = a.document(str(CITY))
    assert doc is not None
    app = create_app(engine.settings)
    app.config.update(TESTING=True)
    client = app.test_client()
    page = client.get(f"/doc/{doc.id}/check")
    assert page.status_code == 200 and "整改核查" in page.get_data(as_text=True)
    data = client.get(f"/api/doc/{doc.id}/check").get_json()
    measures = data["measures"]
    assert any(m["suggested"] for m in measures) and any(not m["suggested"] for m in measures)
    assert all(s["reason"] and s["article"] for m in measures for s in m["suggested"])


def test_min_match_keeps_the_units_holding_a_share_of_a_long_querys_words(engine: Engine) -> None:
    """SearchOptions.min_match on either engine: Whoosh evaluates the MinMatch clause, Sphinx finds its candidates
    by the OR and keeps those holding the minimum in its second phase (indexer/rescore.py)."""
    from indexer.minmatch import MinMatchOptions

    text = "公务接待 超标准 整改 不到位 公务用车"
    service = engine.service()
    strict = dataclasses.replace(service.options, min_match=MinMatchOptions("60%", above=3, keep_or=False))
    plain, narrowed = service.search(text, per_page=100), SearchService(strict).search(text, per_page=100)
    assert plain.relaxed and narrowed.relaxed
    # fewer partial matches: those with fewer than three of the five words are gone (Sphinx counts its OR's)
    assert narrowed.hits and len(narrowed.hits) < len(plain.hits)
    if engine.name == "whoosh":
        assert narrowed.relaxed_total < plain.relaxed_total
    built = SearchService(strict).build(text, {})
    groups = next(n for n in T.walk(built.relaxed) if isinstance(n, T.MinMatch)).clauses
    # every unit kept holds three of the five words (as the Whoosh engine scores each word's clause)
    backend = open_backend(service.options) if engine.name == "whoosh" else None
    if backend is not None:
        held = [{u.id for u in backend.best(g, None, 1000)} for g in groups]
        assert all(sum(h.id in s for s in held) >= 3 for h in narrowed.hits)
