"""Helpers for the connector tests: test databases, locations, and a statement counter."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from kojin.datamap.model import (
    Collection,
    Dataset,
    FileFormat,
    Location,
    MapField,
    StoreKind,
    System,
)

SERVERS = {
    "postgresql": ("KOJIN_TEST_DATABASE_URL", "PostgreSQL"),
    "mariadb": ("KOJIN_TEST_MARIADB_URL", "MariaDB"),
}


@dataclass(frozen=True)
class Database:
    """A database to test in: its URL, the schema of this test (None on SQLite), its kind."""

    url: str
    schema: str | None
    kind: str

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url)

    def run(self, *statements: sa.Executable) -> None:
        engine = self.engine()
        try:
            with engine.begin() as conn:
                for statement in statements:
                    conn.execute(statement)
        finally:
            engine.dispose()


def server_url(kind: str) -> str:
    """The URL of a server kind from its KOJIN_TEST_* variable; skips when unset."""
    variable, name = SERVERS[kind]
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set: this variant needs a {name} server")
    return url


def sql_location(
    table: str, fields: Sequence[MapField], *, schema: str | None = None, system: str = "store"
) -> Location:
    """A location for a table of a test database (dataset ``ds``)."""
    collection = Collection(name=table, fields=tuple(fields))
    dataset = Dataset(key="ds", schema_name=schema, collections=(collection,))
    return Location(
        System(key=system, store=StoreKind.SQL, datasets=(dataset,)), dataset, collection
    )


def file_location(name: str, path: str, fmt: FileFormat, fields: Sequence[MapField]) -> Location:
    """A location for a files collection (dataset ``files``)."""
    collection = Collection(name=name, path=path, format=fmt, fields=tuple(fields))
    dataset = Dataset(key="files", collections=(collection,))
    system = System(key="exports", store=StoreKind.FILES, datasets=(dataset,))
    return Location(system, dataset, collection)


def pk(name: str, data_type: str | None = None) -> MapField:
    return MapField(name=name, primary_key=True, data_type=data_type)


def plain(name: str, data_type: str | None = None) -> MapField:
    return MapField(name=name, data_type=data_type)


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[tuple[str, bool]]]:
    """Every statement sent to the database meanwhile, with whether it was an executemany."""
    seen: list[tuple[str, bool]] = []

    def before(
        conn: object,
        cursor: object,
        statement: str,
        parameters: object,
        context: object,
        executemany: bool,
    ) -> None:
        seen.append((statement, executemany))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
