"""indexer/checks.py: the cross-check's suggestions, computed once after an index update and kept in the archive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.database import Archive
from indexer.backends.whoosh.build import current_dir
from indexer.search import SearchService
from tests.conftest import SAMPLES
from xuncha.cli import main
from xuncha.settings import Settings

NOTICE = "示例区城市管理局党组关于巡察整改情况的通报.txt"


def _kept(settings: Settings) -> dict[str, int]:
    with Archive.open(settings.db_path) as archive:  # index_key → rows (test-only look at the table)
        return dict(archive.conn.execute("SELECT index_key, COUNT(*) FROM suggestions GROUP BY index_key").fetchall())


def test_ingest_keeps_them_and_the_check_reads_them(runner: CliRunner, settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = runner.invoke(main, ["ingest", str(SAMPLES)])
    assert "cross-check: suggestions ready for" in out.output, out.output
    key = SearchService(settings.search_options()).suggestion_key()
    assert list(_kept(settings)) == [key]
    # the facet tables too, beside the index, so that a server's first page does not compute them
    assert list(current_dir(settings.index_root).glob("facets-g*.bin"))
    import indexer.suggest

    def no_search(*args: object, **kwargs: object) -> None:
        raise AssertionError("searched for suggestions that were kept")

    monkeypatch.setattr(indexer.suggest, "suggest", no_search)
    data = json.loads(runner.invoke(main, ["check", str(SAMPLES / "notices" / NOTICE), "--json"]).output)
    assert any(s["article"] for m in data["measures"] for s in m["suggested"])


def test_a_changed_regulation_recomputes_them(runner: CliRunner, settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    runner.invoke(main, ["ingest", str(src)])
    before = SearchService(settings.search_options()).suggestion_key()
    reg = sorted((src / "regulations").glob("*.md"))[0]
    reg.write_text(reg.read_text(encoding="utf-8") + "\n\n第九十九条 公务用车应当登记使用事由。\n", encoding="utf-8")
    runner.invoke(main, ["ingest", str(src)])
    after = SearchService(settings.search_options()).suggestion_key()
    assert after != before and list(_kept(settings)) == [after]  # the old index state's are dropped


def test_new_notices_keep_the_others(runner: CliRunner, settings: Settings, tmp_path: Path) -> None:
    """A notice added later does not change what suggestions depend on: the kept ones stay."""
    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    later = src / "notices" / NOTICE
    moved = tmp_path / NOTICE
    shutil.move(later, moved)
    runner.invoke(main, ["ingest", str(src)])
    kept = _kept(settings)
    shutil.move(moved, later)
    runner.invoke(main, ["ingest", str(src)])
    again = _kept(settings)
    assert list(again) == list(kept) and sum(again.values()) > sum(kept.values())


def test_prepare_on_an_empty_index(settings: Settings) -> None:
    # an index with no documents: the facet tables and the suggestion key both open a searcher of it
    from indexer.backends.whoosh.build import full_rebuild
    from indexer.checks import prepare

    with Archive.open(settings.db_path) as archive:
        full_rebuild(archive, settings.index_options())
        done = prepare(archive, SearchService(settings.search_options()))
    assert (done.notices, done.measures) == (0, 0)


def _uncached(settings: Settings, threshold: float | None = None):  # type: ignore[no-untyped-def]
    """Measures' suggestions as the suggester computes them with nothing cached or kept anywhere: a new backend
    with no term cache, every filter's articles and every query's scores computed afresh from the index (nothing
    read from kept files), a fault model fitted here."""
    import dataclasses

    from archive.faults import FaultModel, cited_by_kind, problem_texts
    from indexer import suggest as S
    from indexer.backends.whoosh.backend import WhooshBackend
    from indexer.backends.whoosh.compile import to_whoosh
    from indexer.backends.whoosh.docsets import evaluate

    class Fresh(WhooshBackend):
        def units(self, within, kept_as=None):  # type: ignore[no-untyped-def]
            return set(self._current().docs_for_query(to_whoosh(within)))

        def _scored(self, s, query):  # type: ignore[no-untyped-def]
            return evaluate(s, to_whoosh(query))

    service = SearchService(settings.search_options())
    backend = Fresh(dataclasses.replace(settings.search_options(), term_cache_postings=0))
    with Archive.open(settings.db_path) as archive:
        model = FaultModel(problem_texts(archive))
        prior = cited_by_kind(archive, model)
    return lambda topic: S.suggest(backend, topic, 3, backend.regulation_keys(), service.texts, service._hit,
                                   model=model, prior=prior, threshold=threshold)


def _topics(settings: Settings, every: int = 1, offset: int = 0) -> list:  # type: ignore[type-arg]
    """The measures' topics of the archive's notices; with `every`, each every-th from `offset`: the two loops
    that compare suggestions with uncached ones (a fresh backend each) take every third measure, offset apart
    (65 s of CI become 25 s; the caches are per index generation, not per measure)."""
    from archive.crosscheck import measure_topics
    from archive.kinds import DocType

    with Archive.open(settings.db_path) as archive:
        topics = [t for d in archive.documents_of_type(DocType.NOTICE)
                  for *_, t in measure_topics(d, archive.notice_tree(d.id))]
    return topics[offset::every]


def _governing_titles(service: SearchService, kind_name: str) -> set[str]:
    from archive.faults import kind_named
    from indexer import suggest as S

    kind = kind_named(kind_name)
    assert kind is not None
    service.version()  # a search's first step: the backend sees the current generation
    tree = S.governing_filter(kind, service.reg_keys)
    assert tree is not None
    s = service.searcher()
    return {s.stored_fields(n).get("doc_title", "") for n in service.backend.units(tree, kept_as="within")}


PURCHASE = ("# 示例市政府采购项目抽查办法\n\n2023年1月1日 示例市财政局公布\n\n<!-- INFO END -->\n\n"
            "第一条 为了规范政府采购项目抽查，明确采购项目抽查的程序，制定本办法。\n\n"
            "第二条 纪检组每半年对本单位的采购项目进行抽查，抽查比例不低于采购项目总数的三分之一。\n\n"
            "第三条 采购项目抽查发现的问题，由纪检组书面通知采购单位限期整改。\n")


def test_caches_follow_a_new_regulation(runner: CliRunner, settings: Settings, tmp_path: Path) -> None:
    """The governing sets, the articles in force and the kept suggestions are per index generation: a new regulation
    on a kind's topic joins its governing set, in a long-lived service and in a new process alike, and every
    measure's suggestions (kept, or computed with the caches warm) are what an uncached computation gives."""
    from indexer.kept import PREFIX

    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    runner.invoke(main, ["ingest", str(src)])
    server = SearchService(settings.search_options())  # a long-lived process, its caches warm
    before = _governing_titles(server, "政府采购/招投标")
    assert before and "示例市政府采购项目抽查办法" not in before
    (src / "regulations" / "示例市政府采购项目抽查办法(2023-01-01).md").write_text(PURCHASE, encoding="utf-8")
    runner.invoke(main, ["ingest", str(src)])
    after = _governing_titles(server, "政府采购/招投标")
    assert after == before | {"示例市政府采购项目抽查办法"}
    assert _governing_titles(SearchService(settings.search_options()), "政府采购/招投标") == after
    kept = sorted(p.name for p in current_dir(settings.index_root).glob(f"{PREFIX}within-*"))
    assert kept and len({name.rpartition("-g")[2] for name in kept}) == 1  # the older generation's are gone
    uncached = _uncached(settings)
    for topic in _topics(settings, every=3):
        expected = uncached(topic)
        assert server.suggest_articles(topic, 3) == expected, topic
        assert SearchService(settings.search_options()).suggest_articles(topic, 3) == expected, topic  # kept
    # the new regulation does change what is ranked (below the shown threshold too: abstention may hide it)
    ranked = _uncached(settings, threshold=0.0)
    assert any("示例市政府采购项目抽查办法" in {x.doc_title for x in ranked(topic)} for topic in _topics(settings))


def test_kept_and_warm_suggestions_are_the_uncached_ones(service, indexed_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Every measure of the session's notices: the service (term cache, kept sets, the fault model's memos, kept
    suggestions) suggests exactly what the suggester computes with nothing cached (same articles, order, scores)."""
    topics, uncached = _topics(indexed_settings, every=3, offset=1), _uncached(indexed_settings)
    assert len(topics) > 7
    for topic in topics:
        assert service.suggest_articles(topic, 3) == uncached(topic), topic


def test_a_kept_check_loads_neither_jieba_nor_flask(runner: CliRunner, settings: Settings) -> None:
    """`xuncha check` of a notice whose suggestions are kept segments nothing and serves nothing: a new process
    imports neither jieba (its import alone loads pkg_resources), the web UI nor the extractors."""
    import subprocess
    import sys

    runner.invoke(main, ["ingest", str(SAMPLES)])
    script = ("import json, sys\nfrom xuncha.cli import main\n"
              f"main(['--home', {str(settings.home)!r}, 'check', {str(SAMPLES / 'notices' / NOTICE)!r}, '--json'], "
              "standalone_mode=False)\n"
              "print(json.dumps(sorted(m for m in ('jieba', 'flask', 'trafilatura', 'werkzeug') if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    *report, loaded = done.stdout.strip().splitlines()
    assert json.loads(loaded) == []
    assert any(s["article"] for m in json.loads("\n".join(report))["measures"] for s in m["suggested"])
