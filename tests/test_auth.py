"""Sign-in and who may write (webui/auth.py): reads never ask, writes need an operator or a bearer token."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from archive import accounts
from archive.database import Archive
from tests.ops_helpers import PASSWORD, bearer, csrf_from, fresh_archive, make_app, sign_in
from webui.auth import Limiter, secret_key
from xuncha.settings import Settings

WRITES = [("post", "/upload"), ("post", "/ops/reindex"), ("post", "/jobs/1/cancel"), ("post", "/saved"),
          ("post", "/saved/1/delete")]
OPERATOR_PAGES = ["/upload", "/ops"]
API_WRITES = ["/api/upload", "/api/reindex", "/api/jobs/1/cancel"]
READS = ["/", "/?q=公车", "/stats", "/api/stats", "/api/search?q=公车", "/login", "/export.csv?q=公车"]


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return fresh_archive(tmp_path, tmp_path_factory.getbasetemp())


@pytest.fixture
def client(settings: Settings):  # type: ignore[no-untyped-def]
    return make_app(settings).test_client()


@pytest.mark.parametrize("path", READS)
def test_reads_never_ask(client, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200, path
    assert "/login" not in (resp.headers.get("Location") or "")


@pytest.mark.parametrize("path", OPERATOR_PAGES)
def test_operator_pages_send_to_sign_in(client, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=" + path)


@pytest.mark.parametrize("method,path", WRITES)
def test_browser_write_without_sign_in(client, method: str, path: str) -> None:
    """Without a session the CSRF check comes first (400); with a valid token, the sign-in page."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = getattr(client, method)(path, data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", API_WRITES)
def test_api_write_without_token_is_401(client, path: str) -> None:
    resp = client.post(path)
    assert resp.status_code == 401
    assert resp.json["status"] == 401 and "Bearer" in resp.json["error"]
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_bad_token_is_401(client) -> None:
    resp = client.post("/api/reindex", headers={"Authorization": "Bearer xc_nope"})
    assert resp.status_code == 401 and "unknown or revoked" in resp.json["error"]


def test_api_token_writes_without_csrf(settings: Settings, client) -> None:
    resp = client.post("/api/reindex", headers=bearer(settings), data={"mode": "full"})
    assert resp.status_code == 202
    assert resp.json["kind"] == "reindex" and resp.json["full"] is True and resp.json["state"] == "queued"
    assert resp.json["created_by"] == "alice"


def test_revoked_token_refused(settings: Settings, client) -> None:
    conn = Archive.open(settings.db_path)
    tok, secret = accounts.create_token(conn, "alice")
    accounts.revoke_token(conn, tok.id)
    conn.close()
    assert client.post("/api/reindex", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_sign_in_sets_strict_cookie_and_audits(settings: Settings, client) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token, "next": "/ops"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/ops"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = client.get("/ops").get_data(as_text=True)
    assert "alice" in page and "<td>登录</td>" in page  # the audit table lists the sign-in


def test_cookie_secure_over_https(settings: Settings) -> None:
    client = make_app(settings).test_client()
    token = csrf_from(client.get("/login", base_url="https://localhost").get_data(as_text=True))
    resp = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                       data={"name": "alice", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    assert "Secure" in resp.headers["Set-Cookie"]


def test_next_never_leaves_the_site(client) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token,
                                       "next": "//evil.example/x"})
    assert resp.headers["Location"] == "/"


def test_wrong_password(client) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"name": "alice", "password": "wrong-one", "csrf_token": token})
    assert resp.status_code == 401 and "用户名或密码不正确" in resp.get_data(as_text=True)


def test_csrf_refused(client) -> None:
    """A form post without its token, or with a forged one, is refused before anything happens."""
    resp = client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    csrf = sign_in(client)
    for data in ({}, {"csrf_token": "forged"}):
        resp = client.post("/ops/reindex", data={"mode": "full", **data})
        assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    assert client.post("/ops/reindex", data={"mode": "full", "csrf_token": csrf}).status_code == 303


def test_every_form_carries_a_token(client) -> None:
    sign_in(client)
    for path in ("/login", "/upload", "/ops", "/?q=公车", "/"):
        html = client.get(path).get_data(as_text=True)
        forms = html.count('method="post"')
        assert forms and html.count('name="csrf_token"') == forms, path


def test_sign_in_rate_limited_per_address(settings: Settings) -> None:
    client = make_app(settings).test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for _ in range(settings.login_attempts):
        assert client.post("/login", data={"name": "alice", "password": "nope-nope", "csrf_token": token}).status_code == 401
    resp = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)
    other = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302  # another address is not held back


def test_limiter_window() -> None:
    lim = Limiter(2, 0.05)
    lim.fail("a"), lim.fail("a")
    assert lim.blocked("a") > 0 and lim.blocked("b") == 0
    import time

    time.sleep(0.06)
    assert lim.blocked("a") == 0


def test_secret_key_generated_once(tmp_path: Path) -> None:
    key = secret_key(tmp_path / "h")
    assert len(key) == 32 and secret_key(tmp_path / "h") == key
    assert stat.S_IMODE((tmp_path / "h" / "secret_key").stat().st_mode) == 0o600


def test_no_users_read_only(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp())
    conn = Archive.open(settings.db_path)
    accounts.remove_user(conn, "alice")
    conn.close()
    client = make_app(settings).test_client()
    assert "只读" in client.get("/").get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    assert "尚未配置操作员" in page and "xuncha user add" in page


def test_removed_user_signed_out(settings: Settings, client) -> None:
    sign_in(client)
    conn = Archive.open(settings.db_path)
    accounts.remove_user(conn, "alice")
    conn.close()
    assert client.get("/ops").status_code == 302


def test_logout(client) -> None:
    csrf = sign_in(client)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/ops").status_code == 302


def test_upload_page_for_operator(client) -> None:
    sign_in(client)
    html = client.get("/upload").get_data(as_text=True)
    assert "webkitdirectory" in html and 'name="files"' in html and "100 MB" in html
    assert "<script>" not in html and "style=" not in html


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    """`xuncha serve --processes N`: every process starting at once reads the one key written first."""
    import multiprocessing

    home = tmp_path / "h"
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(6) as pool:
        keys = pool.map(secret_key, [home] * 24)
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert oct((home / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in home.iterdir()) == ["secret_key"]  # no temporary file left
