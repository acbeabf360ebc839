"""Fixtures for the connector tests: a database of each kind with a schema of its own.

``database`` is parametrized over SQLite (a file per test), PostgreSQL (KOJIN_TEST_DATABASE_URL)
and MariaDB (KOJIN_TEST_MARIADB_URL); on a server each test gets a fresh, uniquely named schema
(a MariaDB database) that is dropped afterwards. Server variants skip, saying which variable to
set, when theirs is unset.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from connector_support import Database, server_url

from company.stores import drop_schema, new_schema


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    kind = str(request.param)
    if kind == "sqlite":
        yield Database(f"sqlite:///{(tmp_path / 'store.sqlite3').as_posix()}", None, kind)
        return
    url = server_url(kind)
    schema = new_schema(url, "kojin_conn")
    assert schema is not None
    try:
        yield Database(url, schema, kind)
    finally:
        drop_schema(url, schema)
