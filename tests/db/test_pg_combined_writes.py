"""Fewer PostgreSQL round trips per audited group: the head lock travels with BEGIN, and a
group's writes (audit entries, head, decisions, provisions) go as one statement; the rows, the
chain and the error behaviour stay those of one statement per write (R-PM audit trail)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
import pytest
from psycopg import pq
from sqlalchemy import Table, create_engine, event, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.exc import OperationalError

from kojin.audit import append_entry, verify_chain
from kojin.audit.models import HEAD_ID, AuditEntry, AuditHead
from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries, lock_chain
from kojin.db import writes as writes_module
from kojin.db.uow import Database
from kojin.db.writes import PreparedInsert, WriteBatch
from kojin.law.decision_schemas import DecisionRequest
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import decide_batch
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.provisions.models import ProvisionRecord

_decisions = cast(Table, DecisionRecord.__table__)
_head = cast(Table, AuditHead.__table__)
_MOVE_HEAD = update(_head).where(_head.c.id == HEAD_ID)

_PROVIDE = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "recipient": {"country": "JP", "relation": "third_party"},
    "consent": {"given": True},
}
_USE = {"action": "use", "category": "customer", "purpose": "provide_services"}


def _decision_row(decision_id: str, n: int) -> dict[str, Any]:
    return {
        "id": decision_id,
        "created_at": datetime(2026, 11, 29, 10, 0, n, tzinfo=UTC),
        "actor": "t",
        "subject_id": None,
        "action": "use",
        "category": "顧客 %s %(x)s",  # placeholders and '%' in values stay data
        "allowed": n % 2 == 0,
        "request": {"n": n, "text": 'q "x" \\'},
        "facts": {},
        "decision": {"list": [1, None, True]},
        "audit_seq": n,
    }


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[Database]:
    database = Database.from_url(pg_url)
    yield database
    database.dispose()


def _statements(database: Database) -> list[tuple[str, Any]]:
    """Record every statement SQLAlchemy sends on `database`'s engine."""
    seen: list[tuple[str, Any]] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    return seen


def test_batched_rows_read_back_as_directly_inserted_rows(database: Database) -> None:
    rows = [_decision_row(f"{n:032x}", n) for n in range(1, 6)]
    with database.uow() as session:
        conn = session.connection()
        conn.execute(insert(_decisions), [{**row, "id": "d" + row["id"][1:]} for row in rows])
        batch = WriteBatch(conn)
        batch.insert(PreparedInsert(_decisions), rows)
        batch.execute(_MOVE_HEAD, {"seq": 5, "hash": "ab" * 32})
        batch.flush()
    with database.read() as session:
        stored = {r.id: r._asdict() for r in session.connection().execute(select(_decisions))}
        head = session.connection().execute(select(_head.c.seq, _head.c.hash)).one()
    assert len(stored) == 10
    for row in rows:
        direct = stored["d" + row["id"][1:]]
        batched = stored[row["id"]]
        assert {**batched, "id": None} == {**direct, "id": None}
    assert (head.seq, head.hash) == (5, "ab" * 32)


def test_postgres_group_writes_are_one_statement(pg_database: Database) -> None:
    policy = to_facts(load_policy(None))
    requests = [DecisionRequest.model_validate(body) for body in (_USE, _PROVIDE) * 3]
    seen = _statements(pg_database)
    with pg_database.uow() as session:
        recorded = decide_batch(session=session, requests=requests, policy=policy, actor="t")
    assert sum(len(r.provision_ids) for r in recorded) == 3
    [(sql, _params)] = seen
    assert sql.startswith("WITH ")
    for table in ("audit_entries", "audit_head", "decisions", "provision_records"):
        assert table in sql
    with pg_database.read() as session:
        assert verify_chain(session=session).ok
        count = session.execute(select(ProvisionRecord.id)).all()
        assert len(count) == 3


def test_combined_writes_split_past_the_parameter_limit(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writes_module, "_MAX_PARAMETERS", 30)
    monkeypatch.setattr(writes_module, "_MAX_COMBINED_PARAMETERS", 60)
    rows = [_decision_row(f"{n:032x}", n) for n in range(20)]
    seen = _statements(pg_database)
    with pg_database.uow() as session:
        batch = WriteBatch(session.connection())
        batch.insert(PreparedInsert(_decisions), rows)
        batch.flush()
    columns = len(_decisions.columns)
    per_insert = 30 // columns  # rows per multi-row INSERT
    inserts = -(-len(rows) // per_insert)
    per_statement = 60 // (per_insert * columns)
    assert len(seen) == -(-inserts // per_statement)
    assert all(len(params) <= 60 for _sql, params in seen)
    with pg_database.read() as session:
        stored = {r.id: r.request for r in session.execute(select(DecisionRecord)).scalars()}
    assert stored == {row["id"]: row["request"] for row in rows}


def _append_then_insert(database: Database, row: dict[str, Any]) -> None:
    event = AuditEvent(actor="t", action="x", object_type="t", object_id="1", details={})
    with database.uow() as session:
        batch = WriteBatch(session.connection())
        append_entries(session=session, events=[event, event], writes=batch)
        batch.insert(PreparedInsert(_decisions), [row])
        batch.flush()


def test_a_failing_write_fails_the_whole_group(database: Database) -> None:
    row = _decision_row("e" * 32, 1)
    with database.uow() as session:
        session.connection().execute(insert(_decisions), [row])
    with pytest.raises(SAIntegrityError):
        _append_then_insert(database, row)  # duplicate primary key
    with database.read() as session:
        assert session.execute(select(AuditEntry.seq)).all() == []
        assert session.execute(select(_head.c.seq)).scalar_one() == 0
        assert verify_chain(session=session).ok


def test_lock_sent_with_begin_holds_until_commit(pg_database: Database, pg_url: str) -> None:
    other = create_engine(pg_url)
    try:
        with pg_database.uow() as session:
            lock_chain(session=session)
            driver = session.connection().connection.dbapi_connection
            assert isinstance(driver, psycopg.Connection)
            assert driver.pgconn.transaction_status == pq.TransactionStatus.INTRANS
            with pytest.raises(OperationalError) as caught, other.connect() as conn:
                conn.execute(text("SELECT seq FROM audit_head FOR UPDATE NOWAIT"))
            assert isinstance(caught.value.orig, psycopg.errors.LockNotAvailable)
        with other.connect() as conn:  # committed: the lock is free again
            assert conn.execute(text("SELECT seq FROM audit_head FOR UPDATE NOWAIT")).one()
    finally:
        other.dispose()


def test_lock_wait_errors_are_sqlalchemy_errors_and_leave_no_trace(
    pg_database: Database, pg_url: str
) -> None:
    url = make_url(pg_url)
    options = f"{url.query['options']} -clock_timeout=200"
    impatient = Database.from_url(
        url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    )
    try:
        with pg_database.uow() as holder:
            lock_chain(session=holder)
            with pytest.raises(OperationalError) as caught, impatient.uow() as session:
                append_entry(session=session, actor="t", action="x", object_type="t", object_id="1")
            assert isinstance(caught.value.orig, psycopg.errors.LockNotAvailable)
        with impatient.uow() as session:  # the failed connection is usable again
            assert (
                append_entry(
                    session=session, actor="t", action="x", object_type="t", object_id="2"
                ).seq
                == 1
            )
        with impatient.read() as session:
            assert verify_chain(session=session).ok
    finally:
        impatient.dispose()
