"""The dashboard's figures: open and reportable incidents, overdue and due-soon reports."""

from __future__ import annotations

from datetime import date, timedelta

from incidents_support import ACTOR, KNOWN_ON, add_request, fields

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.incidents.schemas import IncidentStep, KnowledgeInput
from kojin.incidents.service import incident_figures, record_incident, record_step


def _record(database: Database, cipher: FieldCipher, known_on: date, persons: int) -> str:
    with database.uow() as session:
        return record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(
                persons=persons, knowledge=[KnowledgeInput(department="営業部", known_on=known_on)]
            ),
            today=known_on,
        ).reference


def test_overdue_and_due_soon(database: Database, cipher: FieldCipher) -> None:
    today = KNOWN_ON + timedelta(days=40)
    late = _record(database, cipher, KNOWN_ON, 5000)  # the final report is overdue
    soon = _record(database, cipher, today - timedelta(days=1), 5000)  # guide: days 3-5
    _record(database, cipher, today - timedelta(days=1), 10)  # not reportable
    closed = _record(database, cipher, KNOWN_ON, 5000)
    with database.uow() as session:
        from kojin.incidents.service import incident_id_for

        closed_id = incident_id_for(session=session, reference=closed)
        assert closed_id is not None
        record_step(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=closed_id,
            step=IncidentStep.CLOSED,
            on=today,
            today=today,
        )
    add_request(database, reference=soon)
    with database.read() as session:
        figures = incident_figures(session=session, cipher=cipher, today=today)
    assert figures.open_count == 3
    assert figures.must_report_open == 2
    assert [s.reference for s in figures.overdue] == [late]
    assert figures.overdue[0].days_left_final is not None
    assert figures.overdue[0].days_left_final < 0
    assert [s.reference for s in figures.due_soon] == [soon]
    assert figures.due_soon[0].days_left_preliminary == 3
    assert figures.due_soon[0].request_count == 1
    assert closed not in [s.reference for s in figures.open]
