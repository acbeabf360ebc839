"""``/api/v1/consents``: consent records and their withdrawal (R-CH-6, R-TP-FX-2), kept as
history; a withdrawal never overwrites the consent it ends.

Categories and purposes must be the policy's; consents about subjects of specific personal
information are handled only by roles with My Number authority (R-MN-9), and for every other
role such a subject is "subject not found" and such a consent "consent not found".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.registry.consents.schemas import ConsentCreate, ConsentOut, WithdrawalCreate
from kojin.registry.consents.service import list_consents, record_consent, withdraw_consent

router = APIRouter(prefix="/api/v1/consents", tags=["consents"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.CONSENTS_READ, name="read consents")]
Writer = Annotated[ApiTokenOut, allow(roles.CONSENTS_WRITE, name="record consents")]


@router.post("", status_code=201)
def record(body: ConsentCreate, request: Request, actor: Writer) -> ConsentOut:
    """Record a consent as given: scope (the policy's category and purpose), the notice shown,
    how and when."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return record_consent(
            session=session,
            consent_in=body,
            policy=state.facts,
            actor=actor_label(actor),
            scope=roles.subject_scope(Role(actor.role), state.facts),
        )


@router.get("")
def history(
    subject_id: Annotated[str, Query(max_length=64)], request: Request, actor: Reader
) -> list[ConsentOut]:
    """Every consent of one subject, withdrawn ones included, oldest first."""
    state = app_state(request)
    with state.read() as session:
        return list_consents(
            session=session,
            subject_id=subject_id,
            scope=roles.subject_scope(Role(actor.role), state.facts),
        )


@router.post("/{consent_id}/withdraw")
def withdraw(
    consent_id: str, body: WithdrawalCreate, request: Request, actor: Writer
) -> ConsentOut:
    """Record the withdrawal of a consent (409 when it was already withdrawn)."""
    state = app_state(request)
    with state.unit_of_work() as session:
        return withdraw_consent(
            session=session,
            consent_id=consent_id,
            withdrawal_in=body,
            actor=actor_label(actor),
            scope=roles.subject_scope(Role(actor.role), state.facts),
        )
