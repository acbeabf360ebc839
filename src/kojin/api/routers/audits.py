"""``/api/v1/audits``: internal audits (JIS Q 15001; R-PM-5, R-PM-7) — the checklist of the
controls the policy makes applicable, evidence counted from kojin's records, results, findings,
corrective actions and the report to top management.

The privacy office and auditors read audits (``MANAGEMENT_READ``) and record them
(``AUDITS_WRITE``): auditors record their checks and findings as the office does. Each answer is
``Cache-Control: no-store`` (audits name people and weaknesses), errors included. An audit is
named in a path by its id or its reference (``AUD-2027-01``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from kojin.api import roles
from kojin.api.routers.incidents import NoStoreRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import AppState, app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import InputError
from kojin.law.controls import Applies, applies
from kojin.management.audits.collect import collect
from kojin.management.audits.report import report_html, report_pdf
from kojin.management.audits.schemas import (
    ActionIn,
    ActionProgress,
    ActionView,
    AuditFigures,
    AuditPage,
    AuditPlan,
    AuditStatus,
    AuditView,
    FindingIn,
    FindingView,
    ItemResultIn,
    ItemView,
)
from kojin.management.audits.service import (
    add_action,
    add_finding,
    audit_figures,
    close_audit,
    get_audit,
    list_audits,
    plan_audit,
    progress_action,
    record_report,
    record_result,
    report_audit,
)
from kojin.mynumber.filing.retention import load_retention_rules
from kojin.policy.model_base import Lang
from kojin.registry.subjects.text import STORABLE

TOKYO: Final = ZoneInfo("Asia/Tokyo")

router = APIRouter(prefix="/api/v1/audits", tags=["audits"], route_class=NoStoreRoute)

Reader = Annotated[ApiTokenOut, allow(roles.MANAGEMENT_READ, name="read internal audits")]
Writer = Annotated[ApiTokenOut, allow(roles.AUDITS_WRITE, name="record internal audits")]

AuditRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^([0-9a-f]{32}|AUD-[0-9]{4}-[0-9]{2,4})$",
        description="The audit's id, or its reference (AUD-YYYY-NN).",
    ),
]
RowRef = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The row's id.")]
ControlId = Annotated[
    str, Path(pattern=r"^R-[A-Z]+(-[A-Z0-9]+)+$", description="The control's id (R-…).")
]


class ReportedIn(BaseModel):
    """Reported to top management on `on` (default: today in Japan), with a summary."""

    model_config = ConfigDict(extra="forbid")

    summary: Annotated[str, StringConstraints(max_length=5000), STORABLE] = ""
    on: date | None = None


class ClosedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date | None = None


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


def _state(request: Request) -> AppState:
    return app_state(request)


@router.get("")
def list_all(
    request: Request,
    actor: Reader,
    status: AuditStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    """Audits, the latest planned first, with their counts."""
    with _state(request).read() as session:
        return list_audits(session=session, status=status, limit=limit, offset=offset)


@router.post("", status_code=201)
def create(body: AuditPlan, request: Request, actor: Writer) -> AuditView:
    """Plan an audit: its checklist is every control the policy makes applicable."""
    state = _state(request)
    with state.unit_of_work() as session:
        return plan_audit(
            session=session,
            cipher=state.cipher(),
            policy=state.facts,
            plan=body,
            actor=actor_label(actor),
        )


@router.get("/figures")
def figures(request: Request, actor: Reader, since: date, until: date) -> AuditFigures:
    """The audits of a period in numbers, for the management review (R-PM-8)."""
    if until < since:
        raise InputError("until must not be before since", field="until")
    with _state(request).read() as session:
        return audit_figures(session, since=since, until=until, today=today_in_japan())


@router.get("/{audit_id}")
def get_one(audit_id: AuditRef, request: Request, actor: Reader) -> AuditView:
    """One audit with its checklist, evidence, findings and corrective actions."""
    state = _state(request)
    with state.read() as session:
        return get_audit(
            session=session, cipher=state.cipher(), audit_id=audit_id, today=today_in_japan()
        )


@router.post("/{audit_id}/collect")
def collect_one(audit_id: AuditRef, request: Request, actor: Writer) -> AuditView:
    """Count kojin's records for every control over the audit's period (the My Number vault's
    disposals too when the policy has specific personal information)."""
    state = _state(request)
    vault = state.vault() if applies_my_number(state) else None
    return collect(
        database=state.database,
        vault=vault,
        retention=load_retention_rules(state.settings.mynumber_retention_file),
        cipher=state.cipher(),
        audit_id=audit_id,
        actor=actor_label(actor),
        today=today_in_japan(),
    )


def applies_my_number(state: AppState) -> bool:
    return applies(Applies.MY_NUMBER, state.facts)


@router.put("/{audit_id}/items/{control_id}")
def put_result(
    audit_id: AuditRef, control_id: ControlId, body: ItemResultIn, request: Request, actor: Writer
) -> ItemView:
    """Record the result on one control (replacing an earlier one)."""
    state = _state(request)
    with state.unit_of_work() as session:
        return record_result(
            session=session,
            cipher=state.cipher(),
            audit_id=audit_id,
            control_id=control_id,
            result=body,
            actor=actor_label(actor),
        )


@router.post("/{audit_id}/items/{control_id}/findings", status_code=201)
def post_finding(
    audit_id: AuditRef, control_id: ControlId, body: FindingIn, request: Request, actor: Writer
) -> FindingView:
    """Record a nonconformity or an observation on one control, with its root cause."""
    state = _state(request)
    with state.unit_of_work() as session:
        return add_finding(
            session=session,
            cipher=state.cipher(),
            audit_id=audit_id,
            control_id=control_id,
            finding=body,
            actor=actor_label(actor),
        )


@router.post("/findings/{finding_id}/actions", status_code=201)
def post_action(finding_id: RowRef, body: ActionIn, request: Request, actor: Writer) -> ActionView:
    """Add a corrective action (owner, due date, follow-up) to a finding."""
    state = _state(request)
    with state.unit_of_work() as session:
        return add_action(
            session=session,
            cipher=state.cipher(),
            finding_id=finding_id,
            action=body,
            actor=actor_label(actor),
        )


@router.post("/actions/{action_id}/progress")
def post_progress(
    action_id: RowRef, body: ActionProgress, request: Request, actor: Writer
) -> ActionView:
    """Mark a corrective action done, or verify it effective (with the effectiveness check)."""
    state = _state(request)
    with state.unit_of_work() as session:
        return progress_action(
            session=session,
            cipher=state.cipher(),
            action_id=action_id,
            progress=body,
            actor=actor_label(actor),
        )


@router.post("/{audit_id}/reported")
def post_reported(
    audit_id: AuditRef, body: ReportedIn, request: Request, actor: Writer
) -> AuditView:
    """Record that the audit was reported to top management (every control needs a result)."""
    state = _state(request)
    with state.unit_of_work() as session:
        return report_audit(
            session=session,
            cipher=state.cipher(),
            audit_id=audit_id,
            summary=body.summary,
            on=body.on or today_in_japan(),
            actor=actor_label(actor),
        )


@router.post("/{audit_id}/close")
def post_close(audit_id: AuditRef, body: ClosedIn, request: Request, actor: Writer) -> AuditView:
    """Close a reported audit once every corrective action is verified."""
    state = _state(request)
    with state.unit_of_work() as session:
        return close_audit(
            session=session,
            cipher=state.cipher(),
            audit_id=audit_id,
            on=body.on or today_in_japan(),
            actor=actor_label(actor),
        )


@router.get(
    "/{audit_id}/report",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "the audit report for top management",
        }
    },
)
def report(
    audit_id: AuditRef,
    request: Request,
    actor: Reader,
    file_format: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.HTML,
    lang: Lang = "ja",
) -> Response:
    """The audit report as HTML or PDF, in Japanese or English; recorded in the audit chain
    (``audit.report_written``) before it is answered."""
    state = _state(request)
    today = today_in_japan()
    organization = state.policy.organization.name.get(lang)
    with state.unit_of_work() as session:
        view = get_audit(session=session, cipher=state.cipher(), audit_id=audit_id, today=today)
        record_report(
            session=session,
            audit_id=view.id,
            actor=actor_label(actor),
            what=f"{file_format.value}.{lang}",
        )
    if file_format is ReportFormat.PDF:
        pdf = report_pdf(view=view, lang=lang, organization=organization, today=today)
        name = f"{view.reference}-{lang}.pdf"
        return Response(
            content=pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    html = report_html(view=view, lang=lang, organization=organization, today=today)
    return Response(content=html.encode("utf-8"), media_type="text/html; charset=utf-8")
