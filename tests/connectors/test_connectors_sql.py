"""SqlConnector on SQLite, PostgreSQL and MariaDB: set-based reads, guarded writes, errors."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import cast

import pytest
import sqlalchemy as sa
from connector_support import Database, pk, plain, sql_location, statements

from kojin.connectors.base import Row, RowChange
from kojin.connectors.sql import SqlConnector
from kojin.datamap.model import Location
from kojin.errors import ConfigurationError, ConflictError, InputError, KojinError

PEOPLE = [
    (1, "hanako.yamada@example.jp", "090-1234-5678", 10),
    (2, "HANAKO.YAMADA@Example.JP", "080-0000-0002", 20),
    (3, "taro.yamada@example.jp", "090-1234-5678", 30),
    (4, "someone@example.com", "080-0000-0004", 40),
    (5, "other@example.com", "080-0000-0005", 50),
]


def _people(database: Database, name: str = "people") -> Location:
    metadata = sa.MetaData(schema=database.schema)
    table = sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("points", sa.Integer),
    )
    engine = database.engine()
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                table.insert(),
                [dict(zip(("id", "email", "phone", "points"), p, strict=True)) for p in PEOPLE],
            )
    finally:
        engine.dispose()
    fields = [pk("id"), plain("email"), plain("phone"), plain("points")]
    return sql_location(name, fields, schema=database.schema)


@pytest.fixture
def connector(database: Database) -> Iterator[SqlConnector]:
    made = SqlConnector(database.url)
    yield made
    made.close()


def _ids(rows: list[Row]) -> list[int]:
    return sorted(cast(int, r["id"]) for r in rows)


def test_fetch_is_one_select_with_or_across_columns_and_casefold(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    # first connection: dialect set-up queries (on MariaDB, the e-mail column's collation)
    connector.fetch(location, {"email": {"nobody@example.jp"}}, casefold={"email"})
    with statements(connector.engine) as seen:
        rows = connector.fetch(
            location,
            {"email": {"Hanako.Yamada@example.jp"}, "phone": {"090-1234-5678"}},
            casefold={"email"},
        )
    assert _ids(rows) == [1, 2, 3]
    assert len(seen) == 1
    sql = seen[0][0].lower()
    assert sql.startswith("select")
    assert " or " in sql
    # a case-insensitive MariaDB collation compares the bare column (its index serves); the
    # other databases compare lower(column)
    assert ("lower(" in sql) is (database.kind != "mariadb")
    assert "hanako" not in sql  # values are bound, never part of the statement
    assert rows[0].keys() == {"id", "email", "phone", "points"}


def test_fetch_without_casefold_compares_exactly(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    rows = connector.fetch(location, {"email": {"HANAKO.YAMADA@Example.JP"}})
    # MariaDB's default collation compares text without case; the others compare exactly
    assert _ids(rows) == ([1, 2] if database.kind == "mariadb" else [2])


def test_fetch_finds_nothing_without_values(database: Database, connector: SqlConnector) -> None:
    location = _people(database)
    with statements(connector.engine) as seen:
        assert connector.fetch(location, {"email": set(), "phone": {None}}) == []
    assert seen == []


def test_fetch_matches_text_values_against_integer_columns(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    assert _ids(connector.fetch(location, {"id": {"2", 4}})) == [2, 4]


def test_fetch_splits_only_past_the_parameter_limit(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    connector.fetch(location, {"id": {0}})
    many = set(range(100, 40_100)) | {1, 5}
    with statements(connector.engine) as seen:
        rows = connector.fetch(location, {"id": many})
    assert _ids(rows) == [1, 5]
    assert len(seen) == (2 if database.kind == "sqlite" else 1)
    connector.parameter_limit = 2
    with statements(connector.engine) as seen:
        rows = connector.fetch(location, {"id": {1, 2, 3}, "phone": {"090-1234-5678"}})
    assert _ids(rows) == [1, 2, 3]  # row 1 and 3 match in two chunks, returned once
    assert len(seen) == 2


def test_fetch_converts_values_to_json_scalars(database: Database) -> None:
    metadata = sa.MetaData(schema=database.schema)
    table = sa.Table(
        "typed",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("day", sa.Date),
        sa.Column("at", sa.DateTime),
        sa.Column("amount", sa.Numeric(10, 2)),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("flag", sa.Boolean),
    )
    engine = database.engine()
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                table.insert(),
                {
                    "id": 1,
                    "day": date(2024, 2, 29),
                    "at": datetime(2024, 3, 1, 9, 30, 5),
                    "amount": Decimal("1234.50"),
                    "blob": b"\x00\xffkojin",
                    "flag": True,
                },
            )
    finally:
        engine.dispose()
    fields = [pk("id"), plain("day", "date"), plain("at", "timestamp"), plain("amount")]
    connector = SqlConnector(database.url)
    try:
        (row,) = connector.fetch(sql_location("typed", fields, schema=database.schema), {"id": {1}})
    finally:
        connector.close()
    assert row["day"] == "2024-02-29"
    assert row["at"] == "2024-03-01T09:30:05"
    assert row["amount"] in ("1234.50", 1234.5)  # SQLite keeps no decimal type
    assert row["blob"] == base64.b64encode(b"\x00\xffkojin").decode()
    assert row["flag"] in (True, 1)  # SQLite and MariaDB store booleans as integers


def test_update_shares_one_statement_and_is_guarded(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    connector.fetch(location, {"id": {0}})
    changes = [RowChange((i,), {"phone": None, "points": 0}) for i in (1, 2, 3)]
    with statements(connector.engine) as seen:
        assert connector.update(location, changes) == 3
    assert [(s.split()[0].upper(), many) for s, many in seen] == [("UPDATE", False)]
    assert "090-1234-5678" not in seen[0][0]
    assert connector.update(location, changes) == 0  # already holds the new values
    rows = connector.fetch(location, {"id": {1, 2, 3, 4}})
    assert {r["id"]: (r["phone"], r["points"]) for r in rows} == {
        1: (None, 0),
        2: (None, 0),
        3: (None, 0),
        4: ("080-0000-0004", 40),
    }


def test_update_with_values_of_their_own_is_one_executemany(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    connector.fetch(location, {"id": {0}})
    changes = [
        RowChange((1,), {"email": "token-1"}),
        RowChange((2,), {"email": "token-2"}),
        RowChange((5,), {"email": "other@example.com"}),  # unchanged: not written
    ]
    with statements(connector.engine) as seen:
        assert connector.update(location, changes) == 2
    assert len(seen) == 1
    assert seen[0][1] is True
    assert connector.update(location, changes) == 0
    rows = connector.fetch(location, {"id": {1, 2, 5}})
    assert {r["id"]: r["email"] for r in rows} == {
        1: "token-1",
        2: "token-2",
        5: "other@example.com",
    }


def test_text_into_an_integer_column_is_converted_or_refused(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    assert connector.update(location, [RowChange((4,), {"points": "0"})]) == 1
    assert connector.fetch(location, {"id": {4}})[0]["points"] == 0
    if database.kind == "sqlite":
        # SQLite keeps what it cannot convert (dynamic typing); the map's type refuses it
        typed = sql_location(
            "people",
            [pk("id"), plain("points", "integer")],
            schema=database.schema,
        )
        with pytest.raises(InputError) as refused:
            connector.update(typed, [RowChange((4,), {"points": "zwölf-secret"})])
    else:
        with pytest.raises(InputError) as refused:
            connector.update(location, [RowChange((4,), {"points": "zwölf-secret"})])
    assert "ds.people" in refused.value.message
    assert "points" in refused.value.message
    assert "zwölf" not in str(refused.value)
    assert refused.value.__cause__ is None
    assert connector.fetch(location, {"id": {4}})[0]["points"] == 0


def test_an_integer_into_a_text_column_is_converted(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    assert connector.update(location, [RowChange((5,), {"phone": 1234})]) == 1
    assert str(connector.fetch(location, {"id": {5}})[0]["phone"]) == "1234"
    assert connector.update(location, [RowChange((5,), {"phone": 1234})]) == 0


def test_delete_by_composite_keys(database: Database, connector: SqlConnector) -> None:
    metadata = sa.MetaData(schema=database.schema)
    table = sa.Table(
        "order-lines",  # needs quoting; so does the reserved word "group"
        metadata,
        sa.Column("order_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("group", sa.String(20)),
    )
    database.run(sa.schema.CreateTable(table))
    database.run(
        table.insert().values(
            [{"order_id": o, "line": n, "group": "g"} for o in (1, 2) for n in (1, 2)]
        )
    )
    location = sql_location(
        "order-lines", [pk("order_id"), pk("line"), plain("group")], schema=database.schema
    )
    connector.fetch(location, {"line": {0}})
    with statements(connector.engine) as seen:
        assert connector.delete(location, [(1, 2), (2, 1), (9, 9), (1, 2)]) == 2
    assert len(seen) == 1
    assert seen[0][0].upper().startswith("DELETE")
    assert connector.delete(location, [(1, 2), (2, 1)]) == 0
    rows = connector.fetch(location, {"group": {"g"}})
    assert sorted((str(r["order_id"]), str(r["line"])) for r in rows) == [("1", "1"), ("2", "2")]
    assert connector.update(location, [RowChange((1, 1), {"group": "h"})]) == 1


def test_a_row_key_of_the_wrong_length_is_refused(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    with pytest.raises(InputError, match="primary key"):
        connector.delete(location, [(1, 2)])


def test_a_collection_without_primary_key_cannot_be_changed(
    database: Database, connector: SqlConnector
) -> None:
    _people(database)
    location = sql_location("people", [plain("id"), plain("email")], schema=database.schema)
    with pytest.raises(InputError, match="no primary key"):
        connector.update(location, [RowChange((1,), {"email": None})])


def test_a_write_breaking_a_constraint_is_a_conflict_and_rolls_back(
    database: Database, connector: SqlConnector
) -> None:
    location = _people(database)
    changes = [
        RowChange((1,), {"phone": None}),
        RowChange((2,), {"email": None}),  # NOT NULL column
    ]
    with pytest.raises((ConflictError, InputError)) as refused:
        connector.update(location, changes)
    assert "hanako" not in str(refused.value).lower()
    assert connector.fetch(location, {"id": {1}})[0]["phone"] == "090-1234-5678"


def test_an_unknown_table_names_the_location_not_the_values(
    database: Database, connector: SqlConnector
) -> None:
    location = sql_location("no_such_table", [pk("id")], schema=database.schema)
    with pytest.raises(KojinError) as failed:
        connector.fetch(location, {"id": {"secret-value-42"}})
    assert "ds.no_such_table" in failed.value.message
    assert "secret-value-42" not in str(failed.value)


def test_an_unreachable_server_hides_the_password() -> None:
    connector = SqlConnector(
        "postgresql+psycopg://kojin:hunter2-pass@127.0.0.1:1/none?connect_timeout=2"
    )
    location = sql_location("t", [pk("id")])
    try:
        with pytest.raises(ConfigurationError) as failed:
            connector.fetch(location, {"id": {1}})
    finally:
        connector.close()
    assert "unreachable" in failed.value.message
    assert "store" in failed.value.message
    assert "hunter2" not in str(failed.value)
    assert failed.value.__cause__ is None
    assert failed.value.__suppress_context__


def test_a_bad_url_is_a_configuration_error_without_the_url() -> None:
    with pytest.raises(ConfigurationError) as failed:
        SqlConnector("nosuchdb+driver://user:hunter2-pass@host/db")
    assert "hunter2" not in str(failed.value)
    assert "host" not in str(failed.value)


def test_close_disposes_the_pool(database: Database) -> None:
    connector = SqlConnector(database.url)
    location = _people(database, name=f"p_{uuid.uuid4().hex[:6]}")
    connector.fetch(location, {"id": {1}})
    pool = connector.engine.pool
    assert isinstance(pool, sa.pool.QueuePool)
    assert pool.checkedin() >= 1
    connector.close()
    assert connector.engine.pool.checkedin() == 0  # type: ignore[attr-defined]


def test_lookup_values_that_do_not_fit_the_map_type_match_nothing(
    database: Database, connector: SqlConnector
) -> None:
    _people(database)
    typed = sql_location(
        "people", [pk("id", "integer"), plain("points", "integer")], schema=database.schema
    )
    rows = connector.fetch(typed, {"id": {"C0001", "3"}, "points": {"many"}})
    assert _ids(rows) == [3]
    assert connector.delete(typed, [("C0001",)]) == 0


def test_a_timestamp_written_twice_is_written_once(database: Database) -> None:
    metadata = sa.MetaData(schema=database.schema)
    table = sa.Table(
        "visits",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime),
    )
    database.run(sa.schema.CreateTable(table), table.insert().values(id=1, at=datetime(2020, 1, 1)))
    location = sql_location("visits", [pk("id"), plain("at", "timestamp")], schema=database.schema)
    connector = SqlConnector(database.url)
    try:
        change = [RowChange((1,), {"at": "2024-03-01T09:30:05"})]
        assert connector.update(location, change) == 1
        assert connector.update(location, change) == 0
        assert connector.fetch(location, {"id": {1}})[0]["at"] == "2024-03-01T09:30:05"
    finally:
        connector.close()
