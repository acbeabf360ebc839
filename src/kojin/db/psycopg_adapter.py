"""Everything kojin asks of psycopg beyond the DB-API, in one place.

Two round-trip savings on PostgreSQL rely on psycopg specifics (see :mod:`kojin.db.writes`):

- ``BEGIN`` sent in one simple-query message with a transaction's first query, through the
  connection's libpq wrapper (``Connection.pgconn``: ``transaction_status``, ``exec_``) and
  ``psycopg.errors.error_from_result`` to raise the server's error as psycopg would;
- a long statement written with PostgreSQL's own ``$n`` placeholders, run through SQLAlchemy
  while the connection's ``cursor_factory`` is :class:`psycopg.RawCursor` (the default cursor
  would scan the whole text for ``%s`` in Python on every execution).

:func:`check_psycopg` names what is missing when a psycopg release changes any of it; the
tests call it, so an upgrade past the supported range fails with that message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, StatementError

from kojin.errors import ConfigurationError

#: the psycopg releases this adapter is written for (pyproject.toml bounds the dependency)
SUPPORTED = "psycopg>=3.2,<3.4"


def check_psycopg(driver: psycopg.Connection[Any] | None = None) -> None:
    """ConfigurationError naming every psycopg feature this module relies on that is gone;
    with `driver`, its connection attributes are checked too."""
    checks = [
        ("psycopg.RawCursor", hasattr(psycopg, "RawCursor")),
        ("psycopg.pq.TransactionStatus.IDLE", hasattr(pq.TransactionStatus, "IDLE")),
        ("psycopg.pq.ExecStatus.TUPLES_OK", hasattr(pq.ExecStatus, "TUPLES_OK")),
        ("psycopg.errors.error_from_result", hasattr(psycopg.errors, "error_from_result")),
    ]
    if driver is not None:
        pgconn = getattr(driver, "pgconn", None)
        checks += [
            ("Connection.cursor_factory", hasattr(driver, "cursor_factory")),
            ("Connection.pgconn", pgconn is not None),
            ("Connection.pgconn.transaction_status", hasattr(pgconn, "transaction_status")),
            ("Connection.pgconn.exec_", hasattr(pgconn, "exec_")),
        ]
    missing = [name for name, present in checks if not present]
    if missing:
        raise ConfigurationError(
            f"psycopg {psycopg.__version__} lacks {', '.join(missing)}, which "
            f"kojin.db.psycopg_adapter relies on (written for {SUPPORTED})"
        )


def driver_connection(conn: Connection) -> psycopg.Connection[Any] | None:
    """The psycopg connection under `conn`, or None on other drivers (SQLite)."""
    if conn.dialect.driver != "psycopg":
        return None
    driver = conn.connection.dbapi_connection
    return driver if isinstance(driver, psycopg.Connection) else None


def _driver_error(conn: Connection, statement: str, exc: psycopg.Error) -> StatementError:
    """A driver error as SQLAlchemy's wrapper, as a statement run through `conn` would raise."""
    return DBAPIError.instance(statement, None, exc, psycopg.Error, dialect=conn.dialect)


def idle(driver: psycopg.Connection[Any]) -> bool:
    """Whether no transaction is open on the server for `driver`."""
    return driver.pgconn.transaction_status == pq.TransactionStatus.IDLE


def begin_and_fetch_first(
    conn: Connection, driver: psycopg.Connection[Any], sql: str
) -> tuple[str | None, ...] | None:
    """``BEGIN; `` + the parameterless query `sql` as one message; its first row as text.

    The libpq call waits without holding the GIL; it leaves the transaction open on the server,
    so the driver sends no BEGIN of its own and commits or rolls back as usual.
    """
    result = driver.pgconn.exec_(b"BEGIN; " + sql.encode())
    if result.status != pq.ExecStatus.TUPLES_OK:
        raise _driver_error(conn, sql, psycopg.errors.error_from_result(result))
    if result.ntuples == 0:
        return None
    return tuple(
        None if value is None else value.decode()
        for value in (result.get_value(0, column) for column in range(result.nfields))
    )


@contextmanager
def raw_cursors(driver: psycopg.Connection[Any]) -> Iterator[None]:
    """Within the block, statements sent on `driver` take ``$n`` placeholders as they are."""
    factory = driver.cursor_factory
    driver.cursor_factory = psycopg.RawCursor
    try:
        yield
    finally:
        driver.cursor_factory = factory
