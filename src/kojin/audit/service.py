"""Append to, verify and export the audit chain.

Appends are serialized: each one locks the chain-head row (``SELECT … FOR UPDATE`` on PostgreSQL;
on SQLite the write transaction already holds the database lock from ``BEGIN IMMEDIATE``), so
concurrent writers queue and the chain never forks. The entries are written in the caller's
transaction: they become durable together with the change they describe.

On PostgreSQL an append costs two round trips: the lock (sent with the transaction's ``BEGIN``
when it opens the transaction) and one statement for the inserts and the head update, which a
caller can share with its own writes by passing a :class:`~kojin.db.writes.WriteBatch`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, Any, cast

from sqlalchemy import Row, Table, select, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from kojin.audit.canonical import canonical_json, entry_body, entry_hash
from kojin.audit.checkpoints import Checkpoint, expected_hashes
from kojin.audit.models import HEAD_ID, AuditEntry, AuditHead
from kojin.audit.schemas import AppendedEntry, AuditEvent, VerifyResult
from kojin.audit.verify import body_of, walk_chain
from kojin.db.base import utcnow
from kojin.db.writes import PreparedInsert, WriteBatch, begin_and_fetch_first
from kojin.errors import IntegrityError

_entries = cast(Table, AuditEntry.__table__)
_head = cast(Table, AuditHead.__table__)

_LOCK_HEAD = select(_head.c.seq, _head.c.hash).where(_head.c.id == HEAD_ID).with_for_update()
_MOVE_HEAD = update(_head).where(_head.c.id == HEAD_ID)
_INSERT = PreparedInsert(_entries)
#: the lock query as SQL text (its one parameter inlined), by dialect name
_LOCK_HEAD_SQL: dict[str, str] = {}

#: rows fetched per round trip while verifying or exporting
_BATCH = 2_000


def lock_chain(*, session: Session) -> None:
    """Take the chain-head lock now (it is held until the transaction ends).

    Appends take it anyway; call this first when a transaction must read and decide under the
    lock, e.g. a check-then-append that must not race with another writer.
    """
    _locked_head(session.connection())


def _lock_head_sql(dialect: Dialect) -> str:
    sql = _LOCK_HEAD_SQL.get(dialect.name)
    if sql is None:
        compiled = _LOCK_HEAD.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        sql = _LOCK_HEAD_SQL[dialect.name] = compiled.string
    return sql


def _locked_head(conn: Connection) -> tuple[int, str]:
    """Lock the chain-head row and return its seq and hash."""
    head = begin_and_fetch_first(conn, _lock_head_sql(conn.dialect))
    if head is None:
        raise IntegrityError("audit chain head row is missing: run `kojin db upgrade`")
    seq, digest = head  # typed on SQLite; text on PostgreSQL when sent with BEGIN
    return int(seq), str(digest)


def append_entries(
    *,
    session: Session,
    events: Sequence[AuditEvent],
    now: datetime | None = None,
    writes: WriteBatch | None = None,
) -> list[AppendedEntry]:
    """Append `events` in order under one head lock and return their seq numbers and hashes.

    With `writes`, the entry inserts and the head update join that batch and reach the
    database when its owner flushes it, which must happen before the transaction commits and
    before any further append in it (the next append reads the head this one moves); without,
    they are written before this returns.
    """
    if not events:
        return []
    # Core statements on the session's connection (the ORM layer adds nothing here but time),
    # the insert precompiled: see PreparedInsert.
    conn = session.connection()
    seq, prev = _locked_head(conn)
    ts = now or utcnow()
    rows: list[dict[str, Any]] = []
    appended: list[AppendedEntry] = []
    for event in events:
        seq += 1
        details = dict(event.details)
        body = entry_body(
            seq=seq,
            ts=ts,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            details=details,
            prev_hash=prev,
        )
        digest = entry_hash(body)
        rows.append(
            {
                "seq": seq,
                "ts": ts,
                "actor": event.actor,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "details": details,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        appended.append(AppendedEntry(seq=seq, hash=digest))
        prev = digest
    batch = writes if writes is not None else WriteBatch(conn)
    batch.insert(_INSERT, rows)
    batch.execute(_MOVE_HEAD, {"seq": seq, "hash": prev})
    if writes is None:
        batch.flush()
    return appended


def append_entry(
    *,
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: Mapping[str, Any] | None = None,
    reference: str | None = None,
    now: datetime | None = None,
) -> AppendedEntry:
    """Chain one change: flush the caller's pending ORM changes, then append the entry.

    The flush writes what the entry describes first (new rows get their constraints checked
    before the chain moves), and the entry commits together with it. `reference` (what caused
    the change, e.g. a request id) joins `details`; ids and codes only, never personal data.
    Returns the entry's seq and hash.
    """
    session.flush()
    merged = dict(details or {})
    if reference is not None:
        merged["reference"] = reference
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=merged,
    )
    return append_entries(session=session, events=[event], now=now)[0]


def _ordered_entries(session: Session) -> Iterator[Row[Any]]:
    """Every entry in seq order, streamed in batches as plain rows (no ORM objects)."""
    conn = session.connection().execution_options(yield_per=_BATCH)
    yield from conn.execute(select(_entries).order_by(_entries.c.seq))


def verify_chain(
    *,
    session: Session,
    on_progress: Callable[[int], None] | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> VerifyResult:
    """Walk the chain from the first entry and report the first entry that does not hold.

    Checks, per entry: consecutive seq from 1, prev_hash equal to the previous entry's hash, and
    the stored hash equal to the SHA-256 of its canonical body; at the end, the chain-head row
    must name the last entry. Edits, deletions, insertions and reordering are all detected; so
    is a stored value that cannot be read (reported, never raised). Each of `checkpoints` (whose
    signatures the caller has checked, see :func:`kojin.audit.checkpoints.read_checkpoints`)
    must name an entry the chain holds with that hash: this detects entries removed from the
    end with the head moved back, and a consistent rewrite of entries up to a checkpoint.
    """
    return walk_chain(
        session=session, on_progress=on_progress, expected=expected_hashes(checkpoints)
    )


def export_chain(*, session: Session, out: IO[bytes]) -> int:
    """Write every entry as one canonical JSON line (body plus ``hash``); returns the count.

    Each line is the hashed body with its ``hash`` added, so an auditor recomputes the chain
    with the standard library (see docs/registry.md).
    """
    count = 0
    for entry in _ordered_entries(session):
        line = body_of(entry)
        line["hash"] = entry.hash
        out.write(canonical_json(line) + b"\n")
        count += 1
    return count
