"""``/api/v1/risks``: risk assessment per ledger row and lifecycle stage (R-PM-1, R-PM-2).

The privacy office (``admin``, ``privacy_officer``) assesses and reviews; auditors read. Each
answer is ``Cache-Control: no-store``. These routes parse, call :mod:`kojin.management.risks`
and render.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from pydantic import StringConstraints

from kojin.api import roles
from kojin.api.routers.incidents import NoStoreRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.management.risks.schemas import RiskFigures, RiskInput, RiskOut, RisksDue, Stage
from kojin.management.risks.service import (
    assess_risk,
    get_risk,
    list_risks,
    review_risk,
    risk_figures,
    risks_due,
)
from kojin.registry.dates import add_years

TOKYO: Final = ZoneInfo("Asia/Tokyo")

router = APIRouter(prefix="/api/v1/risks", tags=["risks"], route_class=NoStoreRoute)

Reader = Annotated[ApiTokenOut, allow(roles.MANAGEMENT_READ, name="read risk assessments")]
Writer = Annotated[
    ApiTokenOut, allow(roles.MANAGEMENT_WRITE, name="record or review risk assessments")
]
RiskId = Annotated[str, Path(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$")]


class AssessIn(RiskInput):
    """A new assessment of one ledger row (``assessed_on`` defaults to today in Japan)."""

    ledger_entry_id: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    assessed_on: date | None = None


class ReviewIn(RiskInput):
    """A review of an assessment (``assessed_on`` defaults to today in Japan)."""

    assessed_on: date | None = None


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


def _risk_input(body: RiskInput) -> RiskInput:
    return RiskInput.model_validate(body.model_dump(include=set(RiskInput.model_fields)))


@router.get("")
def list_all(
    request: Request,
    actor: Reader,
    ledger_entry_id: str | None = None,
    stage: Stage | None = None,
    high: bool = False,
) -> list[RiskOut]:
    """Assessments, highest residual risk first (``high=true``: residual score 6 or more)."""
    state = app_state(request)
    with state.read() as session:
        return list_risks(
            session=session,
            cipher=state.cipher(),
            today=today_in_japan(),
            ledger_entry_id=ledger_entry_id,
            stage=stage,
            high_only=high,
        )


@router.post("", status_code=201)
def assess(body: AssessIn, request: Request, actor: Writer) -> RiskOut:
    """Record an assessment of a ledger row at one lifecycle stage; next review a year on."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return assess_risk(
            session=session,
            cipher=state.cipher(),
            ledger_entry_id=body.ledger_entry_id,
            risk_in=_risk_input(body),
            actor=actor_label(actor),
            today=today_in_japan(),
            assessed_on=body.assessed_on,
        )


@router.get("/due")
def due(request: Request, actor: Reader) -> RisksDue:
    """Ledger rows never assessed, stale assessments (their row changed since) and overdue
    reviews."""
    state = app_state(request)
    with state.read() as session:
        return risks_due(session=session, cipher=state.cipher(), today=today_in_japan())


@router.get("/figures")
def figures(
    request: Request, actor: Reader, since: date | None = None, until: date | None = None
) -> RiskFigures:
    """The figures for `since`..`until` (default: the twelve months to today)."""
    today = today_in_japan()
    end = until or today
    start = since or add_years(end, -1)
    with app_state(request).read() as session:
        return risk_figures(session, since=start, until=end, today=today)


@router.get("/{risk_id}")
def get_one(risk_id: RiskId, request: Request, actor: Reader) -> RiskOut:
    """One assessment."""
    state = app_state(request)
    with state.read() as session:
        return get_risk(
            session=session, cipher=state.cipher(), risk_id=risk_id, today=today_in_japan()
        )


@router.put("/{risk_id}")
def review(risk_id: RiskId, body: ReviewIn, request: Request, actor: Writer) -> RiskOut:
    """Review an assessment with its new (or confirmed) values; next review a year on."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return review_risk(
            session=session,
            cipher=state.cipher(),
            risk_id=risk_id,
            risk_in=_risk_input(body),
            actor=actor_label(actor),
            today=today_in_japan(),
            assessed_on=body.assessed_on,
        )
