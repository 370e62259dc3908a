"""The connection layer: PyMySQL over SphinxQL, with timeouts on connect, read and write.

Every statement the backend sends is in this package; they are the SphinxQL both Sphinx 2.2.11 and
Manticore accept (docs/design/h-sphinx32.md lists them with Manticore's pages).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pymysql
from pymysql.constants import SERVER_STATUS
from pymysql.converters import escape_string

from .options import ClusterOptions, Shard

# the two statements whose spelling differs: Sphinx 2.2.11 knows only the RTINDEX form; Manticore documents
# TRUNCATE TABLE / FLUSH TABLE (whether it still takes the RTINDEX form is not checked here: change these two).
TRUNCATE = "TRUNCATE RTINDEX {}"
FLUSH = "FLUSH RTINDEX {}"

Error = pymysql.MySQLError  # what a shard that is down, slow or refusing raises


class ShardDown(RuntimeError):
    """No shard of the cluster answered."""


def connect(shard: Shard, options: ClusterOptions) -> pymysql.connections.Connection:
    """A SphinxQL connection to one shard; raises Error within the connect timeout when it is down."""
    # ssl_disabled: searchd speaks no TLS, and PyMySQL otherwise builds a default SSL context (loading the CA
    # store, 0.2 s) on every connection
    return pymysql.connect(host=shard.host, port=shard.sql_port, autocommit=True, charset="utf8", ssl_disabled=True,
                           connect_timeout=max(1, round(options.connect_timeout_s)),
                           read_timeout=options.query_timeout_s, write_timeout=options.query_timeout_s)


@contextmanager
def session(shard: Shard, options: ClusterOptions) -> Iterator[pymysql.connections.Connection]:
    conn = connect(shard, options)
    try:
        yield conn
    finally:
        conn.close()


def result_sets(conn: pymysql.connections.Connection, sql: str, args: Sequence[Any] = ()) -> list[list[tuple]]:
    """Every result set of one statement (the rows, then one set per FACET)."""
    with conn.cursor() as cur:
        cur.execute(sql, tuple(args) or None)
        sets = [list(cur.fetchall())]
        while cur.nextset():
            sets.append(list(cur.fetchall()))
    return sets


def meta(conn: pymysql.connections.Connection) -> dict[str, str]:
    """SHOW META of the last query: total_found, time and the warning naming an agent that failed."""
    with conn.cursor() as cur:
        cur.execute("SHOW META")
        return {str(k): str(v) for k, v in cur.fetchall()}


def execute(conn: pymysql.connections.Connection, sql: str, args: Sequence[Any] = ()) -> int:
    with conn.cursor() as cur:
        return cur.execute(sql, tuple(args) or None)


def quote_list(conn: pymysql.connections.Connection, values: Sequence[Any]) -> str:
    """A comma-separated list of SQL literals (for multi-row REPLACE and IN).

    Strings and integers (nearly every value of a row) are quoted as PyMySQL's own `escape` quotes them,
    without its per-value dispatch (a third of a build's client time went there); anything else goes
    through `conn.escape`."""
    if conn.server_status & SERVER_STATUS.SERVER_STATUS_NO_BACKSLASH_ESCAPES:
        return ",".join(conn.escape(v) for v in values)
    out = []
    for v in values:
        kind = type(v)
        if kind is str:
            out.append("'" + escape_string(v) + "'")
        elif kind is int:
            out.append(str(v))
        else:
            out.append(conn.escape(v))
    return ",".join(out)


class Pool:
    """One open connection per thread and shard, reopened once when a kept one fails (searchd restarted)."""

    def __init__(self, options: ClusterOptions) -> None:
        self.options = options
        self._local = threading.local()

    def run(self, shard: Shard, work: Any) -> Any:
        """work(conn) on a connection to `shard`; raises Error when the shard does not answer."""
        conns = self._local.__dict__.setdefault("conns", {})
        conn = conns.get(shard.number)
        if conn is not None:
            try:
                return work(conn)
            except (Error, OSError):
                conn.close()
                conns.pop(shard.number, None)
        conn = connect(shard, self.options)
        try:
            result = work(conn)
        except BaseException:
            conn.close()
            raise
        conns[shard.number] = conn
        return result


class Sender:
    """Statements to one shard, sent in order by a thread of its own over `conn`: the caller prepares the next
    batch while searchd indexes this one (the wait on the socket releases the GIL). A failure is raised by the
    next send() or by join(); the statements queued after it are dropped. The caller does not use `conn`
    itself until join() returns."""

    def __init__(self, conn: pymysql.connections.Connection, depth: int = 2) -> None:
        self.conn = conn
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sphinx-sender", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (sql := self._queue.get()) is not None:
            if self._error is None:
                try:
                    execute(self.conn, sql)
                except BaseException as exc:  # handed to the caller's thread
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def send(self, sql: str) -> None:
        self._raise()
        self._queue.put(sql)

    def join(self) -> None:
        """Wait until every statement was sent and answered; raise the first failure."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise()
