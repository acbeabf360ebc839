"""Retention items on vault records, the disposal schedule over them, and the disposal of what
is overdue through the vault (a reason naming the rule; the vault key rotated after)."""

from __future__ import annotations

from datetime import date

import pytest
from filing_support import (
    HANDLER,
    NUMBERS,
    OFFICER,
    OTHER_HANDLER,
    REMUNERATION,
    USAGE,
    chain,
    designate,
    end_affairs_on,
    make_payee,
    register,
)

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kojin.mynumber.filing.disposal_due import disposal_schedule, dispose_due, schedule_summary
from kojin.mynumber.filing.retention import STATUTORY, parse_retention_rules
from kojin.mynumber.filing.retention_items import add_retention_item, list_retention_items
from kojin.mynumber.filing.schedule import ScheduleStatus
from kojin.mynumber.filing.schemas import RetentionItemIn, RetentionItemOut
from kojin.mynumber.handlers import handler_scope
from kojin.mynumber.records import get_record
from kojin.mynumber.vault import Vault

TODAY = date(2026, 1, 1)


@pytest.fixture
def records(vault: Vault, database: Database, cipher: FieldCipher) -> list[str]:
    """Three records: the affairs of the first ended 2025-03-31 and a payment record of 2025 is
    kept (until 2033-01-31); those of the second ended 2024-06-30 with no document kept; the
    third's continue."""
    designate(vault)
    ids = [
        register(vault, make_payee(database, cipher), number, affairs=[REMUNERATION])
        for number in NUMBERS[:3]
    ]
    end_affairs_on(vault, ids[0], date(2025, 3, 31))
    end_affairs_on(vault, ids[1], date(2024, 6, 30))
    _add(
        vault,
        RetentionItemIn(
            record_id=ids[0],
            document="payment_record",
            reference_date=date(2026, 1, 31),
            affair=REMUNERATION,
        ),
    )
    return ids


def _add(vault: Vault, item: RetentionItemIn, *, actor: str = HANDLER) -> RetentionItemOut:
    with vault.transaction() as sessions:
        scope = handler_scope(vault=sessions.vault, actor=actor) if actor != OFFICER else None
        return add_retention_item(
            sessions=sessions, rules=STATUTORY, actor=actor, scope=scope, item=item
        )


def test_retention_items(vault: Vault, records: list[str]) -> None:
    form = RetentionItemIn(
        record_id=records[2],
        document="dependants_deduction_form",
        reference_date=date(2024, 12, 31),
    )
    made = _add(vault, form)
    assert (made.retention_until, made.recorded_until, made.source) == (
        date(2032, 1, 10),
        date(2032, 1, 10),
        "manual",
    )
    with pytest.raises(ConflictError, match="already recorded"):
        _add(vault, form)
    with pytest.raises(InputError, match="not a document kind"):
        _add(vault, form.model_copy(update={"document": "diary"}))
    with pytest.raises(InputError, match="not one of the record's affairs"):
        _add(vault, form.model_copy(update={"affair": USAGE}))
    designate(vault, OTHER_HANDLER, affairs=[USAGE])
    with pytest.raises(NotFoundError, match="record not found"):
        _add(vault, form, actor=OTHER_HANDLER)
    with vault.read() as sessions:
        items = list_retention_items(session=sessions.registry, rules=STATUTORY)
        shorter = list_retention_items(
            session=sessions.registry,
            rules=parse_retention_rules("documents: {payment_record: {years: 1}}", source="r"),
            record_ids=[records[0]],
        )
    assert [(i.record_id, i.document) for i in items] == sorted(
        [(records[0], "payment_record"), (records[2], "dependants_deduction_form")]
    )
    assert [(i.retention_until, i.recorded_until) for i in shorter] == [
        (date(2027, 1, 31), date(2033, 1, 31))
    ]
    added = [e for e in chain(vault.registry) if e.action == "mynumber.retention_item_added"]
    assert len(added) == 2
    assert set(added[0].details) == {
        "item_id",
        "subject_id",
        "document",
        "affair",
        "reference_date",
        "retention_until",
        "source",
        "export_id",
    }


def test_schedule_and_summary(vault: Vault, records: list[str]) -> None:
    with vault.read() as sessions:
        rows = disposal_schedule(sessions=sessions, rules=STATUTORY, scope=None, today=TODAY)
    by_id = {row.record_id: row for row in rows}
    assert by_id[records[1]].status is ScheduleStatus.OVERDUE
    assert by_id[records[1]].due == date(2024, 6, 30)
    assert by_id[records[0]].status is ScheduleStatus.SCHEDULED
    assert by_id[records[0]].due == date(2033, 1, 31)
    assert by_id[records[2]].status is ScheduleStatus.CONTINUING
    summary = schedule_summary(vault=vault, rules=STATUTORY, today=TODAY)
    assert (summary.overdue, summary.upcoming, summary.scheduled, summary.continuing) == (
        1,
        0,
        1,
        1,
    )
    later = schedule_summary(vault=vault, rules=STATUTORY, today=date(2032, 12, 1))
    assert (later.overdue, later.upcoming) == (1, 1)


def test_dispose_due(vault: Vault, records: list[str]) -> None:
    disposed = dispose_due(vault=vault, actor=OFFICER, rules=STATUTORY, today=TODAY)
    assert [r.id for r in disposed] == [records[1]]
    with vault.read() as sessions:
        record = get_record(vault_session=sessions.vault, record_id=records[1], scope=None)
        kept = get_record(vault_session=sessions.vault, record_id=records[0], scope=None)
    assert record.status == "disposed"
    assert record.disposal_reason == (
        "R-MN-7: the affairs ended 2024-06-30; disposal due after 2024-06-30"
    )
    assert kept.status == "active"
    actions = [e.action for e in chain(vault.registry)]
    assert actions.count("mynumber.disposed") == 1
    assert actions[-1] == "mynumber.keys_rotated"
    assert dispose_due(vault=vault, actor=OFFICER, rules=STATUTORY, today=TODAY) == []
    # years later the first is overdue too, with its retention named in the reason
    (last,) = dispose_due(vault=vault, actor=OFFICER, rules=STATUTORY, today=date(2033, 2, 1))
    assert last.id == records[0]
    assert last.disposal_reason is not None
    assert "the last retention (payment_record" in last.disposal_reason
    assert last.disposal_reason.endswith("ends 2033-01-31; disposal due after 2033-01-31")


def test_a_handler_disposes_only_within_its_designation(vault: Vault, records: list[str]) -> None:
    designate(vault, OTHER_HANDLER, affairs=[USAGE])
    assert (
        dispose_due(vault=vault, actor=OTHER_HANDLER, rules=STATUTORY, handler=True, today=TODAY)
        == []
    )
    with pytest.raises(PermissionDeniedError):
        dispose_due(vault=vault, actor="staff:nobody", rules=STATUTORY, handler=True, today=TODAY)
    disposed = dispose_due(vault=vault, actor=HANDLER, rules=STATUTORY, handler=True, today=TODAY)
    assert [r.id for r in disposed] == [records[1]]
