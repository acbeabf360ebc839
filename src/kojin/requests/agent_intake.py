"""Requests made by an authorized agent over a machine channel (the Data Rights Protocol).

An agent sends the person's claims, each marked as verified by the agent or not. What it sends is
validated as the portal's form is (:class:`~kojin.requests.schemas.RequestForm`) and stored in
the same encrypted columns; the request records that an agent made it (``is_agent``, the
authorised-agent relation, the agent's name) and its history names the channel and the agent.

- An e-mail address the agent verified counts as proven: the request arrives at once
  (RECEIVED, ``received_at``, the due date counted from today as for the portal's e-mail code)
  and the person is mailed the reference, with which they can follow it on the status page.
- An e-mail address the agent did not verify is proven as the portal's is: the request waits in
  EMAIL_UNVERIFIED and the person is mailed a one-time code.

Identity is still checked by staff (Art. 37; R-RT-8), on the agent's verified claims instead of
an uploaded document; staff can ask for documents as for any request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.requests import codes, records
from kojin.requests.clock import BusinessCalendar, tokyo_date
from kojin.requests.kinds import METHOD_KINDS, AgentRelation, DisclosureMethod, RequestKind, fee_for
from kojin.requests.mails import send_moved
from kojin.requests.models import DataRequest
from kojin.requests.records import get, put
from kojin.requests.schemas import RequestForm
from kojin.requests.states import (
    CLOSED_STATES,
    RequesterEvent,
    RequestState,
    StaffAction,
    next_state,
    requester_next,
)
from kojin.requests.verification import issue_code
from kojin.settings import Settings

#: the channel of the Data Rights Protocol
DRP_CHANNEL: Final = "drp"


def agent_actor(channel: str, agent: str) -> str:
    """How the history and the audit chain name an agent: ``<channel>-agent:<agent id>``."""
    return f"{channel}-agent:{agent}"


@dataclass(frozen=True)
class AgentClaims:
    """What an agent says about the person, and which of it the agent verified."""

    name: str | None
    email: str | None
    email_verified: bool = False
    phone: str | None = None
    phone_verified: bool = False
    address: str | None = None
    postal_code: str | None = None
    address_verified: bool = False
    #: what the agent tells staff (the correction wanted, hints, the power of attorney)
    details: str = ""
    lang: Lang = "ja"

    def verified(self) -> list[str]:
        """The names of the claims the agent verified (present and marked verified)."""
        marks = (
            ("email", self.email, self.email_verified),
            ("phone", self.phone, self.phone_verified),
            ("address", self.address or self.postal_code, self.address_verified),
        )
        return [name for name, value, verified in marks if value and verified]


@dataclass(frozen=True)
class AgentRequestIn:
    """One request an agent makes for a person."""

    kind: RequestKind
    #: the channel it came by (:data:`DRP_CHANNEL`) and the agent's id there
    channel: str
    agent: str
    #: the agent's name as staff read it (at most 100 characters)
    agent_name: str
    #: unique per submission (e.g. a digest of the signed message): a second submission with
    #: the same key finds the first request
    submission_key: str
    claims: AgentClaims


class AgentSubmitResult(BaseModel):
    request_id: str
    state: RequestState
    #: False when the same submission was made before: this is the first request
    created: bool


def _form(request: AgentRequestIn, key: str) -> RequestForm:
    claims = request.claims
    return RequestForm.parse(
        {
            "kind": request.kind,
            "lang": claims.lang,
            "name": claims.name,
            "email": claims.email,
            "phone": claims.phone,
            "postal_code": claims.postal_code,
            "address": claims.address,
            "details": claims.details,
            # the agent asked by a machine channel: the answer is electronic (Art. 33(1))
            "disclosure_method": (
                DisclosureMethod.ELECTRONIC if request.kind in METHOD_KINDS else None
            ),
            "is_agent": True,
            "agent_name": request.agent_name[:100],
            "agent_relation": AgentRelation.AUTHORISED_AGENT,
            "submission_key": key,
        }
    )


def _earlier(session: Session, key_hash: str) -> AgentSubmitResult | None:
    row = session.execute(
        select(DataRequest).where(DataRequest.submission_key_hash == key_hash)
    ).scalar_one_or_none()
    if row is None:
        return None
    return AgentSubmitResult(request_id=row.id, state=RequestState(row.state), created=False)


def submit_agent_request(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    request: AgentRequestIn,
    now: datetime | None = None,
) -> AgentSubmitResult:
    """Store an agent's request (see the module docstring); InputError naming the field of the
    portal's form (``name``, ``email``, ``phone``, ``postal_code``, ``address``, ``details``)
    when a claim does not validate, never its value.

    No document is needed here (the agent attests the claims; staff verify the identity).
    """
    now = now or utcnow()
    key = hashlib.sha256(f"{request.channel}\x00{request.submission_key}".encode()).hexdigest()
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    earlier = _earlier(session, key_hash)
    if earlier is not None:
        return earlier
    form = _form(request, key)
    verified = request.claims.email_verified
    state = RequestState.RECEIVED if verified else RequestState.EMAIL_UNVERIFIED
    reference = codes.new_reference()
    row = DataRequest(
        id=records.new_id(),
        reference_bidx=codes.reference_index(cipher, reference),
        kind=form.kind.value,
        state=state.value,
        lang=form.lang,
        category=None,
        email_bidx=codes.email_index(cipher, form.email),
        is_agent=True,
        agent_relation=AgentRelation.AUTHORISED_AGENT.value,
        disclosure_method=None if form.disclosure_method is None else form.disclosure_method.value,
        include_third_party_records=form.include_third_party_records,
        fee_yen=fee_for(form.kind, policy),
        submission_key_hash=key_hash,
        submitted_at=now,
        key_id=cipher.current_key_id,
    )
    if verified:
        handling = policy.general.inquiries.handling
        row.received_at = now
        row.due_on = BusinessCalendar.from_policy(policy).add_business_days(
            tokyo_date(now), handling.target_business_days
        )
    put(cipher, row, "reference", reference)
    for column in records.PERSONAL_COLUMNS:
        put(cipher, row, column, getattr(form, column) or None)
    try:
        with session.begin_nested():  # a concurrent submission of the same message loses here
            session.add(row)
            session.flush()
    except DatabaseIntegrityError:
        again = _earlier(session, key_hash)
        if again is None:
            raise
        return again
    details: dict[str, object] = {
        "channel": request.channel,
        "agent": request.agent,
        "verified_by_agent": request.claims.verified(),
        "fee_yen": row.fee_yen,
        "key_id": row.key_id,
    }
    if row.due_on is not None:
        details["due_on"] = row.due_on.isoformat()
    records.record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=agent_actor(request.channel, request.agent),
        action="submitted",
        from_state=None,
        to_state=state,
        now=now,
        details=details,
    )
    if verified:
        _mail_moved(session, cipher, settings, row, state, now)
    else:
        issue_code(session, cipher, settings, row, reference=reference, now=now)
    return AgentSubmitResult(request_id=row.id, state=state, created=True)


def _mail_moved(
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    row: DataRequest,
    state: RequestState,
    now: datetime,
) -> None:
    """Tell the person, in their language, where the request stands (with its reference)."""
    email, reference = get(cipher, row, "email"), get(cipher, row, "reference")
    if email is None or reference is None:  # purged
        return
    send_moved(
        session=session,
        cipher=cipher,
        settings=settings,
        to=email,
        lang=records.lang_of(row),
        state=state,
        reference=reference,
        fee_yen=row.fee_yen,
        now=now,
    )


def withdraw_agent_request(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    request_id: str,
    channel: str,
    agent: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> RequestState:
    """Withdraw an open request on the agent's word (the state machine's WITHDRAW) and mail the
    person; the reason, if any, is kept encrypted in the history (the chain holds its digest).

    A request still waiting for its e-mail code is withdrawn by the requester's own event (no
    staff action applies before arrival). IllegalTransition (a ConflictError) when the request
    is closed. NotFoundError for an unknown id.
    """
    now = now or utcnow()
    row = records.load(session, request_id, for_update=True)
    state = RequestState(row.state)
    needs_identity, needs_fee = records.needs(row)
    if state is RequestState.EMAIL_UNVERIFIED:
        target = requester_next(state, RequesterEvent.WITHDRAWN)
    else:
        target = next_state(
            state, StaffAction.WITHDRAW, needs_identity=needs_identity, needs_fee=needs_fee
        )
    row.state = target.value
    if target in CLOSED_STATES:
        row.closed_at = now
    records.record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=agent_actor(channel, agent),
        action=StaffAction.WITHDRAW.value,
        from_state=state,
        to_state=target,
        now=now,
        note=reason or None,
        details={"channel": channel, "agent": agent},
    )
    _mail_moved(session, cipher, settings, row, target, now)
    return target
