"""``/api/v1/incidents``: the incident register — leakage, loss and damage of personal data, the
reports to the Personal Information Protection Commission and the notices to the people
(APPI Art. 26; MNA Art. 29-4; R-BR-0..8).

The privacy office (``admin``, ``privacy_officer``) records an incident and changes it, records
its dated steps, lists the affected people and sends them notice; auditors read everything,
drafts included; no other role sees an incident. Each answer is ``Cache-Control: no-store``
(an incident names people, systems and causes), errors included.

An incident is named in a path by its id or by its reference (``INC-2026-0001``). Whether the
Commission must be told, and by when, is recomputed by the service on every change
(:mod:`kojin.law.breach`); these routes only parse, call and render.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import AppState, app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import InputError, NotFoundError
from kojin.incidents.schemas import (
    IncidentFields,
    IncidentFigures,
    IncidentStatus,
    IncidentStep,
    IncidentSummary,
    IncidentView,
    NoticeReport,
    PersonInput,
    PersonView,
    ReportStage,
)
from kojin.incidents.service import (
    add_person,
    get_incident,
    import_people,
    incident_figures,
    incident_id_for,
    list_incidents,
    list_people,
    ppc_report_html,
    ppc_report_pdf,
    publication_html,
    record_draft,
    record_incident,
    record_step,
    send_notices,
    update_incident,
)
from kojin.policy.model_base import Lang
from kojin.requests.kinds import INCIDENT_REFERENCE

TOKYO: Final = ZoneInfo("Asia/Tokyo")
NO_STORE: Final = (b"cache-control", b"no-store")
HTML: Final = "text/html; charset=utf-8"
PDF: Final = "application/pdf"


class NoStoreRoute(UniqueKeysRoute):
    """A route whose every answer, an error rendered by the installed handlers included, is
    ``Cache-Control: no-store``: the header is set on the response as it is sent."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != NO_STORE[0]
                ]
                message["headers"] = [*headers, NO_STORE]
            await send(message)

        await super().handle(scope, receive, send_no_store)


router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], route_class=NoStoreRoute)

Reader = Annotated[ApiTokenOut, allow(roles.INCIDENTS_READ, name="read incidents")]
Writer = Annotated[ApiTokenOut, allow(roles.INCIDENTS_WRITE, name="record or change incidents")]

#: an incident's id (32 hex digits) or its reference (``INC-2026-0001``)
IncidentRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^([0-9a-f]{32}|INC-[0-9]{4}-[0-9]{4,6})$",
        description="The incident's id, or its reference (INC-YYYY-NNNN).",
    ),
]


class StepIn(BaseModel):
    """A dated step of an incident (``on`` defaults to today in Japan)."""

    model_config = ConfigDict(extra="forbid")

    step: IncidentStep
    on: date | None = None


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


class ImportResult(BaseModel):
    """How many affected people a CSV added."""

    imported: int


def today_in_japan() -> date:
    """The day in Japan, the calendar the Commission's deadlines count in."""
    return datetime.now(TOKYO).date()


def _incident_id(session: Session, ref: str) -> str:
    """The id an incident is named by in the path (its id, or its reference)."""
    if INCIDENT_REFERENCE.fullmatch(ref) is None:
        return ref
    found = incident_id_for(session=session, reference=ref)
    if found is None:
        raise NotFoundError(f"incident {ref} not found")
    return found


def _state(request: Request) -> AppState:
    return app_state(request)


@router.get("")
def list_all(
    request: Request, actor: Reader, status: IncidentStatus | None = None
) -> list[IncidentSummary]:
    """Every incident (or those of one status), with whether it must be reported and the days
    left to each report."""
    state = _state(request)
    with state.read() as session:
        return list_incidents(
            session=session, cipher=state.cipher(), today=today_in_japan(), status=status
        )


@router.post("", status_code=201)
def create(body: IncidentFields, request: Request, actor: Writer) -> IncidentView:
    """Record an incident (``title``, ``kind`` and at least one ``knowledge`` entry required):
    it gets a reference, and the law layer's assessment of the facts as recorded."""
    state = _state(request)
    with state.unit_of_work() as session:
        return record_incident(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            fields=body,
            today=today_in_japan(),
        )


@router.get("/figures")
def figures(request: Request, actor: Reader) -> IncidentFigures:
    """The dashboard's figures: open incidents, those that must be reported, the overdue and
    those due within 7 days."""
    state = _state(request)
    with state.read() as session:
        return incident_figures(session=session, cipher=state.cipher(), today=today_in_japan())


@router.get("/{incident_id}")
def get_one(incident_id: IncidentRef, request: Request, actor: Reader) -> IncidentView:
    """One incident: its facts, the assessment with reasons and citations, its clocks, its
    people's counts, the requests it caused and its history."""
    state = _state(request)
    with state.read() as session:
        return get_incident(
            session=session,
            cipher=state.cipher(),
            incident_id=_incident_id(session, incident_id),
            today=today_in_japan(),
        )


@router.patch("/{incident_id}")
def update(
    incident_id: IncidentRef, body: IncidentFields, request: Request, actor: Writer
) -> IncidentView:
    """Change the fields sent (and only those; ``knowledge`` replaces the list); the assessment
    is made again on the new facts."""
    state = _state(request)
    with state.unit_of_work() as session:
        return update_incident(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            incident_id=_incident_id(session, incident_id),
            fields=body,
            today=today_in_japan(),
        )


@router.post("/{incident_id}/steps")
def step(incident_id: IncidentRef, body: StepIn, request: Request, actor: Writer) -> IncidentView:
    """Record a dated step: the entruster notified, a report made, the people notified, the
    publication done, the incident closed or reopened."""
    state = _state(request)
    today = today_in_japan()
    with state.unit_of_work() as session:
        return record_step(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            incident_id=_incident_id(session, incident_id),
            step=body.step,
            on=body.on or today,
            today=today,
        )


@router.get("/{incident_id}/people")
def people(incident_id: IncidentRef, request: Request, actor: Reader) -> list[PersonView]:
    """The affected people, with whether and how each was notified."""
    state = _state(request)
    with state.read() as session:
        return list_people(
            session=session,
            cipher=state.cipher(),
            incident_id=_incident_id(session, incident_id),
        )


@router.post("/{incident_id}/people", status_code=201)
def add_one(
    incident_id: IncidentRef, body: PersonInput, request: Request, actor: Writer
) -> PersonView:
    """Add one affected person (name; e-mail or postal address to reach them; language)."""
    state = _state(request)
    with state.unit_of_work() as session:
        return add_person(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            incident_id=_incident_id(session, incident_id),
            person=body,
        )


@router.post(
    "/{incident_id}/people/import",
    status_code=201,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def import_many(incident_id: IncidentRef, request: Request, actor: Writer) -> ImportResult:
    """Add affected people from CSV (body ``text/csv``; columns ``name,email,postal_address,
    lang``), all or none: an error names the line and the column, never a value. At most
    ``KOJIN_MAX_IMPORT_BYTES`` (else 413)."""
    state = _state(request)
    raw = await request.body()
    limit = state.settings.max_import_bytes
    if len(raw) > limit:
        raise HTTPException(413, f"the CSV is larger than {limit} bytes (KOJIN_MAX_IMPORT_BYTES)")

    def _import() -> ImportResult:
        with state.unit_of_work() as session:
            found = _incident_id(session, incident_id)
            try:
                count = import_people(
                    session=session,
                    cipher=state.cipher(),
                    actor=actor_label(actor),
                    incident_id=found,
                    data=raw,
                )
            except InputError as error:  # the CSV is the request's body
                raise InputError(error.message, field="body") from None
        return ImportResult(imported=count)

    return await run_in_threadpool(_import)


@router.post("/{incident_id}/notices/send")
def notices(incident_id: IncidentRef, request: Request, actor: Writer) -> NoticeReport:
    """Send each affected person not yet notified the notice in their language, by e-mail
    (through the portal's SMTP path); those with only a postal address are counted for post,
    those with neither as unreachable (publication is then the alternative measure)."""
    state = _state(request)
    with state.unit_of_work() as session:
        return send_notices(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            policy=state.policy,
            actor=actor_label(actor),
            incident_id=_incident_id(session, incident_id),
            today=today_in_japan(),
        )


@router.get(
    "/{incident_id}/report",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "the draft, in Japanese, with the report's nine items in order",
        }
    },
)
def report(
    incident_id: IncidentRef,
    request: Request,
    actor: Reader,
    stage: ReportStage,
    file_format: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.HTML,
) -> Response:
    """A draft of the report to the Commission (preliminary or final; R-BR-4's nine items in
    Japanese, ready to paste into its form), as HTML or PDF. Each draft is recorded in the
    audit chain (``incident.drafted``) before it is answered."""
    state = _state(request)
    today = today_in_japan()
    with state.unit_of_work() as session:
        found = _incident_id(session, incident_id)
        view = get_incident(session=session, cipher=state.cipher(), incident_id=found, today=today)
        content: bytes
        if file_format is ReportFormat.PDF:
            content = ppc_report_pdf(view=view, policy=state.policy, stage=stage, today=today)
        else:
            text = ppc_report_html(view=view, policy=state.policy, stage=stage, today=today)
            content = text.encode("utf-8")
        record_draft(
            session=session,
            actor=actor_label(actor),
            incident_id=found,
            what=f"ppc_report.{stage.value}.{file_format.value}",
        )
    if file_format is ReportFormat.PDF:
        name = f"{view.reference}-ppc-{stage.value}.pdf"
        return Response(
            content=content,
            media_type=PDF,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(content=content, media_type=HTML)


@router.get(
    "/{incident_id}/publication",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "the publication page, in the language asked for",
        }
    },
)
def publication(
    incident_id: IncidentRef, request: Request, actor: Reader, lang: Lang = "ja"
) -> Response:
    """The publication (an alternative measure when people cannot be reached; R-BR-7) in
    Japanese or English: what happened, the data, the cause, what was done, the inquiry desk.
    Recorded in the audit chain as a draft (``incident.drafted``)."""
    state = _state(request)
    with state.unit_of_work() as session:
        found = _incident_id(session, incident_id)
        view = get_incident(
            session=session, cipher=state.cipher(), incident_id=found, today=today_in_japan()
        )
        text = publication_html(view=view, policy=state.policy, settings=state.settings, lang=lang)
        record_draft(
            session=session, actor=actor_label(actor), incident_id=found, what=f"publication.{lang}"
        )
    return Response(content=text.encode("utf-8"), media_type=HTML)
