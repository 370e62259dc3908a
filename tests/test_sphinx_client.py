"""The Sphinx connection layer's pieces that need no searchd: literal quoting and the per-shard sender thread."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any

import pymysql
import pytest
from pymysql.converters import escape_item

from indexer.backends.sphinx.client import Sender, quote_list


class FakeConn:
    """What client.execute and quote_list use of a PyMySQL connection: cursor(), escape(), server_status."""

    server_status = 0

    def __init__(self, fail_on: str | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_on = fail_on

    def escape(self, value: Any) -> str:
        return escape_item(value, "utf8")

    @contextmanager
    def cursor(self) -> Any:
        conn = self

        class Cursor:
            def execute(self, sql: str, args: Any = None) -> int:
                if conn.fail_on and conn.fail_on in sql:
                    raise pymysql.err.ProgrammingError(1064, f"refused: {sql}")
                conn.sent.append((sql, threading.current_thread().name))
                return 1

        yield Cursor()


def test_literals_are_quoted_as_pymysql_quotes_them() -> None:
    conn = FakeConn()
    values = ["公务'接待\\", "a\nb\x00c\x1a\"", "", 0, 2 ** 63 - 1, -5, 1.5, None, True]
    assert quote_list(conn, values) == ",".join(escape_item(v, "utf8") for v in values)  # type: ignore[arg-type]


def test_a_sender_sends_in_order_from_its_own_thread() -> None:
    conn = FakeConn()
    sender = Sender(conn, depth=1)  # type: ignore[arg-type]
    for i in range(20):
        sender.send(f"REPLACE {i}")
    sender.join()
    assert [s for s, _ in conn.sent] == [f"REPLACE {i}" for i in range(20)]
    assert {t for _, t in conn.sent} == {"sphinx-sender"}


def test_a_failed_statement_is_raised_and_what_follows_is_dropped() -> None:
    conn = FakeConn(fail_on="REPLACE 3")
    sender = Sender(conn, depth=1)  # type: ignore[arg-type]
    with pytest.raises(pymysql.err.ProgrammingError):
        for i in range(50):
            sender.send(f"REPLACE {i}")
        sender.join()
    with pytest.raises(pymysql.err.ProgrammingError):
        sender.join()  # asked again (a writer closing after the failure): the same failure, no hang
    assert [s for s, _ in conn.sent] == [f"REPLACE {i}" for i in range(3)]
