"""Security: headers on every response, originals by id only (attachment, safe type, relative --home), no
XSS through names, titles, text, facets, queries or errors (test client and real Chromium), fuzzed requests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from archive.database import Archive
from benchmarks import fuzz
from tests.conftest import live_server, needs_chromium
from webui import create_app
from xuncha.settings import Settings, load_settings


@pytest.fixture(scope="module")
def hostile_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample corpus plus documents carrying markup in names, titles, text, a facet value and links."""
    return fuzz.build_archive(tmp_path_factory.mktemp("security") / "home")  # type: ignore[return-value]


@pytest.fixture
def client(hostile_settings: Settings) -> FlaskClient:
    app = create_app(hostile_settings)
    app.config.update(TESTING=True)
    return app.test_client()


@pytest.fixture(scope="module")
def doc_ids(hostile_settings: Settings) -> dict[str, str]:
    """source file name → id, of every document."""
    with Archive.open(hostile_settings.db_path) as archive:
        return {Path(d.source_path).name: d.id for d in archive.documents()}


def _urls(doc_ids: dict[str, str]) -> list[str]:
    urls = ["/", "/?q=" + quote(fuzz.PAYLOADS[0]), "/?q=alert", "/?q=" + quote(fuzz.PAYLOADS[1]) + "&kind=problem",
            "/?q=%E6%95%B4%E6%94%B9&region=" + quote('"><img src=x onerror=alert(9)>'),
            "/?q=alert&page=" + quote(fuzz.PAYLOADS[0]), "/no/such/" + quote(fuzz.PAYLOADS[1]),
            "/doc/" + quote(fuzz.PAYLOADS[0], safe=""), "/api/search?q=alert"]
    for name, doc_id in doc_ids.items():
        urls += [f"/doc/{doc_id}", f"/doc/{doc_id}?q=" + quote(fuzz.PAYLOADS[0]), f"/doc/{doc_id}/check",
                 f"/api/doc/{doc_id}"]
    return urls


HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def test_every_response_has_the_security_headers(client: FlaskClient, doc_ids: dict[str, str]) -> None:
    seen = 0
    for url in _urls(doc_ids) + ["/static/style.css", "/static/app.js", "/api/nothing",
                                 f"/doc/{next(iter(doc_ids.values()))}/original"]:
        resp = client.get(url)
        resp.close()
        assert resp.status_code < 500, url
        for name, value in HEADERS.items():
            assert resp.headers.get(name) == value, (url, name)
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        seen += 1
    assert seen > 40


def test_templates_have_no_inline_script_or_style() -> None:
    root = Path(__file__).resolve().parents[1] / "webui" / "templates"
    for template in root.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert "<style" not in text and not re.search(r"\sstyle=", text), template.name
        assert not re.search(r"<[^>]*\son(?:click|load|error|change|submit|input|focus|blur|mouse\w*|key\w*)=", text), template.name


def test_no_payload_is_rendered_unescaped(client: FlaskClient, doc_ids: dict[str, str]) -> None:
    assert sum(bool(re.match(r"通报\d", name)) for name in doc_ids) == len(fuzz.PAYLOADS)  # all stored
    escaped = 0
    for url in _urls(doc_ids):
        resp = client.get(url)
        body = resp.get_data(as_text=True)
        assert resp.status_code < 500, url
        if resp.content_type.startswith("text/html"):
            assert not fuzz.MARKERS.search(body), (url, fuzz.MARKERS.search(body))
            escaped += "&lt;script&gt;alert" in body or "&#34;&gt;&lt;img src=x" in body
    assert escaped > 10  # the payloads really are on the pages, escaped


def test_original_is_an_attachment_with_a_safe_type(client: FlaskClient, doc_ids: dict[str, str]) -> None:
    for name, doc_id in doc_ids.items():
        with client.get(f"/doc/{doc_id}/original") as resp:
            pass
        assert resp.status_code == 200, name
        assert resp.headers["Content-Disposition"].startswith("attachment"), name
        if name.endswith((".html", ".txt", ".md")):
            assert resp.mimetype == "application/octet-stream", name


@pytest.mark.parametrize("url", ["/doc/../../etc/passwd/original", "/doc/..%2F..%2Fetc%2Fpasswd/original",
                                 "/doc/%2e%2e/original", "/doc/originals/original", "/doc/%00/original",
                                 "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/archive.sqlite3",
                                 "/doc/" + "a" * 5000 + "/original"])
def test_path_traversal_finds_nothing(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code in (404, 400, 414), url
    assert b"root:" not in resp.data and b"SQLite format" not in resp.data


def test_original_with_a_relative_home(hostile_settings: Settings, doc_ids: dict[str, str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    home = hostile_settings.home
    monkeypatch.chdir(home.parent)
    relative = load_settings(environ={}, home=Path(home.name))
    assert not relative.home.is_absolute()
    client = create_app(relative).test_client()
    doc_id = next(iter(doc_ids.values()))
    with client.get(f"/doc/{doc_id}/original") as resp:
        assert resp.status_code == 200 and resp.data


def test_serve_binds_to_loopback_and_says_so(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress

    from xuncha.cli import main

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append(kw))
    result = runner.invoke(main, ["serve", "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "127.0.0.1"
    assert "bound to 127.0.0.1: only this computer can connect" in result.output
    result = runner.invoke(main, ["serve", "--processes", "1", "--host", "0.0.0.0"])
    assert calls[1]["host"] == "0.0.0.0" and "other computers can connect" in result.output
    # several processes share one socket, bound the same way (xuncha/serving.py)
    from xuncha.serving import listen

    with listen("127.0.0.1", 0) as sock:
        assert sock.getsockname()[0] == "127.0.0.1"


def test_fuzzed_requests_quick(hostile_settings: Settings) -> None:
    tally = fuzz.run(hostile_settings, requests=300, seed=7, slow_s=5.0)  # the 1 s bound: benchmarks/fuzz.py
    assert tally.failures == []
    assert tally.sent == 300 and set(tally.statuses) <= {200, 400, 404, 414}
    assert tally.statuses.get(200, 0) > 50


# ------------------------------------------------------------------------------------------- Chromium


@pytest.mark.browser
@needs_chromium
def test_no_page_runs_a_payload_in_chromium(chromium: Any, hostile_settings: Settings,
                                            doc_ids: dict[str, str]) -> None:
    dialogs: list[str] = []
    violations: list[str] = []
    with live_server(create_app(hostile_settings)) as base:
        context = chromium.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        visited = 0
        for url in _urls(doc_ids):
            if url.startswith("/api/"):
                continue
            page.goto(base + url, wait_until="load")
            visited += 1
            assert page.locator("img[src=x]").count() == 0, url
            assert page.locator("a[href^='javascript:']").count() == 0, url
            for link in page.locator("main a").all()[:3]:  # follow a few links from the page too
                href = link.get_attribute("href") or ""
                assert not href.lower().startswith("javascript:"), (url, href)
        context.close()
    assert visited > 25
    assert dialogs == []
    assert violations == []  # and nothing on our own pages needed an inline script or style
