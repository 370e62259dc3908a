"""Shared fixtures: settings on a temporary archive, a connection, a CLI runner, the real corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import store
from xuncha.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "corpus"
SEED = SHARED / "notices" / "luohu-canlian-2021.txt"
NANKAI = SHARED / "notices" / "中共南开大学委员会关于十九届中央第七轮巡视整改进展情况的通报.txt"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"../shared/corpus not found at {SHARED} "
                                  "(a fresh clone without the real corpus beside it)")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on an empty temporary archive, with short limits so hostile files finish fast."""
    return load_settings(environ={}, home=tmp_path / "home", extract_timeout_s=20)


@pytest.fixture
def conn(settings: Settings) -> Iterator[sqlite3.Connection]:
    """An open connection to the temporary archive."""
    c = store.connect(settings.db_path)
    yield c
    c.close()


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose archive is the temporary one."""
    for var in [v for v in __import__("os").environ if v.startswith("XUNCHA_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("XUNCHA_HOME", str(settings.home))
    monkeypatch.setenv("XUNCHA_EXTRACT_TIMEOUT_S", "20")
    return CliRunner()


def sample_paths() -> list[str]:
    """The project's sample corpus, plus the real notices, 党章 and 政府采购法 when ../shared is here."""
    paths = [str(SAMPLES)]
    if SHARED.is_dir():
        paths += [str(SHARED / "notices"), str(SHARED / "related"),
                  *map(str, sorted((SHARED / "regulations" / "经济法").glob("政府采购法*.md"))),
                  *map(str, sorted((SHARED / "regulations").glob("*/残疾预防和残疾人康复条例*.md")))]
    return paths


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A temporary archive of sample_paths(), ingested and indexed once per test session."""
    from archive.pipeline import ingest
    from indexer.build import full_rebuild

    s = load_settings(environ={}, home=tmp_path_factory.mktemp("indexed") / "home")
    c = store.connect(s.db_path)
    report = ingest(c, s.ingest_options(), sample_paths())
    assert not report.failures, report.failures
    full_rebuild(c, s.index_options())
    c.close()
    return s


@pytest.fixture(scope="session")
def service(indexed_settings: Settings):  # type: ignore[no-untyped-def]
    """The search API over the session's indexed archive."""
    from indexer.search import SearchService

    return SearchService(indexed_settings.search_options())
