"""The suite's one conftest: settings on a temporary archive, an archive connection, a CLI runner, the
session-scoped sample archive with its app and client (as in Flask's tutorial), a live server and Chromium.
"""

from __future__ import annotations

import os
import random
import re
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from archive.database import Archive
from xuncha.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "corpus"
SEED = SHARED / "notices" / "luohu-canlian-2021.txt"
NANKAI = SHARED / "notices" / "中共南开大学委员会关于十九届中央第七轮巡视整改进展情况的通报.txt"
CITY = SAMPLES / "notices" / "示例区城市管理局党组关于巡察整改情况的通报.txt"
# a plain document the sample archive holds beside the corpus, so every document type is there
OTHER_TEXT = "示例档案室工作简报\n本期简报介绍示例档案室整理库房、更新目录索引和开展查阅服务的情况。\n"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"../shared/corpus not found at {SHARED} "
                                  "(a fresh clone without the real corpus beside it)")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (Debian package "
                                    "chromium): the browser tests drive the system Chromium")


# --- a fresh, empty archive per test ---------------------------------------------------------------

@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on an empty temporary archive, with short limits so hostile files finish fast."""
    return load_settings(environ={}, home=tmp_path / "home", extract_timeout_s=20)


@pytest.fixture
def archive(settings: Settings) -> Iterator[Archive]:
    """The temporary archive, open."""
    a = Archive.open(settings.db_path)
    yield a
    a.close()


@pytest.fixture
def samples_home(tmp_path: Path) -> Settings:
    """The sample corpus ingested (not indexed) into a temporary archive; one indexing process."""
    from archive.pipeline import ingest

    s = load_settings(environ={}, home=tmp_path / "samples-home", workers=1)
    with Archive.open(s.db_path) as a:
        ingest(a, s.ingest_options(), [str(SAMPLES)])
    return s


@pytest.fixture
def conn(archive: Archive) -> sqlite3.Connection:
    """The temporary archive's SQLite connection (tests may look at the tables directly)."""
    return archive.conn


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose archive is the temporary one."""
    for var in [v for v in os.environ if v.startswith("XUNCHA_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("XUNCHA_HOME", str(settings.home))
    monkeypatch.setenv("XUNCHA_EXTRACT_TIMEOUT_S", "20")
    return CliRunner()


# --- archives built once per session ---------------------------------------------------------------

def build_archive(home: Path, paths: list[str]) -> Settings:
    """Ingest paths into a new archive at home and build its index; its Settings."""
    from archive.pipeline import ingest
    from indexer.backends.whoosh.build import full_rebuild

    s = load_settings(environ={}, home=home, extract_timeout_s=30)
    with Archive.open(s.db_path) as a:
        report = ingest(a, s.ingest_options(), paths)
        assert not report.failures, report.failures
        full_rebuild(a, s.index_options())
    return s


def sample_paths() -> list[str]:
    """The project's sample corpus, plus the real notices, 党章 and 政府采购法 when ../shared is here."""
    paths = [str(SAMPLES)]
    if SHARED.is_dir():
        paths += [str(SHARED / "notices"), str(SHARED / "related"),
                  *map(str, sorted((SHARED / "regulations" / "经济法").glob("政府采购法*.md"))),
                  *map(str, sorted((SHARED / "regulations").glob("*/残疾预防和残疾人康复条例*.md")))]
    return paths


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample corpus plus one plain document, ingested and indexed once per session (the web UI's archive)."""
    extra = tmp_path_factory.mktemp("sample-extra")
    (extra / "示例档案室工作简报.txt").write_text(OTHER_TEXT, encoding="utf-8")
    return build_archive(tmp_path_factory.mktemp("sample") / "home", [str(SAMPLES), str(extra)])


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """sample_paths() (the samples and parts of ../shared), ingested and indexed once per session."""
    return build_archive(tmp_path_factory.mktemp("indexed") / "home", sample_paths())


@pytest.fixture(scope="session")
def service(indexed_settings: Settings):  # type: ignore[no-untyped-def]
    """The search API over the session's indexed archive."""
    from indexer.search import SearchService

    return SearchService(indexed_settings.search_options())


@pytest.fixture(scope="session")
def app(sample_settings: Settings) -> Flask:
    """The app over the sample archive."""
    from webui import create_app

    app = create_app(sample_settings)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the sample archive's app."""
    return app.test_client()


@pytest.fixture(scope="session")
def sample_ids(sample_settings: Settings) -> dict[str, str]:
    """title (and title@version for regulations) → document id in the sample archive; 'other' for the plain one."""
    out: dict[str, str] = {}
    with Archive.open(sample_settings.db_path) as a:
        for d in a.documents():
            out[f"{d.title}@{d.version}" if d.version else d.title] = d.id
            out.setdefault(d.title, d.id)
            if d.doc_type == "other":
                out["other"] = d.id
    return out


# --- a live server and the system Chromium ----------------------------------------------------------

def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_PORTS = random.Random(os.getpid())  # each test process draws its own ports (pytest-xdist runs two)


def free_ports(count: int) -> int:
    """The first of `count` consecutive TCP ports nobody listens on right now (a local Sphinx cluster takes two per
    shard), below the kernel's ephemeral range (32768 and up on Linux): there an outgoing connection can take the
    second port of a pair between this check and searchd's bind, which failed a shard's start ("bind() failed …
    Address already in use")."""
    for _ in range(200):
        base = _PORTS.randrange(20000, 32000 - count)
        held: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                held.append(sock := socket.socket())
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports between 20000 and 32000")


@contextmanager
def live_server(app: object) -> Iterator[str]:
    """Serve a WSGI app from a background thread on 127.0.0.1; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", free_port(), app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, name="webui-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def base_url(app: Flask) -> Iterator[str]:
    """The sample archive's app, served from a background thread."""
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """The system Chromium, launched once for the session (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def ui(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh desktop-sized page; on failure its screenshot goes to test-artifacts/<test name>.png."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the test's own failure is what matters
            print(f"no failure screenshot: {exc}")
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
