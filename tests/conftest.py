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
    return load_settings(environ={}, home=tmp_path / "home", pdf_timeout_s=20)


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
    monkeypatch.setenv("XUNCHA_PDF_TIMEOUT_S", "20")
    return CliRunner()
