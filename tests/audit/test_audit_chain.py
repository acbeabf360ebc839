"""The audit chain: appends link up, every kind of tampering is detected, concurrent writers
never fork the chain (R-PM audit trail; registry and decisions are chained)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Table, delete, insert, select, text, update

from kojin.audit import AuditEvent, append_entries, append_entry, verify_chain
from kojin.audit.canonical import canonical_json, entry_body, entry_hash
from kojin.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from kojin.db.uow import Database

ENTRIES = cast(Table, AuditEntry.__table__)
HEAD = cast(Table, AuditHead.__table__)


def _fill(database: Database, count: int = 5) -> None:
    with database.uow() as session:
        for n in range(count):
            append_entry(
                session=session,
                actor="tester",
                action="test.event",
                object_type="thing",
                object_id=f"id-{n}",
                details={"n": n, "hash": "ab" * 8},
            )


def test_appends_link_and_verify(database: Database) -> None:
    _fill(database, 5)
    with database.read() as session:
        result = verify_chain(session=session)
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
    assert result.ok, result.reason
    assert result.checked == 5
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert result.head_hash == rows[-1].hash


def test_empty_chain_verifies(database: Database) -> None:
    with database.read() as session:
        result = verify_chain(session=session)
    assert result.ok
    assert result.checked == 0


def test_batch_append_is_one_chain(database: Database) -> None:
    events = [
        AuditEvent(actor="a", action="x", object_type="t", object_id=str(i)) for i in range(7)
    ]
    with database.uow() as session:
        appended = append_entries(session=session, events=events)
    assert [e.seq for e in appended] == list(range(1, 8))
    with database.read() as session:
        assert verify_chain(session=session).ok


def test_rolled_back_append_leaves_no_trace(database: Database) -> None:
    _fill(database, 2)

    def aborted() -> None:
        with database.uow() as session:
            append_entry(session=session, actor="a", action="x", object_type="t", object_id="1")
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        aborted()
    _fill(database, 1)
    with database.read() as session:
        result = verify_chain(session=session)
    assert result.ok
    assert result.checked == 3


def _valid_forged_row(conn: Connection, *, seq: int, prev_hash: str) -> dict[str, Any]:
    ts = datetime(2026, 1, 1, tzinfo=UTC)
    body = entry_body(
        seq=seq,
        ts=ts,
        actor="mallory",
        action="test.event",
        object_type="thing",
        object_id="forged",
        details={},
        prev_hash=prev_hash,
    )
    return {**body, "ts": ts, "hash": entry_hash(body)}


def _hash_of(conn: Connection, seq: int) -> str:
    return str(conn.execute(select(ENTRIES.c.hash).where(ENTRIES.c.seq == seq)).scalar_one())


def _edit_actor(conn: Connection) -> None:
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == 3).values(actor="mallory"))


def _edit_details(conn: Connection) -> None:
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == 3).values(details={"n": 99}))


def _edit_timestamp(conn: Connection) -> None:
    ts = datetime(2020, 1, 1, tzinfo=UTC)
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == 3).values(ts=ts))


def _edit_and_rehash(conn: Connection) -> None:
    row = conn.execute(select(ENTRIES).where(ENTRIES.c.seq == 3)).mappings().one()
    body = entry_body(
        seq=3,
        ts=row["ts"],
        actor="mallory",
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        details=row["details"],
        prev_hash=row["prev_hash"],
    )
    new_hash = entry_hash(body)
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == 3).values(actor="mallory", hash=new_hash))


def _delete_middle(conn: Connection) -> None:
    conn.execute(delete(ENTRIES).where(ENTRIES.c.seq == 3))


def _delete_first(conn: Connection) -> None:
    conn.execute(delete(ENTRIES).where(ENTRIES.c.seq == 1))


def _delete_last(conn: Connection) -> None:
    conn.execute(delete(ENTRIES).where(ENTRIES.c.seq == 5))


def _delete_all(conn: Connection) -> None:
    conn.execute(delete(ENTRIES))


def _insert_middle(conn: Connection) -> None:
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq >= 3).values(seq=ENTRIES.c.seq + 1000))
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq >= 1000).values(seq=ENTRIES.c.seq - 999))
    conn.execute(
        insert(ENTRIES).values(**_valid_forged_row(conn, seq=3, prev_hash=_hash_of(conn, 2)))
    )


def _insert_at_end(conn: Connection) -> None:
    conn.execute(
        insert(ENTRIES).values(**_valid_forged_row(conn, seq=6, prev_hash=_hash_of(conn, 5)))
    )


def _swap_two(conn: Connection) -> None:
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == 2).values(seq=-2))
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == 3).values(seq=2))
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == -2).values(seq=3))


def _swap_contents(conn: Connection) -> None:
    rows = {
        r["seq"]: dict(r)
        for r in conn.execute(select(ENTRIES).where(ENTRIES.c.seq.in_([2, 4]))).mappings()
    }
    for seq, other in ((2, 4), (4, 2)):
        values = {k: v for k, v in rows[other].items() if k != "seq"}
        conn.execute(update(ENTRIES).where(ENTRIES.c.seq == seq).values(**values))


def _edit_head(conn: Connection) -> None:
    conn.execute(update(HEAD).values(hash="f" * 64))


def _edit_prev_hash(conn: Connection) -> None:
    conn.execute(update(ENTRIES).where(ENTRIES.c.seq == 4).values(prev_hash="e" * 64))


TAMPERING: list[tuple[str, Callable[[Connection], None], int | None]] = [
    ("edit actor", _edit_actor, 3),
    ("edit details", _edit_details, 3),
    ("edit timestamp", _edit_timestamp, 3),
    ("edit and recompute own hash", _edit_and_rehash, 4),
    ("edit prev_hash", _edit_prev_hash, 4),
    ("delete middle", _delete_middle, 4),
    ("delete first", _delete_first, 2),
    ("delete last", _delete_last, 5),
    ("delete all", _delete_all, 1),
    ("insert in the middle", _insert_middle, 4),
    ("append without moving the head", _insert_at_end, 6),
    ("reorder two entries", _swap_two, 2),
    ("swap two entries' contents", _swap_contents, 2),
    ("edit chain head", _edit_head, 6),
]


@pytest.mark.parametrize(
    ("tamper", "first_bad"), [pytest.param(t, b, id=n) for n, t, b in TAMPERING]
)
def test_tampering_is_detected(
    database: Database, tamper: Callable[[Connection], None], first_bad: int | None
) -> None:
    _fill(database, 5)
    with database.engine.begin() as conn:
        tamper(conn)
    with database.read() as session:
        result = verify_chain(session=session)
    assert not result.ok
    assert result.first_bad_seq == first_bad
    assert result.reason


def test_concurrent_appends_never_fork(database: Database) -> None:
    threads, per_thread = 4, 15
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(per_thread):
                with database.uow() as session:
                    append_entry(
                        session=session,
                        actor=f"worker-{worker}",
                        action="test.concurrent",
                        object_type="thing",
                        object_id=str(n),
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    with database.read() as session:
        result = verify_chain(session=session)
        seqs = list(session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars())
    assert result.ok, result.reason
    assert seqs == list(range(1, threads * per_thread + 1))


def test_appends_wait_for_a_concurrent_writer(database: Database) -> None:
    """A second writer blocks on the head lock until the first commits, then links to it."""
    _fill(database, 1)
    first_holds_lock = threading.Event()
    release = threading.Event()
    seqs: list[int] = []

    def first() -> None:
        with database.uow() as session:
            seqs.append(
                append_entry(
                    session=session, actor="a", action="x", object_type="t", object_id="1"
                ).seq
            )
            first_holds_lock.set()
            release.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    assert first_holds_lock.wait(5)
    timer = threading.Timer(0.3, release.set)
    timer.start()
    with database.uow() as session:
        seqs.append(
            append_entry(session=session, actor="b", action="x", object_type="t", object_id="2").seq
        )
    thread.join()
    timer.join()
    assert sorted(seqs) == [2, 3]
    with database.read() as session:
        assert verify_chain(session=session).ok


def test_postgres_uses_row_lock_sql(pg_url: str) -> None:
    """On PostgreSQL the head is locked with SELECT … FOR UPDATE (serializes appends)."""
    from kojin.audit.service import _LOCK_HEAD

    db = Database.from_url(pg_url)
    try:
        compiled = str(_LOCK_HEAD.compile(dialect=db.engine.dialect))
        assert "FOR UPDATE" in compiled
        with db.engine.connect() as conn:
            assert conn.execute(text("select seq from audit_head")).scalar_one() == 0
    finally:
        db.dispose()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_canonical_json_matches_the_standard_library(payload: dict[str, Any]) -> None:
    expected = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(payload) == expected.encode("utf-8")
