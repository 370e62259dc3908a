"""The Whoosh engine behind the seam: a SearchBackend, its search what the service pages, writes through a Batch
(put, delete, a rebuild switched in or aborted), more-like-this and health."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive.database import Archive
from archive.pipeline import ingest
from indexer import querytree as T
from indexer.backend import ALL_FEATURES, DocumentUnits, Feature, NoIndex, SearchBackend, SearchRequest, Sort
from indexer.backends import open_backend
from indexer.backends.whoosh.backend import WhooshBackend
from indexer.backends.whoosh.build import current_dir, full_rebuild
from indexer.documents import grain_records
from indexer.search import SearchService
from tests.conftest import SAMPLES
from xuncha.settings import Settings, load_settings


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    src = tmp_path / "src"
    src.mkdir()
    for f in sorted((SAMPLES / "notices").glob("*.txt"))[:2] + sorted((SAMPLES / "regulations").glob("*.md"))[:2]:
        shutil.copy(f, src / f.name)
    s = load_settings(environ={}, home=tmp_path / "home", workers=1)
    with Archive.open(s.db_path) as a:
        ingest(a, s.ingest_options(), [str(src)])
        full_rebuild(a, s.index_options())
    return s


def _documents(s: Settings) -> list[DocumentUnits]:
    with Archive.open(s.db_path) as a:
        by_doc: dict[str, list[dict]] = {}
        for rec in grain_records(a):
            by_doc.setdefault(rec["doc_id"], []).append(rec)
        hashes = a.hashes()
    return [DocumentUnits(d, hashes[d], tuple(units)) for d, units in by_doc.items()]


def test_it_is_a_search_backend_opened_by_name(small) -> None:
    backend = open_backend(small.search_options())
    assert isinstance(backend, WhooshBackend) and isinstance(backend, SearchBackend) and backend.name == "whoosh"
    assert backend.features() == ALL_FEATURES - {Feature.SHARDS}
    with pytest.raises(ValueError, match="backend must be one of"):
        open_backend(type(small.search_options())(small.index_root, small.db_path, backend="lucene"))


def test_search_answers_what_the_service_pages(small) -> None:
    svc = SearchService(small.search_options())
    built = svc.build("公务用车", {"kind": "measure"})
    found = svc.backend.search(SearchRequest(built.strict, built.relaxed, built.any_word, built.filters, limit=5))
    page = svc.search("公务用车", kind="measure", per_page=5)
    assert found.full_matches == page.total and not found.partial and not found.timed_out
    assert {u.id for u in found.units} >= {h.id for h in page.hits} and all(u.kind == "measure" for u in found.units)
    assert dict(found.facets["kind"]) == {"measure": found.matched}
    scores = [u.score for u in found.units]
    assert scores == sorted(scores, reverse=True)
    dated = svc.backend.search(SearchRequest(built.strict, built.relaxed, filters=built.filters, limit=50,
                                             sort=Sort.DATE))
    published = [u.fields().get("published", "") for u in dated.units]
    assert published == sorted(published, reverse=True)


def test_the_query_building_inputs(small) -> None:
    backend = open_backend(small.search_options())
    keys = backend.regulation_keys()
    assert keys and backend.unit_count() > 10
    key = sorted(keys)[0]
    assert all(len(v) == 10 for v in backend.regulation_versions(key))
    assert backend.doc_frequency("body", "公务用车") > 0 and backend.doc_frequency("body", "不存在的词语") == 0


def test_more_like_this_ranks_articles_within_a_filter(small) -> None:
    backend = open_backend(small.search_options())
    terms = backend.key_terms("严格公务用车管理，禁止公车私用，规范公务用车审批。", 6)
    assert terms and all(isinstance(t, str) and w > 0 for t, w in terms)
    query = T.Or(tuple(T.Term("body", t, w) for t, w in terms))
    articles = T.Term("kind", "article")
    best = backend.best(query, articles, 5)
    assert best and all(u.kind == "article" for u in best)
    assert len(backend.best(query, None, 50)) >= len(best)


def test_a_batch_puts_deletes_and_rebuilds_atomically(small) -> None:
    svc = SearchService(small.search_options())
    backend = svc.backend
    docs = _documents(small)
    before = svc.search("公务用车").total
    version = backend.version()
    with backend.begin_update() as batch:
        batch.delete(docs[0].doc_id)
    assert backend.version() != version and docs[0].doc_id not in backend.indexed()
    with backend.begin_update() as batch:
        batch.put(docs[0])
        batch.put(docs[0])  # a put replaces: the document's units are there once
    assert backend.indexed()[docs[0].doc_id] == docs[0].sha
    assert svc.search("公务用车").total == before
    gen = current_dir(small.index_root)
    with pytest.raises(RuntimeError, match="stop"):
        with backend.begin_rebuild() as batch:
            batch.put(docs[1])
            raise RuntimeError("stop")
    assert current_dir(small.index_root) == gen and backend.indexed().keys() == {d.doc_id for d in docs}
    with backend.begin_rebuild() as batch:
        batch.put(docs[1])
    assert current_dir(small.index_root) != gen and set(backend.indexed()) == {docs[1].doc_id}
    assert backend.health({docs[1].doc_id: docs[1].sha}).ok
    assert backend.health({d.doc_id: d.sha for d in docs}).missing == tuple(sorted(d.doc_id for d in docs[2:] + docs[:1]))


def test_no_index_is_said(tmp_path) -> None:
    s = load_settings(environ={}, home=tmp_path / "home")
    backend = open_backend(s.search_options())
    with pytest.raises(NoIndex):
        backend.version()
    with pytest.raises(NoIndex):
        backend.begin_update()
