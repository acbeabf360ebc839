"""Walking the audit chain: every link, the chain head, and the signed checkpoints it must hold.

The walk trusts nothing the database holds. Someone who can write to the tables may leave a cell
that does not decode (a ``details`` cell that is not JSON, a timestamp out of range), a NULL where
the schema had none, a value of the wrong type, or no head row at all: each is reported as a
corruption naming the entry, never raised. Entries are read in pages by seq; a page that cannot
be read is read again row by row, then column by column, to name the entry and the column.

On PostgreSQL the walk runs in one ``REPEATABLE READ`` snapshot when it opens the transaction, so
appends committed meanwhile never read as a head that names a missing entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from kojin.audit.canonical import entry_body, entry_hash
from kojin.audit.models import GENESIS_HASH, HEAD_ID, AuditEntry, AuditHead
from kojin.audit.schemas import VerifyResult

_entries = cast(Table, AuditEntry.__table__)
_head = cast(Table, AuditHead.__table__)

#: a stored entry as read (any column may hold anything)
_Entry = Row[*tuple[Any, ...]]

#: entries read per query
PAGE = 2_000
#: the text columns of an entry, in the order they are checked
_TEXT_COLUMNS = ("actor", "action", "object_type", "object_id", "prev_hash", "hash")
#: an entry's columns in the order :func:`_check_entry` unpacks them
_ROW = select(
    _entries.c.seq,
    _entries.c.ts,
    _entries.c.actor,
    _entries.c.action,
    _entries.c.object_type,
    _entries.c.object_id,
    _entries.c.details,
    _entries.c.prev_hash,
    _entries.c.hash,
)


@dataclass(frozen=True, slots=True)
class Expected:
    """A hash the chain must hold at `seq` (from a signed checkpoint), and how to name it."""

    seq: int
    hash: str
    label: str


class _BrokenError(Exception):
    """Stops the walk: `seq` (if known) is the first bad entry, `reason` says why."""

    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(reason)
        self.seq = seq
        self.reason = reason


def walk_chain(
    *,
    session: Session,
    on_progress: Callable[[int], None] | None = None,
    expected: Mapping[int, Expected] | None = None,
    start_seq: int = 0,
    start_hash: str = GENESIS_HASH,
) -> VerifyResult:
    """Walk the entries after `start_seq` (whose hash must be `start_hash`) to the chain head.

    Checks, per entry: every column readable and of its type, consecutive seq, prev_hash equal to
    the previous entry's hash, the stored hash equal to the SHA-256 of its canonical body, and
    the hash of each `expected` seq; at the end, the head row must name the last entry and no
    `expected` seq may lie beyond it. Returns the first problem found.
    """
    conn = _snapshot(session)
    wanted = dict(expected or {})
    checked = 0
    try:
        if start_seq > 0:
            _check_start(conn, start_seq, start_hash)
        else:
            _check_no_null_seq(conn)
        prev, seq = start_hash, start_seq
        if 0 in wanted and wanted[0].hash != GENESIS_HASH:
            raise _BrokenError(0, f"{wanted[0].label} names an empty chain with another hash")
        while True:
            rows, problem = _read_page(conn, after=seq)
            for row in rows:
                _check_entry(row, expected_seq=seq + 1, prev=prev, after=seq)
                seq, prev = row[0], row[8]
                mark = wanted.get(seq)
                if mark is not None and mark.hash != prev:
                    raise _BrokenError(
                        seq,
                        f"entry {seq} differs from {mark.label}: the chain was rewritten at or "
                        f"before entry {seq}",
                    )
                checked += 1
            if problem is not None:
                raise problem
            if on_progress is not None and rows:
                on_progress(len(rows))
            if len(rows) < PAGE:
                break
        head_seq, head_hash = _read_head(conn)
        beyond = sorted(s for s in wanted if s > seq)
        if beyond:
            first = wanted[beyond[0]]
            raise _BrokenError(
                first.seq,
                f"{first.label} is beyond the chain's end (last entry {seq}): entries were "
                "removed from the end",
            )
        if head_seq != seq or head_hash != prev:
            raise _BrokenError(
                seq + 1 if head_seq > seq else head_seq + 1,
                f"chain head names entry {head_seq} but the last entry is {seq}"
                if head_seq != seq
                else f"chain head hash does not match entry {seq}",
            )
    except _BrokenError as broken:
        return VerifyResult(
            ok=False,
            checked=checked,
            first_bad_seq=broken.seq,
            reason=broken.reason,
            checkpoints=len(wanted),
        )
    return VerifyResult(
        ok=True, checked=checked, head_seq=seq, head_hash=prev, checkpoints=len(wanted)
    )


def _snapshot(session: Session) -> Connection:
    """The session's connection; on PostgreSQL in one REPEATABLE READ snapshot when this call
    opens the transaction."""
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session.connection()


def _unreadable(exc: BaseException) -> str:
    """A neutral name for a failure to read (the exception's class, never its message, which
    may quote a stored value)."""
    return type(exc).__name__


def _check_start(conn: Connection, start_seq: int, start_hash: str) -> None:
    try:
        stored = conn.execute(
            select(_entries.c.hash).where(_entries.c.seq == start_seq)
        ).scalar_one_or_none()
    except Exception as exc:
        raise _BrokenError(
            start_seq, f"entry {start_seq} cannot be read ({_unreadable(exc)})"
        ) from None
    if stored is None:
        raise _BrokenError(start_seq, f"entry {start_seq} is missing")
    if stored != start_hash:
        raise _BrokenError(start_seq, f"entry {start_seq} no longer has the hash it had")


def _check_no_null_seq(conn: Connection) -> None:
    try:
        nulls = conn.execute(
            select(func.count()).select_from(_entries).where(_entries.c.seq.is_(None))
        ).scalar_one()
    except Exception as exc:
        raise _BrokenError(None, f"the audit entries cannot be read ({_unreadable(exc)})") from None
    if nulls:
        raise _BrokenError(None, f"{nulls} audit entry(ies) have no seq (NULL)")


def _read_page(conn: Connection, *, after: int) -> tuple[list[_Entry], _BrokenError | None]:
    """The entries after `after` (at most a page) and, when the page could not be read whole,
    the problem that ends it, to be raised once the rows before it are checked."""
    query = _ROW.where(_entries.c.seq > after).order_by(_entries.c.seq).limit(PAGE)
    try:
        return list(conn.execute(query).all()), None
    except Exception:
        return _read_rows_one_by_one(conn, after=after)


def _read_rows_one_by_one(
    conn: Connection, *, after: int
) -> tuple[list[_Entry], _BrokenError | None]:
    """The page after `after`, read a row at a time up to the first row that cannot be read."""
    seq_query = (
        select(_entries.c.seq).where(_entries.c.seq > after).order_by(_entries.c.seq).limit(PAGE)
    )
    try:
        seqs = list(conn.execute(seq_query).scalars())
    except Exception as exc:
        raise _BrokenError(None, f"the audit entries cannot be read ({_unreadable(exc)})") from None
    rows: list[_Entry] = []
    last = after
    for seq in seqs:
        if not _is_int(seq):
            reason = f"the entry after entry {last} has a seq that is not an integer"
            return rows, _BrokenError(last + 1, reason)
        try:
            rows.append(conn.execute(_ROW.where(_entries.c.seq == seq)).one())
        except Exception:
            return rows, _BrokenError(seq, _unreadable_column(conn, seq))
        last = seq
    return rows, None


def _unreadable_column(conn: Connection, seq: int) -> str:
    for column in _entries.columns:
        try:
            conn.execute(select(column).where(_entries.c.seq == seq)).one()
        except Exception as exc:
            what = "are not valid JSON" if column.name == "details" else "cannot be decoded"
            return f"entry {seq} is corrupt: its {column.name} {what} ({_unreadable(exc)})"
    return f"entry {seq} cannot be read"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_entry(row: _Entry, *, expected_seq: int, prev: str, after: int) -> None:
    seq, ts, actor, action, object_type, object_id, details, prev_hash, digest = row
    if type(seq) is not int:
        raise _BrokenError(
            after + 1, f"the entry after entry {after} has a seq that is not an integer"
        )
    if seq != expected_seq:
        if seq > expected_seq:
            raise _BrokenError(seq, f"entry {expected_seq} is missing (next entry is {seq})")
        raise _BrokenError(seq, f"entry {seq} is out of order (expected {expected_seq})")
    if not (
        type(actor) is str
        and type(action) is str
        and type(object_type) is str
        and type(object_id) is str
        and type(prev_hash) is str
        and type(digest) is str
        and isinstance(ts, datetime)
        and type(details) is dict
    ):
        raise _BrokenError(seq, _wrong_type(row))
    if prev_hash != prev:
        raise _BrokenError(seq, f"entry {seq} does not link to the previous entry's hash")
    body = entry_body(
        seq=seq,
        ts=ts,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
        prev_hash=prev_hash,
    )
    try:
        computed = entry_hash(body)
    except (TypeError, ValueError, OverflowError):
        raise _BrokenError(seq, f"entry {seq} cannot be encoded canonically") from None
    if computed != digest:
        raise _BrokenError(seq, f"entry {seq} was altered (its hash does not match its content)")


def _wrong_type(row: _Entry) -> str:
    """Which column of `row` is NULL or of the wrong type."""
    seq = row.seq
    for name in _TEXT_COLUMNS:
        value = getattr(row, name)
        if value is None:
            return f"entry {seq} is corrupt: its {name} is NULL"
        if not isinstance(value, str):
            return f"entry {seq} is corrupt: its {name} is not text"
    if row.ts is None:
        return f"entry {seq} is corrupt: its ts is NULL"
    if not isinstance(row.ts, datetime):
        return f"entry {seq} is corrupt: its ts is not a timestamp"
    return f"entry {seq} is corrupt: its details are not a JSON object"


def body_of(entry: Row[Any]) -> dict[str, Any]:
    """The hashed body of a stored entry."""
    return entry_body(
        seq=entry.seq,
        ts=entry.ts,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        details=entry.details,
        prev_hash=entry.prev_hash,
    )


def _read_head(conn: Connection) -> tuple[int, str]:
    try:
        head = conn.execute(select(_head.c.seq, _head.c.hash).where(_head.c.id == HEAD_ID)).first()
    except Exception as exc:
        raise _BrokenError(
            None, f"the chain head row cannot be read ({_unreadable(exc)})"
        ) from None
    if head is None:
        raise _BrokenError(None, "chain head row is missing")
    if not _is_int(head.seq):
        raise _BrokenError(None, "chain head is corrupt: its seq is not an integer")
    if not isinstance(head.hash, str):
        raise _BrokenError(None, "chain head is corrupt: its hash is not text")
    return int(head.seq), head.hash
