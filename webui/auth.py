"""Who may write: operators sign in (/login), API clients send `Authorization: Bearer <token>`.

Reading never asks. A write without credentials gets the sign-in page (browser) or 401 (under /api/).
The session cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS; the secret
key is generated on first start into HOME/secret_key. Every form carries a CSRF token (Flask-WTF's
CSRFProtect, checked for every unsafe request that is not authenticated by a bearer token: a token is not
sent by the browser on its own, so it cannot be forged across sites). Failed sign-ins are limited per address.
"""

from __future__ import annotations

import functools
import os
import secrets
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests, Unauthorized

from archive import accounts

from .context import get_archive

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _Session(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure exactly when the request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def secret_key(home: Path) -> bytes:
    """HOME/secret_key, created (0600, 32 random bytes) the first time; never in the repository.

    Created whole or not at all (written to a temporary file, then linked into place): the processes of
    `xuncha serve --processes N` start together, and each must read the one key the first of them wrote
    (an exclusive create left the others reading an empty file)."""
    path = home / "secret_key"
    home.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".secret_key-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
            os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process's key is in place: use it
        finally:
            os.unlink(tmp)
    key = path.read_bytes()
    if len(key) < 32:
        raise RuntimeError(f"{path}: shorter than 32 bytes; delete it to generate a new key")
    return key


class Limiter:
    """At most `attempts` failures per address within `window_s` seconds."""

    def __init__(self, attempts: int, window_s: float) -> None:
        self.attempts, self.window_s = attempts, window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        q = self._failures.setdefault(address, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, address: str) -> float:
        """Seconds until this address may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            q = self._recent(address, now)
            return self.window_s - (now - q[0]) if len(q) >= self.attempts else 0.0

    def fail(self, address: str) -> None:
        with self._lock:
            self._recent(address, time.monotonic()).append(time.monotonic())

    def clear(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def init_app(app: Flask) -> None:
    """Secret key, cookie flags, CSRF, the user of each request, the sign-in pages."""
    cfg = app.config["XUNCHA_SETTINGS"]
    app.secret_key = secret_key(cfg.home)
    app.session_interface = _Session()
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_CHECK_DEFAULT=False,
                      WTF_CSRF_TIME_LIMIT=None, MAX_CONTENT_LENGTH=cfg.upload_max_mb * 1024 * 1024)
    csrf.init_app(app)
    app.extensions["xuncha.limiter"] = Limiter(cfg.login_attempts, cfg.login_window_s)
    app.before_request(_load_user)
    app.context_processor(lambda: {"current_user": g.get("user"), "has_operators": _has_users()})
    app.register_blueprint(bp)


def _has_users() -> bool:
    if "has_users" not in g:
        g.has_users = accounts.has_users(get_archive())
    return g.has_users


def _load_user() -> None:
    g.user, g.via_token = None, False
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        user = accounts.user_for_token(get_archive(), header[7:].strip())
        if user is None:
            raise Unauthorized(description="Authorization: the bearer token is unknown or revoked")
        g.user, g.via_token = user, True
        return
    uid = session.get("uid")
    if isinstance(uid, int):
        g.user = accounts.get_user(get_archive(), uid)
        if g.user is None:
            session.clear()  # the operator was removed
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        raise too_large()  # before anything reads (and spools) the body
    # a 404 or 405 stays what it is (no view will run); under /api/ a request with neither a session nor a
    # token gets its 401 from operator_required
    routed = request.routing_exception is None
    if routed and request.method in UNSAFE and (g.user is not None or not is_api()):
        try:
            csrf.protect()  # reads the form: a body over MAX_CONTENT_LENGTH is refused here
        except RequestEntityTooLarge as exc:
            raise too_large() from exc


def too_large() -> RequestEntityTooLarge:
    """413 naming the setting, in English (JSON) and Chinese (pages)."""
    limit = current_app.config["XUNCHA_SETTINGS"].upload_max_mb
    err = RequestEntityTooLarge(description=f"upload larger than upload_max_mb = {limit} MB")
    err.zh = f"上传的文件合计超过 {limit} MB 的上限（设置 upload_max_mb），请分批上传。"  # type: ignore[attr-defined]
    return err


def is_api() -> bool:
    return request.path.startswith("/api/")


def operator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A write: 401 under /api/ (and for scripts), the sign-in page in the browser."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            if is_api():
                resp = jsonify(status=401, error="sign-in required: send Authorization: Bearer <token> "
                                                 "(create one with `xuncha token create NAME`)")
                resp.status_code = 401
                resp.headers["WWW-Authenticate"] = 'Bearer realm="xuncha"'
                return resp
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    """Only a local path: never send a signed-in operator off to another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("search.index")


def address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in form; it says how to add an operator when there is none."""
    limiter: Limiter = current_app.extensions["xuncha.limiter"]
    nxt = request.values.get("next") or ""
    error, code = "", 200
    if request.method == "POST":
        wait = limiter.blocked(address())
        if wait:
            exc = TooManyRequests(description=f"too many failed sign-ins from {address()}; retry in {int(wait) + 1} s")
            exc.zh = f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。"  # type: ignore[attr-defined]
            raise exc
        user = accounts.authenticate(get_archive(), request.form.get("name", ""), request.form.get("password", ""))
        if user is None:
            limiter.fail(address())
            error, code = "用户名或密码不正确。", 401
        else:
            limiter.clear(address())
            session.clear()
            session["uid"] = user.id
            accounts.record(get_archive(), user.name, "sign in", "", (), address())
            return redirect(_safe_next(nxt))
    return render_template("login.html", error=error, next=nxt, has_users=_has_users()), code


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    return redirect(url_for("search.index"))


def current_name() -> str:
    return g.user.name if g.get("user") else ""


def audit(action: str, detail: str = "", files: list[str] | tuple[str, ...] = ()) -> None:
    """Record a write by the current operator."""
    accounts.record(get_archive(), current_name(), action, detail, tuple(files), address())
