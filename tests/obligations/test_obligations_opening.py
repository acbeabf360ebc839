"""Decisions that create duties open tasks exactly once: one task per duty and recipient (or
purpose, dataset, subject), however many decisions owe it; denied decisions and provider records
open none; every task opened is in the audit chain with its actor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from obligations_support import (
    ACTOR,
    NOW,
    audit_entries,
    decide,
    entrust,
    foreign_equivalent,
    provide_without_consent,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import verify_chain
from kojin.db.uow import Database
from kojin.registry.obligations import opening
from kojin.registry.obligations.models import ObligationTask, ObligationTaskEvent


def _tasks(database: Database) -> list[ObligationTask]:
    with database.read() as session:
        return list(
            session.execute(select(ObligationTask).order_by(ObligationTask.created_at)).scalars()
        )


def test_an_entrusting_decision_opens_one_supervision_task(database: Database) -> None:
    [recorded] = decide(database, entrust())
    [task] = _tasks(database)
    assert (task.code, task.rule, task.citation, task.timing) == (
        "supervise_entrustee",
        "R-SEC-4",
        "APPI Art. 25",
        "periodic",
    )
    assert (task.category, task.purpose, task.recipient_name, task.recipient_country) == (
        "customer",
        "provide_services",
        "Entrustee KK",
        "JP",
    )
    assert task.first_decision_id == task.last_decision_id == recorded.id
    assert task.decision_count == 1
    assert task.status == "open"
    assert task.round == 1
    # before entrusting: due the day of the first decision (Tokyo)
    assert task.due_on == date(2027, 4, 7)
    [opened] = audit_entries(database, "task.opened")
    assert opened.actor == ACTOR
    assert opened.object_id == task.id
    assert opened.details["decision_id"] == recorded.id
    assert opened.details["code"] == "supervise_entrustee"
    assert "Entrustee KK" not in str(opened.details)
    with database.read() as session:
        [event] = session.execute(select(ObligationTaskEvent)).scalars().all()
        assert (event.task_id, event.action, event.actor) == (task.id, "task.opened", ACTOR)
        assert verify_chain(session=session).ok


def test_repeated_decisions_about_the_same_recipient_make_one_task(database: Database) -> None:
    first = decide(database, entrust(), entrust(), entrust("ＥＮＴＲＵＳＴＥＥ　ＫＫ"))
    later = decide(
        database,
        entrust("entrustee kk", purpose="develop_services"),
        entrust(),
        now=NOW + timedelta(days=3),
    )
    [task] = _tasks(database)
    assert task.decision_count == 5
    assert task.first_decision_id == first[0].id
    assert task.last_decision_id == later[-1].id
    assert task.last_decided_at == NOW + timedelta(days=3)
    assert len(audit_entries(database, "task.opened")) == 1
    # another entrustee is another task
    decide(database, entrust("Other KK"))
    assert len(_tasks(database)) == 2
    assert len(audit_entries(database, "task.opened")) == 2


def test_denied_decisions_open_no_task(database: Database) -> None:
    [denied] = decide(database, provide_without_consent())
    assert not denied.decision.allowed
    assert _tasks(database) == []
    assert audit_entries(database, "task.opened") == []


def test_provider_records_stay_automatic_and_foreign_checks_are_yearly(
    database: Database,
) -> None:
    [recorded] = decide(database, foreign_equivalent())
    assert recorded.provision_ids  # the record is written, not a task
    [task] = _tasks(database)
    assert (task.code, task.rule) == ("periodic_check_foreign_recipient", "R-TP-FX-3")
    assert task.due_on == date(2027, 4, 7) + timedelta(days=365)
    assert task.recipient_country == "US"


def test_a_batch_mixing_duties_opens_each_once(database: Database) -> None:
    decide(database, entrust(), foreign_equivalent(), provide_without_consent(), entrust())
    tasks = _tasks(database)
    assert sorted(t.code for t in tasks) == [
        "periodic_check_foreign_recipient",
        "supervise_entrustee",
    ]
    assert {t.code: t.decision_count for t in tasks}["supervise_entrustee"] == 2
    with database.read() as session:
        assert verify_chain(session=session).ok


def test_a_task_opened_meanwhile_by_another_transaction_is_counted_not_doubled(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chain-head lock orders decision batches; should a batch still read before another's
    # task is visible, the unique key refuses the second insert and the decisions are counted.
    decide(database, entrust())
    real = opening._latest
    calls: list[int] = []

    def stale(session: Session, keys: Sequence[str]) -> dict[str, tuple[str, int]]:
        calls.append(1)
        return {} if len(calls) == 1 else real(session, keys)

    monkeypatch.setattr(opening, "_latest", stale)
    [second] = decide(database, entrust())
    assert len(calls) == 2
    [task] = _tasks(database)
    assert task.decision_count == 2
    assert task.last_decision_id == second.id
    assert len(audit_entries(database, "task.opened")) == 1
