"""Helpers shared by the web UI tests: a temporary archive of the sample corpus, a live server, Chromium."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive import store
from archive.pipeline import ingest
from indexer.build import full_rebuild
from xuncha.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"


def build_sample_archive(home: Path, extra: list[Path] | None = None) -> Settings:
    """Ingest the sample corpus (and any extra paths) into a new archive at home, build its index; its Settings."""
    settings = load_settings(environ={}, home=home, extract_timeout_s=30)
    conn = store.connect(settings.db_path)
    try:
        report = ingest(conn, settings.ingest_options(), [str(SAMPLES), *(str(p) for p in extra or [])])
        assert not report.failures, report.failures
        full_rebuild(conn, settings.index_options())
    finally:
        conn.close()
    return settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
