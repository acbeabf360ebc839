"""``/api/v1/consents``: consent records and their withdrawal (R-CH-6, R-TP-FX-2), kept as
history; a withdrawal never overwrites the consent it ends."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from kojin.api import roles
from kojin.api.json_body import UniqueKeysRoute
from kojin.api.security import actor_label, allow
from kojin.api.state import app_state
from kojin.auth.schemas import ApiTokenOut
from kojin.registry.consents.schemas import ConsentCreate, ConsentOut, WithdrawalCreate
from kojin.registry.consents.service import list_consents, record_consent, withdraw_consent

router = APIRouter(prefix="/api/v1/consents", tags=["consents"], route_class=UniqueKeysRoute)

Reader = Annotated[ApiTokenOut, allow(roles.CONSENTS_READ, name="read consents")]
Writer = Annotated[ApiTokenOut, allow(roles.CONSENTS_WRITE, name="record consents")]


@router.post("", status_code=201)
def record(body: ConsentCreate, request: Request, actor: Writer) -> ConsentOut:
    """Record a consent as given: scope, the notice shown, how and when."""
    with app_state(request).unit_of_work() as session:
        return record_consent(session=session, consent_in=body, actor=actor_label(actor))


@router.get("")
def history(subject_id: str, request: Request, actor: Reader) -> list[ConsentOut]:
    """Every consent of one subject, withdrawn ones included, oldest first."""
    with app_state(request).read() as session:
        return list_consents(session=session, subject_id=subject_id)


@router.post("/{consent_id}/withdraw")
def withdraw(
    consent_id: str, body: WithdrawalCreate, request: Request, actor: Writer
) -> ConsentOut:
    """Record the withdrawal of a consent (409 when it was already withdrawn)."""
    with app_state(request).unit_of_work() as session:
        return withdraw_consent(
            session=session, consent_id=consent_id, withdrawal_in=body, actor=actor_label(actor)
        )
