"""``/api/v1/reviews``: management reviews (JIS Q 15001; R-PM-8) — a review of a period with the
inputs gathered from kojin's records, the office's changes in law and improvement
opportunities, the top manager's decisions, and the report as HTML or PDF.

The privacy office (``admin``, ``privacy_officer``) prepares and changes reviews; auditors read
them and their reports. Each answer is ``Cache-Control: no-store`` (a review names the top
manager and holds the company's decisions), errors included. A review is named in a path by its
id or its reference (``MR-2027-01``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kojin.api import roles
from kojin.api.routers.incidents import NoStoreRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import AppState, app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import NotFoundError
from kojin.management.review.report import review_html, review_pdf
from kojin.management.review.schemas import (
    ReviewCreate,
    ReviewOutcome,
    ReviewSummary,
    ReviewUpdate,
    ReviewView,
)
from kojin.management.review.service import (
    create_review,
    get_review,
    list_reviews,
    record_outcome,
    record_report,
    refresh_inputs,
    review_id_for,
    update_review,
)
from kojin.policy.model_base import Lang

TOKYO: Final = ZoneInfo("Asia/Tokyo")
HTML: Final = "text/html; charset=utf-8"
PDF: Final = "application/pdf"

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"], route_class=NoStoreRoute)

Reader = Annotated[ApiTokenOut, allow(roles.MANAGEMENT_READ, name="read management reviews")]
Writer = Annotated[
    ApiTokenOut, allow(roles.MANAGEMENT_WRITE, name="prepare or change management reviews")
]

ReviewRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^([0-9a-f]{32}|MR-[0-9]{4}-[0-9]{2,4})$",
        description="The review's id, or its reference (MR-YYYY-NN).",
    ),
]


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


def _review_id(session: Session, ref: str) -> str:
    if not ref.startswith("MR-"):
        return ref
    found = review_id_for(session=session, reference=ref)
    if found is None:
        raise NotFoundError(f"review {ref} not found")
    return found


def _state(request: Request) -> AppState:
    return app_state(request)


@router.get("")
def list_all(request: Request, actor: Reader) -> list[ReviewSummary]:
    """Every review, newest first."""
    state = _state(request)
    with state.read() as session:
        return list_reviews(session=session, cipher=state.cipher())


@router.post("", status_code=201)
def create(body: ReviewCreate, request: Request, actor: Writer) -> ReviewView:
    """Prepare a review of a period (``since`` and ``until``; without them the twelve full
    months before this month) with its inputs gathered from the records now."""
    state = _state(request)
    with state.unit_of_work() as session:
        return create_review(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            review_in=body,
            today=today_in_japan(),
        )


@router.get("/{review_id}")
def get_one(review_id: ReviewRef, request: Request, actor: Reader) -> ReviewView:
    """One review: its inputs, the office's entries and the top manager's decisions."""
    state = _state(request)
    with state.read() as session:
        return get_review(
            session=session, cipher=state.cipher(), review_id=_review_id(session, review_id)
        )


@router.patch("/{review_id}")
def update(review_id: ReviewRef, body: ReviewUpdate, request: Request, actor: Writer) -> ReviewView:
    """Change what the office entered: the fields sent (lists replaced whole)."""
    state = _state(request)
    with state.unit_of_work() as session:
        return update_review(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            review_id=_review_id(session, review_id),
            changes=body,
        )


@router.post("/{review_id}/refresh")
def refresh(review_id: ReviewRef, request: Request, actor: Writer) -> ReviewView:
    """Gather a draft review's inputs again (409 once its decisions are recorded)."""
    state = _state(request)
    with state.unit_of_work() as session:
        return refresh_inputs(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            review_id=_review_id(session, review_id),
            today=today_in_japan(),
        )


@router.post("/{review_id}/decisions")
def decide(
    review_id: ReviewRef, body: ReviewOutcome, request: Request, actor: Writer
) -> ReviewView:
    """Record the review held (the day, the top manager) and the decisions taken; recording
    again replaces them."""
    state = _state(request)
    with state.unit_of_work() as session:
        return record_outcome(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            review_id=_review_id(session, review_id),
            outcome=body,
            today=today_in_japan(),
        )


@router.get(
    "/{review_id}/report",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "the report for the top manager, in the language asked for",
        }
    },
)
def report(
    review_id: ReviewRef,
    request: Request,
    actor: Reader,
    file_format: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.HTML,
    lang: Lang = "ja",
) -> Response:
    """The report (inputs with the month-by-month charts, changes in law, opportunities and
    decisions) as HTML or PDF; recorded in the audit chain (``review.reported``)."""
    state = _state(request)
    with state.unit_of_work() as session:
        found = _review_id(session, review_id)
        view = get_review(session=session, cipher=state.cipher(), review_id=found)
        record_report(
            session=session,
            actor=actor_label(actor),
            review_id=found,
            what=f"report.{lang}.{file_format.value}",
        )
    if file_format is ReportFormat.PDF:
        return Response(
            content=review_pdf(view=view, policy=state.policy, lang=lang),
            media_type=PDF,
            headers={"Content-Disposition": f'attachment; filename="{view.reference}-{lang}.pdf"'},
        )
    return Response(
        content=review_html(view=view, policy=state.policy, lang=lang).encode("utf-8"),
        media_type=HTML,
    )
