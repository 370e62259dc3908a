"""archive/accounts.py: operators, tokens, audit, saved searches."""

from __future__ import annotations

import pytest

from archive import accounts
from archive.database import Archive
from archive.accounts import AccountError, AccountErrorCode


def test_users(archive: Archive) -> None:
    assert not accounts.has_users(archive)
    u = accounts.add_user(archive, "  alice ", "long-enough")
    assert u.name == "alice" and accounts.has_users(archive)
    assert accounts.authenticate(archive, "alice", "long-enough") == accounts.get_user(archive, u.id)
    assert accounts.authenticate(archive, "alice", "wrong-pass") is None
    assert accounts.authenticate(archive, "nobody", "long-enough") is None
    with pytest.raises(AccountError) as exc:
        accounts.add_user(archive, "alice", "long-enough")
    assert exc.value.code == AccountErrorCode.EXISTS and exc.value.param == "name"
    assert [x.name for x in accounts.list_users(archive)] == ["alice"]


def test_tokens(archive: Archive) -> None:
    accounts.add_user(archive, "alice", "long-enough")
    tok, secret = accounts.create_token(archive, "alice", "ci")
    assert tok.prefix == secret[:10] and accounts.user_for_token(archive, secret).name == "alice"
    assert accounts.list_tokens(archive)[0].last_used_at is not None
    accounts.revoke_token(archive, tok.id)
    assert accounts.user_for_token(archive, secret) is None
    with pytest.raises(AccountError) as exc:
        accounts.revoke_token(archive, tok.id)
    assert exc.value.code == AccountErrorCode.NO_SUCH_TOKEN


def test_remove_user_cascades_but_audit_stays(archive: Archive) -> None:
    u = accounts.add_user(archive, "alice", "long-enough")
    _, secret = accounts.create_token(archive, "alice")
    accounts.save_search(archive, u.id, "公车", "q=公车")
    accounts.record(archive, "alice", "upload", "job 1", ["a.txt", "b.pdf"], "127.0.0.1")
    accounts.remove_user(archive, "alice")
    assert accounts.user_for_token(archive, secret) is None and accounts.saved_searches(archive, u.id) == ()
    entry = accounts.audit_log(archive)[0]
    assert (entry.user_name, entry.action, entry.files, entry.address) == ("alice", "upload", ("a.txt", "b.pdf"),
                                                                           "127.0.0.1")


def test_saved_search_replaces_by_name(archive: Archive) -> None:
    u = accounts.add_user(archive, "alice", "long-enough")
    accounts.save_search(archive, u.id, "公车", "q=公车")
    accounts.save_search(archive, u.id, "公车", "q=公车&kind=measure")
    assert [(s.name, s.query) for s in accounts.saved_searches(archive, u.id)] == [("公车", "q=公车&kind=measure")]
    with pytest.raises(AccountError):
        accounts.save_search(archive, u.id, " ", "q=x")
