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
