"""Provision records: retention (R-TP-REC-4, R-PRI-3) and purge of expired records only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.db.uow import Database
from kojin.law.decision_schemas import ConsentStatement, DecisionRequest, Recipient
from kojin.law.vocabulary import Action
from kojin.policy import load_policy, to_facts
from kojin.registry.dates import add_years, add_years_dt
from kojin.registry.decisions import decide_and_record
from kojin.registry.provisions import (
    ProvisionDetails,
    RecordForm,
    list_provisions,
    purge_expired,
    retention_years,
)

START = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("form", "years"),
    [
        (RecordForm.CONTRACT_SUBSTITUTE, 1),
        (RecordForm.BATCH, 3),
        (RecordForm.PER_PROVISION, 3),
    ],
)
def test_retention_years(form: RecordForm, years: int) -> None:
    assert retention_years(form) == years


def test_add_years_handles_leap_day() -> None:
    assert add_years(START.date(), 1).isoformat() == "2025-02-28"
    assert add_years(START.date(), 4).isoformat() == "2028-02-29"
    assert add_years_dt(START, 3) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)


def _provide(database: Database, form: RecordForm) -> str:
    request = DecisionRequest(
        action=Action.PROVIDE,
        category="customer",
        purpose="provide_services",
        recipient=Recipient(name="Partner KK", country="JP"),
        consent=ConsentStatement(given=True),
    )
    with database.uow() as session:
        recorded = decide_and_record(
            session=session,
            request=request,
            policy=to_facts(load_policy(None)),
            actor="t",
            provision=ProvisionDetails(record_form=form),
            now=START,
        )
    return recorded.provision_ids[0]


def test_purge_removes_only_expired_records(database: Database) -> None:
    short = _provide(database, RecordForm.CONTRACT_SUBSTITUTE)
    long = _provide(database, RecordForm.PER_PROVISION)
    one_year = add_years_dt(START, 1)
    with database.uow() as session:
        assert purge_expired(session=session, now=one_year - timedelta(seconds=1)) == []
    with database.uow() as session:
        assert purge_expired(session=session, now=one_year, actor="officer") == [short]
    with database.read() as session:
        remaining = [p.id for p in list_provisions(session=session)]
        last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
        assert verify_chain(session=session).ok
    assert remaining == [long]
    assert last is not None
    assert (last.action, last.actor, last.details["ids"]) == (
        "provisions.purged",
        "officer",
        [short],
    )
    with database.uow() as session:
        assert purge_expired(session=session, now=add_years_dt(START, 3)) == [long]


def test_purge_needs_an_aware_time(database: Database) -> None:
    with pytest.raises(ValueError, match="time zone"), database.uow() as session:
        purge_expired(session=session, now=datetime(2030, 1, 1))
