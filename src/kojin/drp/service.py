"""Data rights requests by the protocol: submit (2.01), status (2.02) and revoke (2.04).

Every message is checked as :mod:`kojin.drp.messages` describes, then:

- a replay is refused: the same signed message twice, or an ``agent-request-id`` the agent
  used before (ConflictError, 409);
- a rights action kojin does not offer, or a regime it does not handle, is denied at once
  (status ``denied``, no kojin request; :mod:`kojin.drp.vocabulary`);
- otherwise the claims become a kojin request (:mod:`kojin.requests.agent_intake`), linked to
  the drp_requests row that carries the envelope, the verified marks and the encrypted callback.

The audit chain gets ids, the rights action, the kind, digests: never a claim's value.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.drp.addresses import check_callback_url
from kojin.drp.callbacks import url_context
from kojin.drp.directory import TrustedAgent
from kojin.drp.messages import (
    address_claim,
    check_envelope,
    flag_claim,
    list_claim,
    open_signed,
    text_claim,
    word_claim,
)
from kojin.drp.models import DrpRequest
from kojin.drp.status import StatusObject, internal_id, status_object
from kojin.drp.vocabulary import NOT_OFFERED, IntakeDenial, kind_for, regime_handled
from kojin.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.requests.agent_intake import (
    DRP_CHANNEL,
    AgentClaims,
    AgentRequestIn,
    submit_agent_request,
    withdraw_agent_request,
)
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import IllegalTransition, RequestState
from kojin.settings import Settings

REQUEST_NOT_FOUND: Final = "no such data rights request"
#: the claim each field of the portal's form comes from (for errors)
_CLAIM_OF_FIELD: Final[Mapping[str, str]] = {
    "name": "name",
    "email": "email",
    "phone": "phone_number",
    "postal_code": "address",
    "address": "address",
    "details": "kojin:details",
    "agent_name": "agent-id",
}
_JP_POSTAL: Final = re.compile(r"〒?\s*[0-9]{3}-?[0-9]{4}")


def _digest(agent_id: str, value: str) -> str:
    """What the chain keeps of an agent's own text (its request id): bound to the agent."""
    return hashlib.sha256(f"{agent_id}\x00{value}".encode()).hexdigest()


def _lang(claims: Mapping[str, Any]) -> Lang:
    value = claims.get("kojin:lang", "ja")
    if value == "en":
        return "en"
    if value == "ja":
        return "ja"
    raise InputError("claim kojin:lang must be 'ja' or 'en'", field="kojin:lang")


def _details(
    agent: TrustedAgent,
    claims: Mapping[str, Any],
    exercise: str,
    regime: str | None,
    verified: list[str],
) -> str:
    """What staff read about the request besides the person's own fields."""
    relationships = list_claim(claims, "relationships", items=10, limit=64)
    attorney = text_claim(claims, "power_of_attorney", limit=500)
    note = text_claim(claims, "kojin:details", limit=3000, multiline=True)
    lines = [
        f"Data Rights Protocol request from {agent.name} (agent-id {agent.agent_id})",
        f"rights action: {exercise}; regime: {regime or 'none (voluntary)'}",
        f"claims verified by the agent: {', '.join(verified) or 'none'}",
    ]
    if relationships:
        lines.append(f"relationships: {', '.join(relationships)}")
    if attorney:
        lines.append(f"power of attorney: {attorney}")
    if note:
        lines += ["", note]
    return "\n".join(lines)


def _claims(
    agent: TrustedAgent,
    claims: Mapping[str, Any],
    kind: RequestKind,
    exercise: str,
    regime: str | None,
) -> AgentClaims:
    address, postal = address_claim(claims)
    if postal is not None and not _JP_POSTAL.fullmatch(unicodedata.normalize("NFKC", postal)):
        address = ", ".join(part for part in (address, postal) if part)  # a foreign code
        postal = None
    if kind is RequestKind.CORRECTION and not text_claim(
        claims, "kojin:details", limit=3000, multiline=True
    ):
        raise InputError(
            "claim kojin:details is required for kojin:correction (what to correct)",
            field="kojin:details",
        )
    marks = AgentClaims(
        name=text_claim(claims, "name", limit=100),
        email=text_claim(claims, "email", limit=254),
        email_verified=flag_claim(claims, "email_verified"),
        phone=text_claim(claims, "phone_number", limit=20),
        phone_verified=flag_claim(claims, "phone_number_verified"),
        address=address,
        postal_code=postal,
        address_verified=flag_claim(claims, "address_verified"),
        lang=_lang(claims),
    )
    return replace(marks, details=_details(agent, claims, exercise, regime, marks.verified()))


def _refuse_replay(
    session: Session, agent_id: str, sha256: str, agent_request_id: str | None
) -> None:
    seen = select(DrpRequest.id).where(DrpRequest.message_sha256 == sha256)
    if session.execute(seen).first() is not None:
        raise ConflictError("this signed message was received before (a replay)")
    if agent_request_id is not None:
        used = select(DrpRequest.id).where(
            DrpRequest.agent_id == agent_id, DrpRequest.agent_request_id == agent_request_id
        )
        if session.execute(used).first() is not None:
            raise ConflictError("this agent-request-id was used before (a replay)")


def submit_request(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    agent: TrustedAgent,
    body: bytes,
    now: datetime | None = None,
) -> StatusObject:
    """Receive a signed Data Rights Exercise message of `agent` (see the module docstring) and
    answer its status object. InputError (400), PermissionDeniedError (403) and ConflictError
    (409) as described there; an InputError names the claim, never its value."""
    now = now or utcnow()
    message = open_signed(body, agent.key_bytes)
    claims = message.claims
    envelope = check_envelope(
        claims, agent_id=agent.agent_id, business_id=settings.drp_business_id, now=now
    )
    agent_request_id = text_claim(claims, "agent-request-id", limit=200)
    _refuse_replay(session, agent.agent_id, message.sha256, agent_request_id)
    exercise = word_claim(claims, "exercise", required=True)
    assert exercise is not None
    regime = word_claim(claims, "regime")
    callback = text_claim(claims, "status_callback", limit=2000)
    if callback is not None:
        callback = check_callback_url(callback, allow_private=settings.drp_callback_private_hosts)
    kind = kind_for(exercise)
    denial: IntakeDenial | None = None
    if not regime_handled(regime):
        denial = IntakeDenial.REGIME_NOT_HANDLED
    elif kind is None:
        denial = IntakeDenial.EXERCISE_NOT_OFFERED
    row = DrpRequest(
        agent_id=agent.agent_id,
        agent_request_id=agent_request_id,
        message_sha256=message.sha256,
        exercise=exercise,
        regime=regime,
        issued_at=envelope.issued_at,
        expires_at=envelope.expires_at,
        received_at=now,
        key_id=cipher.current_key_id,
    )
    chained: dict[str, Any] = {
        "agent_id": agent.agent_id,
        # words kojin does not know are the agent's free text: the chain names none
        "exercise": exercise if kind is not None or exercise in NOT_OFFERED else "<other>",
        "regime": regime if regime_handled(regime) else "<other>",
        "message_sha256": message.sha256,
    }
    if agent_request_id is not None:
        chained["agent_request_sha256"] = _digest(agent.agent_id, agent_request_id)
    data: DataRequest | None = None
    if kind is None or denial is not None:
        row.id = uuid.uuid4().hex
        row.denial = (denial or IntakeDenial.EXERCISE_NOT_OFFERED).value
        chained["denial"] = row.denial
        action = "drp.request_denied"
    else:
        agent_claims = _claims(agent, claims, kind, exercise, regime)
        try:
            result = submit_agent_request(
                session=session,
                cipher=cipher,
                settings=settings,
                policy=policy,
                request=AgentRequestIn(
                    kind=kind,
                    channel=DRP_CHANNEL,
                    agent=agent.agent_id,
                    agent_name=f"{agent.name} (DRP {agent.agent_id})",
                    submission_key=message.sha256,
                    claims=agent_claims,
                ),
                now=now,
            )
        except InputError as exc:
            claim = _CLAIM_OF_FIELD.get(exc.field or "", exc.field or "claims")
            raise InputError(f"claim {claim}: {exc.message}", field=claim) from None
        data = session.get(DataRequest, result.request_id)
        assert data is not None
        row.id = row.data_request_id = result.request_id
        row.email_verified = agent_claims.email_verified
        row.phone_verified = agent_claims.phone_verified
        row.address_verified = agent_claims.address_verified
        row.notified_state = result.state.value
        if callback is not None:
            row.status_callback_enc = cipher.encrypt(
                callback, context=url_context(row.id), key_id=row.key_id
            )
        chained.update(
            data_request_id=result.request_id,
            kind=kind.value,
            state=result.state.value,
            verified_by_agent=agent_claims.verified(),
            callback=callback is not None,
        )
        action = "drp.request_received"
    status = status_object(drp=row, data=data, settings=settings)
    row.notified_status = status.key
    try:
        with session.begin_nested():  # a concurrent replay loses here
            session.add(row)
            session.flush()
    except DatabaseIntegrityError:
        raise ConflictError("this message or agent-request-id was received before") from None
    append_entry(
        session=session,
        actor=f"drp-agent:{agent.agent_id}",
        action=action,
        object_type="drp_request",
        object_id=row.id,
        details=chained,
        now=now,
    )
    return status


def _own(session: Session, agent_id: str, request_id: str, *, lock: bool = False) -> DrpRequest:
    """The request `request_id` of `agent_id`: NotFoundError when there is none, and
    PermissionDeniedError (the protocol's 403) when another agent manages it."""
    internal = internal_id(request_id)
    row = None if internal is None else session.get(DrpRequest, internal, with_for_update=lock)
    if row is None:
        raise NotFoundError(REQUEST_NOT_FOUND)
    if row.agent_id != agent_id:
        raise PermissionDeniedError("this request is managed by another agent")
    return row


def request_status(
    *, session: Session, settings: Settings, agent: TrustedAgent, request_id: str
) -> StatusObject:
    """The status object of `agent`'s request `request_id` (403 for another agent's)."""
    row = _own(session, agent.agent_id, request_id)
    data = None if row.data_request_id is None else session.get(DataRequest, row.data_request_id)
    return status_object(drp=row, data=data, settings=settings)


def revoke_request(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    agent: TrustedAgent,
    request_id: str,
    body: bytes,
    now: datetime | None = None,
) -> StatusObject:
    """Revoke `agent`'s request on its signed message (``{"reason": ...}``): the kojin request
    is withdrawn and the person told. A message that carries envelope claims (``agent-id``,
    ``issued-at``, ...) has them checked as for a request.

    ConflictError when the request is closed (fulfilled, denied) or waits for the person's
    e-mail code; revoking a revoked request answers its status again.
    """
    now = now or utcnow()
    row = _own(session, agent.agent_id, request_id, lock=True)
    message = open_signed(body, agent.key_bytes)
    claims = message.claims
    if any(name in claims for name in ("agent-id", "business-id", "issued-at", "expires-at")):
        check_envelope(
            claims,
            agent_id=agent.agent_id,
            business_id=settings.drp_business_id,
            now=now,
            require_version=False,
        )
    reason = text_claim(claims, "reason", limit=2000, multiline=True)
    if row.data_request_id is None:
        raise ConflictError("the request was denied and cannot be revoked")
    data = session.get(DataRequest, row.data_request_id)
    assert data is not None
    if data.state != RequestState.WITHDRAWN.value:
        try:
            withdraw_agent_request(
                session=session,
                cipher=cipher,
                settings=settings,
                request_id=data.id,
                channel=DRP_CHANNEL,
                agent=agent.agent_id,
                reason=reason,
                now=now,
            )
        except IllegalTransition:
            raise ConflictError(
                f"the request cannot be revoked in its state ({data.state})"
            ) from None
        row.revoked_at = now
        append_entry(
            session=session,
            actor=f"drp-agent:{agent.agent_id}",
            action="drp.request_revoked",
            object_type="drp_request",
            object_id=row.id,
            details={"data_request_id": data.id, "message_sha256": message.sha256},
            now=now,
        )
    status = status_object(drp=row, data=data, settings=settings)
    # the answer tells the agent: no callback for this change, and none will follow
    row.notified_state = data.state
    row.notified_status = status.key
    row.status_callback_enc = None
    row.callback_due_at = None
    session.flush()
    return status
