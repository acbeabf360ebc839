"""PreparedInsert stores exactly what SQLAlchemy's own ``insert`` stores, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, func, insert, select, text

from kojin.audit.models import AuditEntry
from kojin.db.base import UTCDateTime
from kojin.db.uow import Database
from kojin.db.writes import PreparedInsert
from kojin.registry.decisions.models import DecisionRecord

_decisions = cast(Table, DecisionRecord.__table__)
_entries = cast(Table, AuditEntry.__table__)

TOKYO = timezone(timedelta(hours=9))


def _decision_row(decision_id: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": decision_id,
        "created_at": datetime(2026, 11, 29, 19, 30, 1, 123456, tzinfo=TOKYO),
        "actor": "token:abc",
        "subject_id": None,
        "action": "use",
        "category": "顧客",
        "allowed": True,
        "request": {"category": "顧客", "nested": {"list": [1, 2.5, None, True]}},
        "facts": {},
        "decision": {"text": '引用 "quoted" \\ back', "n": 10**15},
        "audit_seq": 7,
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"subject_id": "f" * 32, "allowed": False},
        {"created_at": datetime(2026, 1, 1, tzinfo=UTC)},
    ],
)
def test_rows_read_back_the_same_as_through_sqlalchemy_insert(
    database: Database, changes: dict[str, Any]
) -> None:
    with database.uow() as session:
        conn = session.connection()
        conn.execute(insert(_decisions), [_decision_row("a" * 32, **changes)])
        PreparedInsert(_decisions).execute(conn, [_decision_row("b" * 32, **changes)])
    with database.read() as session:
        conn = session.connection()
        typed = {row.id: row._asdict() for row in conn.execute(select(_decisions))}
        # the raw stored text too, so that a different encoding of the same value is caught
        raw = {
            row[0]: tuple(str(value) for value in row[1:])
            for row in conn.execute(
                text(
                    "SELECT id, CAST(created_at AS VARCHAR(64)), CAST(request AS TEXT), "
                    "CAST(decision AS TEXT), CAST(allowed AS VARCHAR(8)) FROM decisions"
                )
            )
        }
    old, new = typed.pop("a" * 32), typed.pop("b" * 32)
    assert {**old, "id": None} == {**new, "id": None}
    assert raw["a" * 32] == raw["b" * 32]


def test_many_rows_in_one_call_and_none_for_no_rows(database: Database) -> None:
    prepared = PreparedInsert(_decisions)
    with database.uow() as session:
        prepared.execute(session.connection(), [])
        prepared.execute(session.connection(), [_decision_row(f"{i:032x}") for i in range(50)])
    with database.read() as session:
        count = session.execute(select(func.count()).select_from(_decisions)).scalar_one()
    assert count == 50


def test_a_row_missing_a_column_is_refused_by_name(database: Database) -> None:
    row = _decision_row("c" * 32)
    del row["facts"]
    with pytest.raises(KeyError, match="facts"), database.uow() as session:
        PreparedInsert(_decisions).execute(session.connection(), [row])


def test_columns_whose_names_need_quoting_and_escaping(database: Database) -> None:
    odd = Table(
        "kojin_odd_names",
        MetaData(),
        Column("odd name", Integer, primary_key=True),
        Column("p(x)", JSON),
        Column("when%", UTCDateTime),
    )
    when = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    with database.uow() as session:
        conn = session.connection()
        odd.create(conn)
        PreparedInsert(odd).execute(conn, [{"odd name": 1, "p(x)": {"a": [1]}, "when%": when}])
        row = conn.execute(select(odd)).one()
        odd.drop(conn)
    assert tuple(row) == (1, {"a": [1]}, when)
