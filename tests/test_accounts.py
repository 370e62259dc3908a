"""archive/accounts.py: operators, tokens, audit, saved searches."""

from __future__ import annotations

import sqlite3

import pytest

from archive import accounts
from archive.accounts import AccountError, AccountErrorCode


def test_users(conn: sqlite3.Connection) -> None:
    assert not accounts.has_users(conn)
    u = accounts.add_user(conn, "  alice ", "long-enough")
    assert u.name == "alice" and accounts.has_users(conn)
    assert accounts.authenticate(conn, "alice", "long-enough") == accounts.get_user(conn, u.id)
    assert accounts.authenticate(conn, "alice", "wrong-pass") is None
    assert accounts.authenticate(conn, "nobody", "long-enough") is None
    with pytest.raises(AccountError) as exc:
        accounts.add_user(conn, "alice", "long-enough")
    assert exc.value.code == AccountErrorCode.EXISTS and exc.value.param == "name"
    assert [x.name for x in accounts.list_users(conn)] == ["alice"]


def test_tokens(conn: sqlite3.Connection) -> None:
    accounts.add_user(conn, "alice", "long-enough")
    tok, secret = accounts.create_token(conn, "alice", "ci")
    assert tok.prefix == secret[:10] and accounts.user_for_token(conn, secret).name == "alice"
    assert accounts.list_tokens(conn)[0].last_used_at is not None
    accounts.revoke_token(conn, tok.id)
    assert accounts.user_for_token(conn, secret) is None
    with pytest.raises(AccountError) as exc:
        accounts.revoke_token(conn, tok.id)
    assert exc.value.code == AccountErrorCode.NO_SUCH_TOKEN


def test_remove_user_cascades_but_audit_stays(conn: sqlite3.Connection) -> None:
    u = accounts.add_user(conn, "alice", "long-enough")
    _, secret = accounts.create_token(conn, "alice")
    accounts.save_search(conn, u.id, "公车", "q=公车")
    accounts.record(conn, "alice", "upload", "job 1", ["a.txt", "b.pdf"], "127.0.0.1")
    accounts.remove_user(conn, "alice")
    assert accounts.user_for_token(conn, secret) is None and accounts.saved_searches(conn, u.id) == ()
    entry = accounts.audit_log(conn)[0]
    assert (entry.user_name, entry.action, entry.files, entry.address) == ("alice", "upload", ("a.txt", "b.pdf"),
                                                                           "127.0.0.1")


def test_saved_search_replaces_by_name(conn: sqlite3.Connection) -> None:
    u = accounts.add_user(conn, "alice", "long-enough")
    accounts.save_search(conn, u.id, "公车", "q=公车")
    accounts.save_search(conn, u.id, "公车", "q=公车&kind=measure")
    assert [(s.name, s.query) for s in accounts.saved_searches(conn, u.id)] == [("公车", "q=公车&kind=measure")]
    with pytest.raises(AccountError):
        accounts.save_search(conn, u.id, " ", "q=x")
