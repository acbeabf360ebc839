"""Deadline reminders: on the guide's days and before the due date, once per incident, stage
and day, to every configured address, naming no personal data; and the housekeeping step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from incidents_support import ACTOR, KNOWN_ON, SECRET_SUMMARY, audit_entries, fields, outbox

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.incidents.schemas import IncidentStep
from kojin.incidents.service import record_incident, record_step, reminder_step, send_reminders
from kojin.policy.model import Policy
from kojin.requests.housekeeping import run_housekeeping
from kojin.settings import Settings

OFFICE = "privacy@example.jp, dpo@example.jp"


def _office(settings: Settings) -> Settings:
    return settings.model_copy(update={"incident_reminder_to": OFFICE})


def _record(database: Database, cipher: FieldCipher, persons: int = 1500) -> str:
    with database.uow() as session:
        return record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(persons=persons),
            today=KNOWN_ON,
        ).id


def _run(database: Database, cipher: FieldCipher, settings: Settings, day: date) -> int:
    with database.uow() as session:
        return send_reminders(session=session, cipher=cipher, settings=settings, today=day)


def test_preliminary_reminders_on_days_3_and_5_then_daily(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    office = _office(settings)
    _record(database, cipher)
    _record(database, cipher, persons=10)  # not reportable: never reminded
    day = {n: KNOWN_ON + timedelta(days=n - 1) for n in range(1, 9)}
    assert _run(database, cipher, office, day[2]) == 0
    assert _run(database, cipher, office, day[3]) == 2  # two addresses
    assert _run(database, cipher, office, day[3]) == 0  # once per day and stage
    assert _run(database, cipher, office, day[4]) == 0
    assert _run(database, cipher, office, day[5]) == 2
    assert _run(database, cipher, office, day[6]) == 2  # the guide has passed: daily
    assert _run(database, cipher, office, day[6]) == 0
    assert _run(database, cipher, office, day[7]) == 2
    mails = outbox(database, cipher, "incident.reminder")
    assert len(mails) == 8
    assert {m.to for m in mails} == {"privacy@example.jp", "dpo@example.jp"}
    first = mails[0]
    assert "INC-2027-0001" in first.subject
    assert "速報" in first.subject
    assert "2027年4月11日" in first.text
    assert "残り2日" in first.text
    assert "期限を1日過ぎています" in mails[4].text
    for mail in mails:
        assert SECRET_SUMMARY not in mail.text
        assert "顧客名簿" not in mail.text + mail.subject
    sent = [e.details for e in audit_entries(database) if e.action == "incident.reminder_sent"]
    assert [(d["stage"], d["day"]) for d in sent] == [
        ("preliminary", day[3].isoformat()),
        ("preliminary", day[5].isoformat()),
        ("preliminary", day[6].isoformat()),
        ("preliminary", day[7].isoformat()),
    ]
    assert all(d["recipients"] == 2 for d in sent)
    assert "example" not in repr(sent)


def test_final_reminders_before_the_due_date_then_daily_until_reported(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    office = _office(settings.model_copy(update={"incident_reminder_to": "privacy@example.jp"}))
    incident_id = _record(database, cipher)
    with database.uow() as session:
        view = record_step(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=incident_id,
            step=IncidentStep.PRELIMINARY_REPORTED,
            on=KNOWN_ON + timedelta(days=2),
            today=KNOWN_ON + timedelta(days=2),
        )
    due = view.assessment.final_due
    assert due is not None
    reminded = []
    day = due - timedelta(days=10)
    while day <= due + timedelta(days=2):
        if _run(database, cipher, office, day):
            reminded.append((due - day).days)
        day += timedelta(days=1)
    assert reminded == [7, 3, 1, 0, -1, -2]
    stages = {m.subject.split(" ")[2] for m in outbox(database, cipher, "incident.reminder")}
    assert stages == {"確報:"}
    with database.uow() as session:
        record_step(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=incident_id,
            step=IncidentStep.FINAL_REPORTED,
            on=due + timedelta(days=2),
            today=due + timedelta(days=3),
        )
    assert _run(database, cipher, office, due + timedelta(days=3)) == 0


def test_no_address_no_reminder(
    database: Database, cipher: FieldCipher, settings: Settings
) -> None:
    _record(database, cipher)
    assert settings.incident_reminder_to is None
    assert _run(database, cipher, settings, KNOWN_ON + timedelta(days=2)) == 0
    assert outbox(database, cipher, "incident.reminder") == []


def test_the_housekeeping_step_sends_the_day_s_reminders(
    database: Database, cipher: FieldCipher, settings: Settings, policy: Policy
) -> None:
    office = _office(settings)
    _record(database, cipher)
    # 23:30 UTC on day 2 is 08:30 on day 3 in Tokyo
    now = datetime(2027, 4, 8, 23, 30, tzinfo=UTC)
    step = reminder_step(office, lambda: cipher)
    with database.uow() as session:
        report = run_housekeeping(session=session, policy=policy, now=now, more=(step,))
    assert report.jobs_purged == 2
    with database.uow() as session:
        assert step(session, policy, now, "t") == 0
    assert len(outbox(database, cipher, "incident.reminder")) == 2
