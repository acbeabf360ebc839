"""``/api/v1/recipients``: the register of entrustees and foreign recipients with equivalent
measures, and their periodic checks (APPI Arts. 25, 28(3); Rule 18; MNA Art. 11; R-SEC-4,
R-MN-8, R-TP-FX-3, R-PM-11).

The privacy office (``admin``, ``privacy_officer``) registers, changes and ends recipients and
records checks; auditors read. Each answer is ``Cache-Control: no-store`` (a recipient may be a
person, and notes may name people). Decisions read the register on their own
(:mod:`kojin.law.supervision`); these routes only parse, call and render.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict

from kojin.api import roles
from kojin.api.routers.incidents import NoStoreRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import InputError
from kojin.policy.model_base import Lang
from kojin.registry.recipients.schemas import (
    CheckInput,
    RecipientFields,
    RecipientFigures,
    RecipientStatus,
    RecipientSummary,
    RecipientView,
    StatementView,
)
from kojin.registry.recipients.service import (
    add_recipient,
    end_recipient,
    get_recipient,
    list_recipients,
    recipient_figures,
    record_check,
    statement,
    update_recipient,
)

TOKYO: Final = ZoneInfo("Asia/Tokyo")

router = APIRouter(prefix="/api/v1/recipients", tags=["recipients"], route_class=NoStoreRoute)

Reader = Annotated[ApiTokenOut, allow(roles.RECIPIENTS_READ, name="read the recipient register")]
Writer = Annotated[ApiTokenOut, allow(roles.RECIPIENTS_WRITE, name="change the recipient register")]
RecipientId = Annotated[
    str,
    Path(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$", description="The id."),
]


class StatusFilter(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    ALL = "all"


class EndIn(BaseModel):
    """When the entrustment or provision ended (default: today in Japan)."""

    model_config = ConfigDict(extra="forbid")

    on: date | None = None


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


@router.get("")
def list_all(
    request: Request,
    actor: Reader,
    status: StatusFilter = StatusFilter.ACTIVE,
    overdue: bool = False,
) -> list[RecipientSummary]:
    """The register, overdue checks first, then by the next check's due date."""
    state = app_state(request)
    with state.read() as session:
        return list_recipients(
            session=session,
            cipher=state.cipher(),
            today=today_in_japan(),
            status=None if status is StatusFilter.ALL else RecipientStatus(status.value),
            overdue=overdue,
        )


@router.post("", status_code=201)
def create(body: RecipientFields, request: Request, actor: Writer) -> RecipientView:
    """Register a recipient (``name``, ``country``, and ``entrustee`` and/or ``foreign_rule16``
    required); 409 when a recipient of that name is registered."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return add_recipient(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            fields=body,
            today=today_in_japan(),
            declared=state.facts.categories,
        )


@router.get("/figures")
def figures(
    request: Request, actor: Reader, since: date | None = None, until: date | None = None
) -> RecipientFigures:
    """Active entrustees and foreign recipients, overdue checks, and the checks dated from
    `since` to `until` (default: the last 12 months) and what they found."""
    today = today_in_japan()
    end = until or today
    start = since or end - timedelta(days=365)
    if start > end:
        raise InputError("since must not be after until", field="since")
    state = app_state(request)
    with state.read() as session:
        return recipient_figures(session=session, since=start, until=end, today=today)


@router.get("/{recipient_id}")
def get_one(recipient_id: RecipientId, request: Request, actor: Reader) -> RecipientView:
    """One recipient, with the contract's missing items and its checks (latest first)."""
    state = app_state(request)
    with state.read() as session:
        return get_recipient(
            session=session,
            cipher=state.cipher(),
            recipient_id=recipient_id,
            today=today_in_japan(),
        )


@router.patch("/{recipient_id}")
def update(
    recipient_id: RecipientId, body: RecipientFields, request: Request, actor: Writer
) -> RecipientView:
    """Change the fields sent (and only those)."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return update_recipient(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            recipient_id=recipient_id,
            fields=body,
            today=today_in_japan(),
            declared=state.facts.categories,
        )


@router.post("/{recipient_id}/end")
def end(recipient_id: RecipientId, body: EndIn, request: Request, actor: Writer) -> RecipientView:
    """Record that the entrustment or provision ended; 409 when it already had."""
    state = app_state(request)
    today = today_in_japan()
    with state.unit_of_work() as session:
        return end_recipient(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            recipient_id=recipient_id,
            on=body.on or today,
            today=today,
        )


@router.post("/{recipient_id}/checks", status_code=201)
def check(
    recipient_id: RecipientId, body: CheckInput, request: Request, actor: Writer
) -> RecipientView:
    """Record a periodic check (supervision; or the foreign measures or system); 409 for an
    ended recipient."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return record_check(
            session=session,
            cipher=state.cipher(),
            actor=actor_label(actor),
            recipient_id=recipient_id,
            check=body,
            today=today_in_japan(),
        )


@router.get("/{recipient_id}/statement")
def statement_of(
    recipient_id: RecipientId, request: Request, actor: Reader, lang: Lang = "ja"
) -> StatementView:
    """What to tell a person who asks about a foreign recipient with a Rule 16 system (Art.
    28(3)); 422 for any other recipient."""
    state = app_state(request)
    with state.read() as session:
        return statement(
            session=session, cipher=state.cipher(), recipient_id=recipient_id, lang=lang
        )
