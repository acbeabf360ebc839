"""The dated steps: reports filed clear their clocks; closing and reopening follow the status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from incidents_support import ACTOR, KNOWN_ON, audit_entries, fields

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError
from kojin.incidents.schemas import IncidentStatus, IncidentStep, IncidentView
from kojin.incidents.service import record_incident, record_step
from kojin.law.breach_vocabulary import BreachRole

TODAY = KNOWN_ON + timedelta(days=2)


def _reportable(database: Database, cipher: FieldCipher, **overrides: object) -> IncidentView:
    with database.uow() as session:
        return record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(persons=2000, **overrides),
            today=TODAY,
        )


def _step(
    database: Database, cipher: FieldCipher, view: IncidentView, step: IncidentStep, on: date
) -> IncidentView:
    with database.uow() as session:
        return record_step(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            step=step,
            on=on,
            today=TODAY,
        )


def test_reports_filed_clear_their_clocks(database: Database, cipher: FieldCipher) -> None:
    view = _reportable(database, cipher)
    assert view.days_left_preliminary == 2
    assert view.days_left_final is not None
    view = _step(database, cipher, view, IncidentStep.PRELIMINARY_REPORTED, TODAY)
    assert view.preliminary_reported_on == TODAY
    assert view.days_left_preliminary is None
    assert view.days_left_final is not None
    view = _step(database, cipher, view, IncidentStep.FINAL_REPORTED, TODAY)
    assert view.final_reported_on == TODAY
    assert view.days_left_final is None
    view = _step(database, cipher, view, IncidentStep.PEOPLE_NOTIFIED, TODAY)
    view = _step(database, cipher, view, IncidentStep.PUBLISHED, TODAY)
    assert (view.people_notified_on, view.published_on) == (TODAY, TODAY)
    steps = [e for e in audit_entries(database) if e.action == "incident.step"]
    assert [e.details["step"] for e in steps] == [
        "preliminary_reported",
        "final_reported",
        "people_notified",
        "published",
    ]
    assert steps[0].details["on"] == TODAY.isoformat()
    assert view.history[-1].fields == ("published",)


def test_a_final_report_alone_also_answers_the_preliminary_one(
    database: Database, cipher: FieldCipher
) -> None:
    view = _reportable(database, cipher)
    view = _step(database, cipher, view, IncidentStep.FINAL_REPORTED, TODAY)
    assert view.days_left_preliminary is None
    assert view.days_left_final is None


def test_close_and_reopen_follow_the_status(database: Database, cipher: FieldCipher) -> None:
    view = _reportable(database, cipher)
    with pytest.raises(ConflictError):
        _step(database, cipher, view, IncidentStep.REOPENED, TODAY)
    view = _step(database, cipher, view, IncidentStep.CLOSED, TODAY)
    assert view.status is IncidentStatus.CLOSED
    assert view.closed_on == TODAY
    for step in (IncidentStep.CLOSED, IncidentStep.PRELIMINARY_REPORTED):
        with pytest.raises(ConflictError):
            _step(database, cipher, view, step, TODAY)
    view = _step(database, cipher, view, IncidentStep.REOPENED, TODAY)
    assert view.status is IncidentStatus.OPEN
    assert view.closed_on is None
    assert [e.details["step"] for e in audit_entries(database) if "step" in e.details] == [
        "closed",
        "reopened",
    ]


def test_a_step_in_the_future_is_refused(database: Database, cipher: FieldCipher) -> None:
    view = _reportable(database, cipher)
    with pytest.raises(InputError) as caught:
        _step(database, cipher, view, IncidentStep.PRELIMINARY_REPORTED, TODAY + timedelta(1))
    assert caught.value.field == "on"


def test_telling_the_entruster_is_an_entrustee_s_step(
    database: Database, cipher: FieldCipher
) -> None:
    operator = _reportable(database, cipher)
    with pytest.raises(ConflictError):
        _step(database, cipher, operator, IncidentStep.ENTRUSTER_NOTIFIED, TODAY)
    entrustee = _reportable(database, cipher, role=BreachRole.ENTRUSTEE)
    assert entrustee.assessment.must_report
    view = _step(database, cipher, entrustee, IncidentStep.ENTRUSTER_NOTIFIED, TODAY)
    assert view.fields.entruster_notified_on == TODAY
    assert view.assessment.entrustee_release
    assert not view.assessment.must_report
    assert view.days_left_preliminary is None
