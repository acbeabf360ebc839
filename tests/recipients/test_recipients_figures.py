"""The register's figures for a period: active recipients, overdue checks and what the
period's checks found."""

from __future__ import annotations

from datetime import date

import pytest
from recipients_support import TODAY, add, check, entrustee_fields, foreign_fields

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError
from kojin.registry.recipients.schemas import CheckKind, CheckResult, RecipientFigures
from kojin.registry.recipients.service import end_recipient, list_recipients, recipient_figures


def test_figures_count_active_recipients_overdue_checks_and_period_results(
    db: Database, rcipher: FieldCipher
) -> None:
    carrier = add(db, rcipher, entrustee_fields())
    cloud = add(db, rcipher, foreign_fields())
    ended = add(db, rcipher, entrustee_fields(name="Old Printer Ltd."))
    check(db, rcipher, carrier.id, on=date(2027, 5, 1), result=CheckResult.ISSUES)
    check(
        db,
        rcipher,
        cloud.id,
        on=date(2027, 5, 2),
        kind=CheckKind.FOREIGN_MEASURES,
        result=CheckResult.FAILED,
    )
    check(
        db, rcipher, cloud.id, on=date(2026, 12, 1), kind=CheckKind.FOREIGN_SYSTEM, today=TODAY
    )  # before the period
    with db.uow() as session:
        end_recipient(
            session=session, cipher=rcipher, actor="a", recipient_id=ended.id, on=TODAY, today=TODAY
        )
    with db.read() as session:
        figures = recipient_figures(
            session=session,
            since=date(2027, 4, 1),
            until=date(2027, 6, 30),
            today=date(2028, 1, 11),
        )
    # the carrier's supervision is due 2028-05-01; the cloud's system check was due 2027-12-01
    assert figures == RecipientFigures(
        entrustees=2,
        foreign_recipients=1,
        checks_overdue=1,
        checks_in_period=2,
        issues_in_period=1,
        failed_in_period=1,
    )
    with db.read() as session:
        early = recipient_figures(
            session=session, since=date(2027, 4, 1), until=date(2027, 6, 30), today=date(2027, 6, 1)
        )
    assert early.checks_overdue == 0


def test_the_register_on_each_database(database: Database, cipher: FieldCipher) -> None:
    """JSON lists, dates, the unique name key and the figures' sums on SQLite and PostgreSQL."""
    carrier = add(database, cipher, entrustee_fields())
    with pytest.raises(ConflictError):
        add(database, cipher, entrustee_fields(name="配送サービス"))
    check(database, cipher, carrier.id, on=date(2027, 5, 1), result=CheckResult.FAILED)
    with database.read() as session:
        (row,) = list_recipients(session=session, cipher=cipher, today=date(2028, 6, 1))
        figures = recipient_figures(
            session=session,
            since=date(2027, 1, 1),
            until=date(2027, 12, 31),
            today=date(2028, 6, 1),
        )
    assert row.check_overdue
    assert row.next_check_due == date(2028, 4, 30)
    assert figures.failed_in_period == 1
    assert figures.checks_overdue == 1
