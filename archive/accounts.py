"""Operators, their API tokens, the audit trail and saved searches: the archive's only records about people.

Passwords are stored as werkzeug.security hashes (scrypt); API tokens are random 32-byte secrets of which only
the SHA-256 is kept (a token is shown once, when created). Every function takes an open Archive; writes run
inside archive.transaction() so they land whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from functools import cache
from enum import StrEnum
from typing import TYPE_CHECKING

from . import store

if TYPE_CHECKING:
    from .database import Archive

NAME_RE = re.compile(r"^[\w.@-]{1,64}$")  # \w covers Chinese names too
MIN_PASSWORD = 8
TOKEN_PREFIX = "xc_"


class AccountErrorCode(StrEnum):
    BAD_NAME = "bad_name"
    SHORT_PASSWORD = "short_password"
    EXISTS = "exists"
    NO_SUCH_USER = "no_such_user"
    NO_SUCH_TOKEN = "no_such_token"
    BAD_SEARCH = "bad_search"


class AccountError(ValueError):
    """A refused account operation: the parameter at fault and a code."""

    def __init__(self, param: str, code: AccountErrorCode, message: str) -> None:
        super().__init__(message)
        self.param, self.code = param, code


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    user_name: str
    label: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    user_name: str
    action: str
    detail: str
    files: tuple[str, ...]
    address: str | None


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    name: str
    query: str  # the search page's query string, e.g. "q=公车&kind=measure"
    created_at: str


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["name"], row["created_at"])


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RE.match(name):
        raise AccountError("name", AccountErrorCode.BAD_NAME,
                           f"name {name[:40]!r}: 1–64 letters, digits, Chinese characters or . _ @ -")
    return name


def add_user(archive: Archive, name: str, password: str) -> User:
    """A new operator; AccountError if the name is taken or the password shorter than MIN_PASSWORD."""
    name = check_name(name)
    if len(password) < MIN_PASSWORD:
        raise AccountError("password", AccountErrorCode.SHORT_PASSWORD,
                           f"password: at least {MIN_PASSWORD} characters")
    with archive.transaction():
        if archive.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AccountError("name", AccountErrorCode.EXISTS, f"user {name!r} exists already")
        cur = archive.conn.execute("INSERT INTO users (name, password_hash, created_at) VALUES (?,?,?)",
                           (name, _hash(password), store.now()))
    return User(int(cur.lastrowid or 0), name, store.now())


def list_users(archive: Archive) -> tuple[User, ...]:
    return tuple(_user(r) for r in archive.conn.execute("SELECT id, name, created_at FROM users ORDER BY name"))


def has_users(archive: Archive) -> bool:
    return archive.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


def get_user(archive: Archive, user_id: int) -> User | None:
    row = archive.conn.execute("SELECT id, name, created_at FROM users WHERE id = ?", (user_id,)).fetchone()
    return _user(row) if row else None


def remove_user(archive: Archive, name: str) -> None:
    """Remove an operator with their tokens and saved searches (the audit trail keeps their name)."""
    with archive.transaction():
        if archive.conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
            raise AccountError("name", AccountErrorCode.NO_SUCH_USER, f"no user {name!r}")


def authenticate(archive: Archive, name: str, password: str) -> User | None:
    """The user if the password matches; None otherwise (a hash is checked even for unknown names)."""
    row = archive.conn.execute("SELECT id, name, created_at, password_hash FROM users WHERE name = ?",
                       (name.strip(),)).fetchone()
    if row is None:
        _check(_dummy_hash(), password)  # the same work whether or not the name exists
        return None
    return _user(row) if _check(row["password_hash"], password) else None


# werkzeug.security, imported when a password is hashed or checked: every CLI command imports this module
def _hash(password: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password)


def _check(stored: str, password: str) -> bool:
    from werkzeug.security import check_password_hash

    return check_password_hash(stored, password)


@cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, made on the first sign-in (a scrypt hash takes a good part of a
    second: every CLI command would pay it at import)."""
    return _hash(secrets.token_hex(8))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(archive: Archive, user_name: str, label: str = "") -> tuple[Token, str]:
    """A new API token for an operator: the record and the secret (never stored, shown once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with archive.transaction():
        row = archive.conn.execute("SELECT id FROM users WHERE name = ?", (user_name,)).fetchone()
        if row is None:
            raise AccountError("name", AccountErrorCode.NO_SUCH_USER, f"no user {user_name!r}")
        stamp = store.now()
        cur = archive.conn.execute("INSERT INTO api_tokens (user_id, label, token_hash, prefix, created_at) VALUES (?,?,?,?,?)",
                           (row["id"], label or "api", _digest(secret), secret[:10], stamp))
    return Token(int(cur.lastrowid or 0), user_name, label or "api", secret[:10], stamp, None, None), secret


def list_tokens(archive: Archive) -> tuple[Token, ...]:
    return tuple(Token(r["id"], r["name"], r["label"], r["prefix"], r["created_at"], r["last_used_at"],
                       r["revoked_at"]) for r in archive.conn.execute(
        "SELECT t.*, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id"))


def revoke_token(archive: Archive, token_id: int) -> None:
    with archive.transaction():
        n = archive.conn.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                         (store.now(), token_id)).rowcount
        if n == 0:
            raise AccountError("id", AccountErrorCode.NO_SUCH_TOKEN, f"no active token with id {token_id}")


def user_for_token(archive: Archive, secret: str) -> User | None:
    """The operator an unrevoked token belongs to (and note its use), or None."""
    row = archive.conn.execute("""SELECT t.id AS tid, u.id, u.name, u.created_at FROM api_tokens t
                          JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL""",
                       (_digest(secret),)).fetchone()
    if row is None:
        return None
    with archive.transaction():
        archive.conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (store.now(), row["tid"]))
    return _user(row)


def record(archive: Archive, user_name: str, action: str, detail: str = "",
           files: tuple[str, ...] | list[str] = (), address: str | None = None) -> None:
    """One audit entry: who did what, when, to which files."""
    with archive.transaction():
        archive.conn.execute("INSERT INTO audit (at, user_name, action, detail, files_json, address) VALUES (?,?,?,?,?,?)",
                     (store.now(), user_name, action, detail, json.dumps(list(files), ensure_ascii=False), address))


def audit_log(archive: Archive, limit: int = 200) -> tuple[AuditEntry, ...]:
    return tuple(AuditEntry(r["id"], r["at"], r["user_name"], r["action"], r["detail"],
                            tuple(json.loads(r["files_json"])), r["address"])
                 for r in archive.conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)))


def save_search(archive: Archive, user_id: int, name: str, query: str) -> SavedSearch:
    """Save (or replace) a named search for a user."""
    name = name.strip()[:80]
    if not name or not query:
        raise AccountError("name" if not name else "query", AccountErrorCode.BAD_SEARCH,
                           "a saved search needs a name and a query")
    stamp = store.now()
    with archive.transaction():
        archive.conn.execute("""INSERT INTO saved_searches (user_id, name, query, created_at) VALUES (?,?,?,?)
                        ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query""",
                     (user_id, name, query[:2000], stamp))
        row = archive.conn.execute("SELECT * FROM saved_searches WHERE user_id = ? AND name = ?", (user_id, name)).fetchone()
    return SavedSearch(row["id"], row["name"], row["query"], row["created_at"])


def saved_searches(archive: Archive, user_id: int) -> tuple[SavedSearch, ...]:
    return tuple(SavedSearch(r["id"], r["name"], r["query"], r["created_at"]) for r in archive.conn.execute(
        "SELECT * FROM saved_searches WHERE user_id = ? ORDER BY name", (user_id,)))


def delete_saved_search(archive: Archive, user_id: int, search_id: int) -> bool:
    with archive.transaction():
        return archive.conn.execute("DELETE FROM saved_searches WHERE id = ? AND user_id = ?",
                            (search_id, user_id)).rowcount > 0
