"""Helpers for the operator-side tests (issue 16): a sample archive copied per test, an operator, CSRF tokens."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from archive import accounts
from archive.database import Archive
from tests.conftest import SAMPLES, build_archive
from webui import create_app
from xuncha.settings import Settings, load_settings

PASSWORD = "correct-horse-1"
_TEMPLATE: dict[str, Path] = {}


def fresh_archive(tmp: Path, template_root: Path, **overrides: object) -> Settings:
    """A copy of the sample archive (built once under template_root) at tmp/home, with an operator alice."""
    if "home" not in _TEMPLATE or not _TEMPLATE["home"].is_dir():
        home = template_root / "template-home"
        build_archive(home, [str(SAMPLES)])
        with Archive.open(home / "archive.sqlite3") as archive:
            accounts.add_user(archive, "alice", PASSWORD)
        _TEMPLATE["home"] = home
    home = tmp / "home"
    shutil.copytree(_TEMPLATE["home"], home, symlinks=True)
    (home / "secret_key").unlink(missing_ok=True)
    return load_settings(environ={}, home=home, pdf_timeout_s=30, **overrides)


def make_app(settings: Settings) -> Flask:
    app = create_app(settings)
    app.config.update(TESTING=True)
    return app


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(client: FlaskClient, name: str = "alice", password: str = PASSWORD) -> str:
    """Sign in through the form; returns a CSRF token for later posts."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return csrf_from(client.get("/ops").get_data(as_text=True))


def bearer(settings: Settings, name: str = "alice") -> dict[str, str]:
    with Archive.open(settings.db_path) as archive:
        _, secret = accounts.create_token(archive, name)
    return {"Authorization": f"Bearer {secret}"}
