"""The Exercise Status object (section 3.03) of a request, from the kojin request behind it.

The mapping from kojin's states is :data:`kojin.drp.vocabulary.STATE_STATUS`; a request whose
e-mail address was never confirmed is ``expired`` once kojin purged it. What the agent
reads in ``processing_details`` names the state and the APPI article, never anything the person
or staff wrote: the reasons and results themselves are for the person, on the status page their
reference opens (``user_verification_url`` and ``results_url`` point there).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any, Final

from pydantic import BaseModel

from kojin.drp.models import DrpRequest
from kojin.drp.vocabulary import (
    DENIAL_REASONS,
    DrpReason,
    DrpStatus,
    IntakeDenial,
    status_of_state,
)
from kojin.policy.model_base import RefusalGround
from kojin.requests.clock import TOKYO
from kojin.requests.mails import status_url
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState
from kojin.requests.status import has_package
from kojin.settings import Settings

_DETAILS: Final[dict[RequestState, str]] = {
    RequestState.EMAIL_UNVERIFIED: (
        "waiting for the person to confirm their e-mail address with the code mailed to it"
    ),
    RequestState.RECEIVED: "received; the person's identity is being checked (APPI Art. 37)",
    RequestState.AWAITING_DOCUMENTS: (
        "a further identity or authority document is needed (APPI Art. 37): the person can add "
        "it on the status page with the reference mailed to them"
    ),
    RequestState.AWAITING_FEE: (
        "a fee of {fee} yen is due (APPI Art. 38); the status page explains how to pay it"
    ),
    RequestState.IN_REVIEW: "under review",
    RequestState.COMPLETED: "completed; the result is on the person's status page",
    RequestState.PARTLY_COMPLETED: (
        "completed in part; the result and the reasons are on the person's status page "
        "(APPI Art. 36)"
    ),
    RequestState.REFUSED: (
        "refused on the ground {ground} (APPI Arts. 33(2), 36, 37); the reasons are on the "
        "person's status page"
    ),
    RequestState.WITHDRAWN: "withdrawn",
}
_DENIALS: Final[dict[IntakeDenial, str]] = {
    IntakeDenial.EXERCISE_NOT_OFFERED: (
        "this business does not offer this rights action; see its Data Rights Protocol page "
        "for the actions it offers"
    ),
    IntakeDenial.REGIME_NOT_HANDLED: (
        "this business handles requests under APPI, CCPA or on a voluntary basis only"
    ),
}


class StatusObject(BaseModel):
    """The protocol's Exercise Status object; absent fields are left out of the JSON."""

    request_id: str
    status: DrpStatus
    reason: DrpReason | None = None
    agent_request_id: str | None = None
    received_at: datetime | None = None
    expected_by: datetime | None = None
    processing_details: str | None = None
    user_verification_url: str | None = None
    results_url: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON object sent to the agent (ISO 8601 times, no null fields)."""
        return self.model_dump(mode="json", exclude_none=True)

    @property
    def key(self) -> str:
        """``status`` or ``status/reason``: what changes when the agent must be told."""
        return self.status.value if self.reason is None else f"{self.status}/{self.reason}"


def protocol_id(request_id: str) -> str:
    """A 32-hex-digit id as the protocol shows it: a UUID."""
    return str(uuid.UUID(hex=request_id))


def internal_id(request_id: str) -> str | None:
    """The 32-hex-digit id of a protocol ``request_id`` (with or without hyphens), or None."""
    try:
        return uuid.UUID(request_id.strip()).hex
    except ValueError:
        return None


def _end_of(day: Any) -> datetime:
    """The end of a Tokyo date: what the protocol's ``expected_by`` is read as."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=TOKYO)


def is_expired(data: DataRequest) -> bool:
    """A request whose e-mail was never confirmed and whose data was purged (after the
    policy's holding period): it will never arrive."""
    return data.state == RequestState.EMAIL_UNVERIFIED.value and data.purged_at is not None


def status_object(*, drp: DrpRequest, data: DataRequest | None, settings: Settings) -> StatusObject:
    """The status of `drp` (with its kojin request `data`, None for one denied at intake)."""
    base: dict[str, Any] = {
        "request_id": protocol_id(drp.id),
        "agent_request_id": drp.agent_request_id,
        "received_at": drp.received_at,
    }
    if data is None:
        denial = IntakeDenial(drp.denial or IntakeDenial.EXERCISE_NOT_OFFERED)
        return StatusObject(
            **base,
            status=DrpStatus.DENIED,
            reason=DENIAL_REASONS[denial],
            processing_details=_DENIALS[denial],
        )
    state = RequestState(data.state)
    if is_expired(data):
        return StatusObject(
            **base,
            status=DrpStatus.EXPIRED,
            processing_details=(
                "the person never confirmed their e-mail address; the request lapsed and what "
                "it held was deleted"
            ),
        )
    ground = None if data.refusal_ground is None else RefusalGround(data.refusal_ground)
    status, reason = status_of_state(state, ground)
    details = _DETAILS[state].format(
        fee=f"{data.fee_yen or 0:,}", ground=ground.value if ground else "not stated"
    )
    in_progress = status in (DrpStatus.OPEN, DrpStatus.IN_PROGRESS)
    return StatusObject(
        **base,
        status=status,
        reason=reason,
        expected_by=_end_of(data.due_on) if in_progress and data.due_on else None,
        processing_details=details,
        user_verification_url=(
            status_url(settings) if state is RequestState.AWAITING_DOCUMENTS else None
        ),
        results_url=status_url(settings) if has_package(data) else None,
    )
