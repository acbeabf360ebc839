"""Reminders of the tasks overdue or coming due: one digest per address, each task once per
stage and day, naming no recipient or owner; and the housekeeping step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from obligations_support import ACTOR, NOW, audit_entries, decide, entrust, foreign_equivalent
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.mail.service import list_outbox
from kojin.management.task_reminders import send_reminders, stage_of, task_reminder_step
from kojin.policy import load_policy
from kojin.registry.obligations.models import ObligationTask
from kojin.registry.obligations.schemas import AssignTask, Owner, OwnerKind
from kojin.registry.obligations.service import assign_task
from kojin.requests.housekeeping import run_housekeeping
from kojin.settings import Settings

OFFICE = "privacy@example.jp, dpo@example.jp"
DAY1 = date(2027, 4, 7)  # the tasks' first day (the entrusting's supervision is due)


def _run(database: Database, cipher: FieldCipher, settings: Settings, day: date) -> int:
    with database.uow() as session:
        return send_reminders(session=session, cipher=cipher, settings=settings, today=day)


def _mails(database: Database, cipher: FieldCipher) -> list[tuple[str, str, str]]:
    with database.read() as session:
        items = list_outbox(session=session, cipher=cipher, limit=1000)
    return [
        (i.to, i.subject, i.text or "")
        for i in sorted(items, key=lambda i: i.created_at)
        if i.purpose == "obligation.reminder"
    ]


def test_stages() -> None:
    assert stage_of(DAY1, DAY1 + timedelta(days=1)) == "overdue"
    for left in (7, 3, 1, 0):
        assert stage_of(DAY1 + timedelta(days=left), DAY1) == "due_soon"
    for left in (2, 4, 6, 8, 30):
        assert stage_of(DAY1 + timedelta(days=left), DAY1) is None


def test_digest_once_per_stage_and_day(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    office = settings.model_copy(update={"obligation_reminder_to": OFFICE})
    assert _run(database, cipher, office, DAY1) == 0  # no task yet
    decide(database, entrust("Secret Partner KK"))  # due DAY1
    decide(database, foreign_equivalent())  # due a year later: never in the window here
    with database.read() as session:
        task_id = session.execute(
            select(ObligationTask.id).where(ObligationTask.code == "supervise_entrustee")
        ).scalar_one()
    with database.uow() as session:
        assign_task(
            session,
            cipher=cipher,
            task_id=task_id,
            change=AssignTask(owner=Owner(kind=OwnerKind.PERSON, name="山田太郎")),
            actor=ACTOR,
        )
    assert _run(database, cipher, settings, DAY1) == 0  # no address configured
    assert _run(database, cipher, office, DAY1) == 2  # due today: one digest per address
    assert _run(database, cipher, office, DAY1) == 0  # once per task, stage and day
    assert _run(database, cipher, office, DAY1 + timedelta(days=1)) == 2  # overdue: daily
    assert _run(database, cipher, office, DAY1 + timedelta(days=1)) == 0
    mails = _mails(database, cipher)
    assert len(mails) == 4
    assert {m[0] for m in mails} == {"privacy@example.jp", "dpo@example.jp"}
    _to, subject, text = mails[-1]
    assert "1 overdue" in subject
    assert task_id in text
    assert "APPI Art. 25" in text
    assert "Secret Partner" not in text + subject
    assert "山田" not in text + subject
    sent = audit_entries(database, "task.reminder_sent")
    assert [e.details["stage"] for e in sent] == ["due_soon", "overdue"]
    assert {e.actor for e in sent} == {"kojin:task-reminders"}


def test_housekeeping_step(database: Database, cipher: FieldCipher, settings: Settings) -> None:
    office = settings.model_copy(update={"obligation_reminder_to": OFFICE})
    decide(database, entrust())
    step = task_reminder_step(office, cipher)
    policy = load_policy(None)
    now = datetime(2027, 4, 9, 1, 0, tzinfo=UTC)
    with database.uow() as session:
        run_housekeeping(session=session, policy=policy, now=now, more=(step,))
    with database.uow() as session:
        assert step(session, policy, now, "t") == 0
    assert len(_mails(database, cipher)) == 2
    assert now > NOW
