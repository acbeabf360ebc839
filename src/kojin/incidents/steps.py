"""The dated steps of an incident: the entruster told, the reports filed, the people told, the
publication made, closed and reopened (R-BR-3..7). Each is one history entry and one
``incident.step`` in the audit chain (the step and its date)."""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError
from kojin.incidents.facts import assess, read_fields, store_assessment
from kojin.incidents.records import load, record_event
from kojin.incidents.register import build_view
from kojin.incidents.schemas import IncidentStatus, IncidentStep, IncidentView
from kojin.law.breach_vocabulary import BreachRole

#: the steps that set one date column of the incident
_DATE_OF: Final[dict[IncidentStep, str]] = {
    IncidentStep.ENTRUSTER_NOTIFIED: "entruster_notified_on",
    IncidentStep.PRELIMINARY_REPORTED: "preliminary_reported_on",
    IncidentStep.FINAL_REPORTED: "final_reported_on",
    IncidentStep.PEOPLE_NOTIFIED: "people_notified_on",
    IncidentStep.PUBLISHED: "published_on",
}


def record_step(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    incident_id: str,
    step: IncidentStep,
    on: date,
    today: date,
) -> IncidentView:
    """Record `step`, done on `on` (not after `today`). ConflictError for a step the incident's
    status does not allow: any step but reopening on a closed incident, closing a closed one,
    reopening an open one, telling the entruster when the company is not an entrustee."""
    if on > today:
        raise InputError("the step's date must not be in the future", field="on")
    row = load(session, incident_id, for_update=True)
    status = IncidentStatus(row.status)
    if step is IncidentStep.REOPENED:
        if status is not IncidentStatus.CLOSED:
            raise ConflictError("only a closed incident can be reopened")
        row.status = IncidentStatus.OPEN.value
        row.closed_on = None
    elif status is IncidentStatus.CLOSED:
        raise ConflictError("the incident is closed: reopen it first")
    elif step is IncidentStep.CLOSED:
        row.status = IncidentStatus.CLOSED.value
        row.closed_on = on
    else:
        if step is IncidentStep.ENTRUSTER_NOTIFIED and row.role != BreachRole.ENTRUSTEE.value:
            raise ConflictError("only an entrustee's incident has an entruster to tell")
        setattr(row, _DATE_OF[step], on)
        if step is IncidentStep.ENTRUSTER_NOTIFIED:
            # the entrustee's release depends on it (Art. 26(1) proviso): re-assess
            store_assessment(row, assess(read_fields(session, cipher, row)))
    now = utcnow()
    row.updated_at = now
    record_event(
        session=session,
        row=row,
        actor=actor,
        action="incident.step",
        fields=(step.value,),
        now=now,
        details={"step": step.value, "on": on.isoformat(), "must_report": row.must_report},
    )
    return build_view(session=session, cipher=cipher, row=row, today=today)
