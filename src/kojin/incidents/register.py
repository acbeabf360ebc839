"""Record, change and read incidents (R-BR-1..3, R-BR-IMPL).

Every change re-assesses the incident on the facts known now (:func:`kojin.law.breach.
assess_breach`): a count that passes 1,000 makes it reportable from that change on. The history
and the audit chain name the fields that changed and whether the incident was reportable before
and after, never the values.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kojin.audit.service import lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError
from kojin.incidents.facts import assess, read_fields, store_assessment, write_fields
from kojin.incidents.models import Incident, IncidentEvent, IncidentPerson
from kojin.incidents.records import load, new_id, record_event, unseal
from kojin.incidents.schemas import (
    IncidentEventView,
    IncidentFields,
    IncidentStatus,
    IncidentSummary,
    IncidentView,
    LinkedRequest,
)
from kojin.law.breach import BreachAssessment
from kojin.law.breach_clock import days_left
from kojin.law.breach_vocabulary import BreachRole, Certainty, IncidentKind, StopGround
from kojin.registry.ledger.models import LedgerEntry
from kojin.requests.kinds import INCIDENT_REFERENCE, RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState

#: the fields a recorded incident must have
REQUIRED: Final = ("title", "kind", "knowledge")
#: fields whose None on update means "back to the default"
_DEFAULTS: Final[dict[str, Any]] = {
    "certainty": Certainty.SUSPECTED,
    "role": BreachRole.OPERATOR,
    "persons": 0,
}


def reference_for(year: int, number: int) -> str:
    """``INC-2026-0001``: the year the incident was recorded and its number in that year."""
    return f"INC-{year}-{number:04d}"


def _check(session: Session, fields: IncidentFields) -> None:
    """InputError (naming the field) when complete `fields` do not hold together."""
    for name in REQUIRED:
        if not getattr(fields, name):
            raise InputError(f"{name} is required", field=name)
    persons = fields.persons or 0
    if fields.persons_upper is not None and fields.persons_upper < persons:
        raise InputError("persons_upper must not be below persons", field="persons_upper")
    role = fields.role or BreachRole.OPERATOR
    if fields.entruster_notified_on is not None and role is not BreachRole.ENTRUSTEE:
        raise InputError(
            "entruster_notified_on is for an incident the company handles as an entrustee",
            field="entruster_notified_on",
        )
    if fields.entrustee_notice_received_on is not None and role is not BreachRole.ENTRUSTER:
        raise InputError(
            "entrustee_notice_received_on is for an incident the company's entrustee reported",
            field="entrustee_notice_received_on",
        )
    rows = list(dict.fromkeys(fields.ledger_rows or []))
    if rows:
        found = set(
            session.execute(select(LedgerEntry.id).where(LedgerEntry.id.in_(rows))).scalars()
        )
        if len(found) != len(rows):
            raise InputError(
                "ledger_rows names a ledger row that does not exist", field="ledger_rows"
            )


def _next_number(session: Session, year: int) -> int:
    lock_chain(session=session)  # one writer at a time: two incidents never share a number
    last = session.execute(select(func.max(Incident.number)).where(Incident.year == year))
    return int(last.scalar_one() or 0) + 1


def _reportable(assessment: BreachAssessment) -> dict[str, bool]:
    return {
        "must_report": assessment.must_report,
        "reportable_appi": assessment.reportable_appi,
        "reportable_mn": assessment.reportable_mn,
    }


def record_incident(
    *, session: Session, cipher: FieldCipher, actor: str, fields: IncidentFields, today: date
) -> IncidentView:
    """Record a new incident (status open) and its first assessment; ``incident.recorded``."""
    _check(session, fields)
    now = utcnow()
    number = _next_number(session, today.year)
    row = Incident(
        id=new_id(),
        reference=reference_for(today.year, number),
        year=today.year,
        number=number,
        status=IncidentStatus.OPEN.value,
        created_at=now,
        updated_at=now,
        key_id=cipher.current_key_id,
    )
    complete = IncidentFields.model_validate(
        {name: getattr(fields, name) for name in IncidentFields.model_fields}
    )
    write_fields(session, cipher, row, complete)
    assessment = assess(complete)
    store_assessment(row, assessment)
    session.add(row)
    given = sorted(name for name in fields.model_fields_set if getattr(fields, name) is not None)
    record_event(
        session=session,
        row=row,
        actor=actor,
        action="incident.recorded",
        fields=given,
        now=now,
        details={"fields": given, "kind": row.kind, **_reportable(assessment)},
    )
    return build_view(session=session, cipher=cipher, row=row, today=today)


def _dumped(fields: IncidentFields, name: str) -> Any:
    return fields.model_dump(mode="json", include={name})[name]


def update_incident(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    incident_id: str,
    fields: IncidentFields,
    today: date,
) -> IncidentView:
    """Change the fields set in `fields`, re-assess, and chain ``incident.updated`` with the
    changed field names and the reportability before and after. Nothing changed: nothing
    recorded."""
    row = load(session, incident_id, for_update=True)
    current = read_fields(session, cipher, row)
    values = {name: getattr(current, name) for name in IncidentFields.model_fields}
    for name in fields.model_fields_set:
        value = getattr(fields, name)
        values[name] = _DEFAULTS.get(name) if value is None and name in _DEFAULTS else value
    merged = IncidentFields.model_validate(values)
    changed = sorted(
        name for name in fields.model_fields_set if _dumped(merged, name) != _dumped(current, name)
    )
    if not changed:
        return build_view(session=session, cipher=cipher, row=row, today=today)
    _check(session, merged)
    before = assess(current)
    write_fields(session, cipher, row, merged)
    after = assess(merged)
    store_assessment(row, after)
    now = utcnow()
    row.updated_at = now
    details: dict[str, Any] = {"fields": changed}
    for key, value in _reportable(before).items():
        details[f"{key}_before"] = value
    for key, value in _reportable(after).items():
        details[f"{key}_after"] = value
    record_event(
        session=session,
        row=row,
        actor=actor,
        action="incident.updated",
        fields=changed,
        now=now,
        details=details,
    )
    return build_view(session=session, cipher=cipher, row=row, today=today)


def reported_days_left(row: Incident, today: date) -> tuple[int | None, int | None]:
    """Days left to the preliminary target and to the final due date; None when there is no
    clock or the report was made (a final report is the preliminary one as well)."""
    preliminary = (
        None
        if row.preliminary_by is None
        or row.preliminary_reported_on is not None
        or row.final_reported_on is not None
        else days_left(row.preliminary_by, today=today)
    )
    final = (
        None
        if row.final_due is None or row.final_reported_on is not None
        else days_left(row.final_due, today=today)
    )
    return preliminary, final


def linked_requests(session: Session, reference: str) -> list[LinkedRequest]:
    """The data requests made about the incident (R-BR-8), oldest first."""
    rows = session.execute(
        select(DataRequest)
        .where(DataRequest.incident_reference == reference)
        .order_by(DataRequest.submitted_at, DataRequest.id)
    ).scalars()
    return [
        LinkedRequest(
            id=r.id,
            kind=RequestKind(r.kind),
            state=RequestState(r.state),
            stop_ground=None if r.stop_ground is None else StopGround(r.stop_ground),
            submitted_at=r.submitted_at,
        )
        for r in rows
    ]


def _history(session: Session, incident_id: str) -> list[IncidentEventView]:
    events = session.execute(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.seq)
    ).scalars()
    return [
        IncidentEventView(
            at=e.at,
            actor=e.actor,
            action=e.action,
            fields=tuple(name for name in e.fields.split(",") if name),
        )
        for e in events
    ]


def _people_counts(session: Session, incident_id: str) -> tuple[int, int, int]:
    query = select(
        func.count(),
        func.count(IncidentPerson.notified_at),
        func.coalesce(func.sum(case((IncidentPerson.unreachable.is_(True), 1), else_=0)), 0),
    ).where(IncidentPerson.incident_id == incident_id)
    total, notified, unreachable = session.execute(query).one()
    return int(total), int(notified), int(unreachable)


def build_view(
    *, session: Session, cipher: FieldCipher, row: Incident, today: date
) -> IncidentView:
    """The incident as staff see it, assessed on its current facts."""
    session.flush()
    fields = read_fields(session, cipher, row)
    assessment = assess(fields)
    preliminary, final = reported_days_left(row, today)
    total, notified, unreachable = _people_counts(session, row.id)
    return IncidentView(
        id=row.id,
        reference=row.reference,
        status=IncidentStatus(row.status),
        fields=fields,
        assessment=assessment,
        known_on=row.known_on,
        preliminary_reported_on=row.preliminary_reported_on,
        final_reported_on=row.final_reported_on,
        people_notified_on=row.people_notified_on,
        published_on=row.published_on,
        closed_on=row.closed_on,
        days_left_preliminary=preliminary,
        days_left_final=final,
        people_total=total,
        people_notified=notified,
        people_unreachable=unreachable,
        linked_requests=linked_requests(session, row.reference),
        history=_history(session, row.id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def get_incident(
    *, session: Session, cipher: FieldCipher, incident_id: str, today: date
) -> IncidentView:
    """The incident `incident_id` (NotFoundError when there is none)."""
    return build_view(session=session, cipher=cipher, row=load(session, incident_id), today=today)


def incident_id_for(*, session: Session, reference: str) -> str | None:
    """The id of the incident with this reference (``INC-2026-0001``), or None."""
    canonical = reference.strip().upper()
    if not INCIDENT_REFERENCE.fullmatch(canonical):
        return None
    found = session.execute(select(Incident.id).where(Incident.reference == canonical))
    return found.scalar_one_or_none()


def open_for_requests(*, session: Session, reference: str) -> bool:
    """Whether the incident exists and its assessment gives the affected people the Art. 35(5)
    ground for erasure and cessation of provision (R-BR-8)."""
    canonical = reference.strip().upper()
    if not INCIDENT_REFERENCE.fullmatch(canonical):
        return False
    found = session.execute(
        select(Incident.opens_article_35_5).where(Incident.reference == canonical)
    ).scalar_one_or_none()
    return bool(found)


def request_counts(session: Session) -> dict[str, int]:
    """How many data requests name each incident reference."""
    rows = session.execute(
        select(DataRequest.incident_reference, func.count())
        .where(DataRequest.incident_reference.is_not(None))
        .group_by(DataRequest.incident_reference)
    )
    return {str(reference): int(count) for reference, count in rows}


def summary_of(
    row: Incident, *, title: str, today: date, requests: dict[str, int]
) -> IncidentSummary:
    preliminary, final = reported_days_left(row, today)
    return IncidentSummary(
        id=row.id,
        reference=row.reference,
        title=title,
        kind=IncidentKind(row.kind),
        status=IncidentStatus(row.status),
        certainty=Certainty(row.certainty),
        must_report=row.must_report,
        reportable_appi=row.reportable_appi,
        reportable_mn=row.reportable_mn,
        preliminary_by=row.preliminary_by,
        final_due=row.final_due,
        days_left_preliminary=preliminary,
        days_left_final=final,
        persons=max(row.persons, row.persons_upper or 0),
        request_count=requests.get(row.reference, 0),
    )


def list_incidents(
    *, session: Session, cipher: FieldCipher, today: date, status: IncidentStatus | None = None
) -> list[IncidentSummary]:
    """The register, newest first (only `status` when given)."""
    query = select(Incident).order_by(Incident.year.desc(), Incident.number.desc())
    if status is not None:
        query = query.where(Incident.status == status.value)
    requests = request_counts(session)
    return [
        summary_of(
            row,
            title=unseal(cipher, "incidents", "title", row.id, row.title_enc),
            today=today,
            requests=requests,
        )
        for row in session.execute(query).scalars()
    ]
