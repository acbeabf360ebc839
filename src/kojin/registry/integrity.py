"""Do the registry's rows still match the digests the audit chain holds for them?

The chain (:mod:`kojin.audit`) proves its own entries were not altered; this module carries that
proof to the rows the entries describe. Each writer chains the digest of what it stored (see
:mod:`kojin.registry.row_digest`):

=====================  ==============================  ==========================================
table                  chain entry                     details key
=====================  ==============================  ==========================================
decisions              ``decision.recorded``           ``row_sha256`` (every column but audit_seq)
provision_records      ``decision.recorded``           ``provision_sha256`` {provision id: digest}
consents               ``consent.recorded``            ``row_sha256``
consent_withdrawals    ``consent.withdrawn``           ``row_sha256``
subjects (stop flags)  ``subject.created`` /           ``flags_sha256`` (id, stop_use,
                       ``subject.flags_set``           stop_provision, flags_updated_at)
=====================  ==============================  ==========================================

The latest entry per row is the one that must match. A row changed since, a row missing (a
provision record is missing legitimately once a later ``provisions.purged`` entry lists it) and
a row the chain never recorded are reported, the first one found, by table and row id: never a
value. Entries written before the digests existed carry none; their rows are counted as
unchecked, not as mismatches.

Each table is checked by merging two streams sorted by the row's id (its decision and id for
provision records, its consent for withdrawals): the chain's entries for the table and the
table's rows, each read in batches. Memory stays constant, whatever the size of the registry,
except for the ids of purged provision records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
from typing import cast as typed

import orjson
from sqlalchemy import JSON, Column, MetaData, Table, Text, cast, select, type_coerce
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from kojin.audit.models import AuditEntry
from kojin.errors import IntegrityError
from kojin.registry.consents.models import Consent, ConsentWithdrawal
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.provisions.models import ProvisionRecord
from kojin.registry.row_digest import row_digest, table_columns
from kojin.registry.subjects.models import Subject

_entries = typed(Table, AuditEntry.__table__)
_decisions = typed(Table, DecisionRecord.__table__)
_provisions = typed(Table, ProvisionRecord.__table__)
_consents = typed(Table, Consent.__table__)
_withdrawals = typed(Table, ConsentWithdrawal.__table__)
_subjects = typed(Table, Subject.__table__)

#: rows fetched per round trip
BATCH: Final = 2_000
#: the subject columns the chain holds a digest of (the stop flags and when they were set)
SUBJECT_FLAG_COLUMNS: Final = ("id", "stop_use", "stop_provision", "flags_updated_at")
DECISION_COLUMNS: Final = table_columns(_decisions, exclude=("audit_seq",))
PROVISION_COLUMNS: Final = table_columns(_provisions)
CONSENT_COLUMNS: Final = table_columns(_consents)
WITHDRAWAL_COLUMNS: Final = table_columns(_withdrawals)
#: the subjects table narrowed to the flag columns: the check reads no identifier, even encrypted
_flags = Table(
    "subjects", MetaData(), *(Column(name, _subjects.c[name].type) for name in SUBJECT_FLAG_COLUMNS)
)
#: the chain entry that lists purged provision records (their ids in details ``ids``)
PURGED: Final = "provisions.purged"
_KOJIN_ID: Final = re.compile(r"[0-9a-f]{32}")

Key = tuple[str, ...]


class RowProblem(StrEnum):
    """What is wrong with a row."""

    #: the row no longer matches the digest of its latest chain entry
    CHANGED = "changed"
    #: the chain recorded the row, it is gone, and no later entry recorded its purge
    MISSING = "missing"
    #: the row is there but no chain entry ever recorded it
    UNRECORDED = "unrecorded"
    #: a chain entry's details are not a JSON object (the chain check names the entry too)
    UNREADABLE_ENTRY = "unreadable_entry"


@dataclass(frozen=True, slots=True)
class RowMismatch:
    """The first row that does not match: its table, its id (None when the stored id is not in
    kojin's form, so that nothing else is repeated), what is wrong, and the chain entry that
    recorded it (None for a row the chain never recorded)."""

    table: str
    row_id: str | None
    problem: RowProblem
    seq: int | None

    def describe(self) -> str:
        """One line for a person: table, id and problem, never a value."""
        row = f"row {self.row_id}" if self.row_id else "a row whose id is not in kojin's form"
        entry = f" (chain entry {self.seq})" if self.seq is not None else ""
        if self.problem is RowProblem.CHANGED:
            return f"{self.table}: {row} was changed since the chain recorded it{entry}"
        if self.problem is RowProblem.MISSING:
            return f"{self.table}: {row} is missing and no purge of it was recorded{entry}"
        if self.problem is RowProblem.UNRECORDED:
            return f"{self.table}: {row} was never recorded in the chain"
        return f"audit_entries: the details of chain entry {self.seq} are not a JSON object"


@dataclass(frozen=True, slots=True)
class RowCheckResult:
    """The outcome of :func:`check_rows`: `checked` rows matched their digests, `unchecked` rows
    were recorded before digests existed, `purged` provision records are gone as recorded."""

    ok: bool
    checked: int
    unchecked: int
    purged: int
    first_mismatch: RowMismatch | None = None

    @property
    def reason(self) -> str | None:
        return None if self.first_mismatch is None else self.first_mismatch.describe()


@dataclass(frozen=True, slots=True)
class _Expected:
    """What the chain says of one row: its sort key, the id to report, the digest (None before
    digests existed) and the entry's seq."""

    key: Key
    row_id: str
    digest: str | None
    seq: int


class _UnreadableEntryError(Exception):
    def __init__(self, seq: int) -> None:
        super().__init__(seq)
        self.seq = seq


@dataclass
class _Tally:
    checked: int = 0
    unchecked: int = 0
    purged: int = 0
    mismatch: RowMismatch | None = None


def _sorted(column: Column[Any], dialect: str) -> ColumnElement[Any]:
    """`column` in code-point order (Python's string order) on every database."""
    return column.collate("C") if dialect == "postgresql" else column


def _details(raw: Any, seq: int) -> Mapping[str, Any]:
    """An entry's details, read as text where the driver leaves them text; anything but a JSON
    object is an unreadable entry."""
    if isinstance(raw, str | bytes):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise _UnreadableEntryError(seq) from None
    if not isinstance(raw, dict):
        raise _UnreadableEntryError(seq)
    return raw


def _entries_of(
    conn: Connection, actions: Sequence[str]
) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """(object_id, seq, details) of the entries of `actions`, by object id then seq."""
    dialect = conn.dialect.name
    query = (
        select(
            _entries.c.object_id,
            _entries.c.seq,
            cast(_entries.c.details, Text).label("details"),
        )
        .where(_entries.c.action.in_(actions))
        .order_by(_sorted(_entries.c.object_id, dialect), _entries.c.seq)
    )
    for object_id, seq, raw in conn.execution_options(yield_per=BATCH).execute(query):
        yield str(object_id), int(seq), _details(raw, int(seq))


def _latest(
    entries: Iterator[tuple[str, int, Mapping[str, Any]]],
) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """The last entry of each object (the entries come by object id, then seq)."""
    last: tuple[str, int, Mapping[str, Any]] | None = None
    for entry in entries:
        if last is not None and entry[0] != last[0]:
            yield last
        last = entry
    if last is not None:
        yield last


def _digest(details: Mapping[str, Any], key: str) -> str | None:
    value = details.get(key)
    return value if isinstance(value, str) else None


def _raw(column: Column[Any]) -> ColumnElement[Any]:
    """`column` as the database holds it: JSON as its text (parsed here, faster than the
    drivers do), anything else without the type's own processing."""
    if isinstance(column.type, JSON):
        return cast(column, Text).label(column.name)
    return type_coerce(column, NullType()).label(column.name)


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What turns the raw cell into the value kojin reads (as the column's type would)."""
    if isinstance(column.type, JSON):
        return _json
    process: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).result_processor(
        dialect, None
    )
    return process


def _json(raw: Any) -> Any:
    return None if raw is None else orjson.loads(raw)


def _rows(
    conn: Connection, table: Table, order: Sequence[str]
) -> Iterator[tuple[Key, str, dict[str, Any] | None]]:
    """(sort key, id, values) of every row of `table` by `order`, the values as kojin reads them
    (None when a cell cannot be read as its column's type: a changed row)."""
    dialect = conn.dialect
    columns = list(table.columns)
    processors = [_processor(column, dialect) for column in columns]
    query = select(*(_raw(column) for column in columns)).order_by(
        *(_sorted(table.c[name], dialect.name) for name in order)
    )
    for raw in conn.execution_options(yield_per=BATCH).execute(query):
        cells = raw._mapping
        values: dict[str, Any] | None
        try:
            values = {
                column.name: (process(cells[column.name]) if process else cells[column.name])
                for column, process in zip(columns, processors, strict=True)
            }
        except (ValueError, TypeError, AssertionError):  # a cell no longer of its column's type
            values = None
        yield tuple(str(cells[name]) for name in order), str(cells["id"]), values


def _merge(
    tally: _Tally,
    *,
    table: str,
    expected: Iterator[_Expected],
    actual: Iterator[tuple[Key, str, dict[str, Any] | None]],
    columns: Sequence[str],
    purged: Mapping[str, int] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Walk both streams in key order; stop at the first mismatch (left in `tally`)."""
    want, have = next(expected, None), next(actual, None)
    seen = 0
    while tally.mismatch is None and (want is not None or have is not None):
        seen += 1
        if on_progress is not None and seen % BATCH == 0:
            on_progress(BATCH)
        if have is None or (want is not None and want.key < have[0]):
            assert want is not None
            if want.digest is None:
                tally.unchecked += 1
            elif purged is not None and purged.get(want.row_id, -1) > want.seq:
                tally.purged += 1
            else:
                tally.mismatch = RowMismatch(table, want.row_id, RowProblem.MISSING, want.seq)
            want = next(expected, None)
        elif want is None or have[0] < want.key:
            row_id = have[1] if _KOJIN_ID.fullmatch(have[1]) else None
            tally.mismatch = RowMismatch(table, row_id, RowProblem.UNRECORDED, None)
        else:
            if want.digest is None:
                tally.unchecked += 1
            elif have[2] is None or row_digest(have[2], columns) != want.digest:
                row_id = have[1] if _KOJIN_ID.fullmatch(have[1]) else None
                tally.mismatch = RowMismatch(table, row_id, RowProblem.CHANGED, want.seq)
            else:
                tally.checked += 1
            want, have = next(expected, None), next(actual, None)
    if on_progress is not None and seen % BATCH:
        on_progress(seen % BATCH)


def _purged_ids(conn: Connection) -> dict[str, int]:
    """Every provision record id a purge entry lists, with the seq of that entry."""
    purged: dict[str, int] = {}
    for _, seq, details in _entries_of(conn, (PURGED,)):
        ids = details.get("ids")
        for record_id in ids if isinstance(ids, list) else ():
            purged[str(record_id)] = seq
    return purged


def _expected_decisions(conn: Connection) -> Iterator[_Expected]:
    for object_id, seq, details in _entries_of(conn, ("decision.recorded",)):
        yield _Expected((object_id,), object_id, _digest(details, "row_sha256"), seq)


def _expected_provisions(conn: Connection) -> Iterator[_Expected]:
    for object_id, seq, details in _entries_of(conn, ("decision.recorded",)):
        digests = details.get("provision_sha256")
        if isinstance(digests, dict):
            pairs = [(str(k), v if isinstance(v, str) else None) for k, v in digests.items()]
        else:
            listed = details.get("provision_ids")
            pairs = [(str(p), None) for p in (listed if isinstance(listed, list) else ())]
        for provision_id, digest in sorted(pairs):
            yield _Expected((object_id, provision_id), provision_id, digest, seq)


def _expected_consents(conn: Connection) -> Iterator[_Expected]:
    for object_id, seq, details in _latest(_entries_of(conn, ("consent.recorded",))):
        yield _Expected((object_id,), object_id, _digest(details, "row_sha256"), seq)


def _expected_withdrawals(conn: Connection) -> Iterator[_Expected]:
    for consent_id, seq, details in _latest(_entries_of(conn, ("consent.withdrawn",))):
        withdrawal_id = details.get("withdrawal_id")
        row_id = withdrawal_id if isinstance(withdrawal_id, str) else consent_id
        yield _Expected((consent_id,), row_id, _digest(details, "row_sha256"), seq)


def _expected_subjects(conn: Connection) -> Iterator[_Expected]:
    actions = ("subject.created", "subject.flags_set")
    for object_id, seq, details in _latest(_entries_of(conn, actions)):
        yield _Expected((object_id,), object_id, _digest(details, "flags_sha256"), seq)


def _ascending(items: Iterator[Any], key: Callable[[Any], Key], table: str) -> Iterator[Any]:
    """`items` as they come, checked to be in code-point order of `key` (the merge relies on
    it; a database ordering otherwise is a configuration kojin does not check against)."""
    last: Key | None = None
    for item in items:
        current = key(item)
        if last is not None and current < last:
            raise IntegrityError(f"{table}: rows do not come in code-point order of their ids")
        last = current
        yield item


def check_rows(
    *, session: Session, on_progress: Callable[[int], None] | None = None
) -> RowCheckResult:
    """Check the decision, provision record, consent, withdrawal and subject stop-flag rows
    against the digests the chain holds for them; report the first mismatch.

    Tables are checked in that order, each in the order of its rows' ids. `on_progress` is
    called with the number of rows and entries compared since its last call. Read-only: call it
    in a read transaction (``database.read()``). Raises IntegrityError only when the database
    does not return ids in code-point order (a collation kojin does not support).
    """
    conn = session.connection()
    tally = _Tally()
    try:
        purged = _purged_ids(conn)
        checks: list[tuple[str, Iterator[_Expected], Any, Sequence[str]]] = [
            ("decisions", _expected_decisions(conn), (_decisions, ("id",)), DECISION_COLUMNS),
            (
                "provision_records",
                _expected_provisions(conn),
                (_provisions, ("decision_id", "id")),
                PROVISION_COLUMNS,
            ),
            ("consents", _expected_consents(conn), (_consents, ("id",)), CONSENT_COLUMNS),
            (
                "consent_withdrawals",
                _expected_withdrawals(conn),
                (_withdrawals, ("consent_id",)),
                WITHDRAWAL_COLUMNS,
            ),
            ("subjects", _expected_subjects(conn), (_flags, ("id",)), SUBJECT_FLAG_COLUMNS),
        ]
        for table, expected, (source, order), columns in checks:
            _merge(
                tally,
                table=table,
                expected=_ascending(expected, lambda item: item.key, table),
                actual=_ascending(_rows(conn, source, order), lambda item: item[0], table),
                columns=columns,
                purged=purged if table == "provision_records" else None,
                on_progress=on_progress,
            )
            if tally.mismatch is not None:
                break
    except _UnreadableEntryError as exc:
        tally.mismatch = RowMismatch("audit_entries", None, RowProblem.UNREADABLE_ENTRY, exc.seq)
    return RowCheckResult(
        ok=tally.mismatch is None,
        checked=tally.checked,
        unchecked=tally.unchecked,
        purged=tally.purged,
        first_mismatch=tally.mismatch,
    )
