"""Agents: the pair-wise token set-up (section 2.05) and the token check of every other call.

An agent registers by ``POST /v1/agent/{agent-id}`` with a message signed by the key the
trusted directory lists for it (:mod:`kojin.drp.directory`); kojin answers a fresh token, shown
once, and keeps its SHA-256. Registering again replaces the token. A registration message older
than (or the same as) the last one accepted is a replay and is refused, so a captured message
cannot be used to take the agent's token over.

Each later call presents the token; it opens the agent only while the agent is active (the
business can switch an agent off: :func:`set_agent_active`) and the directory still lists it with
the key it registered with.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.drp.directory import AGENT_ID, AgentDirectory, TrustedAgent
from kojin.drp.messages import check_envelope, open_signed
from kojin.drp.models import DrpAgent
from kojin.errors import AuthenticationError, ConflictError, PermissionDeniedError

#: random bytes in a token (shown as URL-safe base64)
TOKEN_BYTES: Final = 48
UNKNOWN_TOKEN: Final = "unknown or revoked agent token: register again (POST /v1/agent/{agent-id})"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def key_fingerprint(verify_key: str) -> str:
    """What the chain records of a verify key: the SHA-256 of its base64 text."""
    return hashlib.sha256(verify_key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Registration:
    agent_id: str
    #: the token, in clear only here
    token: str


def register_agent(
    *,
    session: Session,
    directory: AgentDirectory,
    business_id: str,
    agent_id: str,
    body: bytes,
    now: datetime | None = None,
) -> Registration:
    """Issue a token to the agent `agent_id` for its signed set-up message `body`.

    PermissionDeniedError for an agent the directory does not list or a signature that does not
    verify with its key; the errors of :func:`kojin.drp.messages.check_envelope`; ConflictError
    for a replayed message. The protocol answers every refusal with an empty 403.
    """
    now = now or utcnow()
    trusted = directory.get(agent_id) if AGENT_ID.fullmatch(agent_id) else None
    if trusted is None:
        raise PermissionDeniedError("the agent is not in the trusted directory")
    message = open_signed(body, trusted.key_bytes)
    envelope = check_envelope(message.claims, agent_id=agent_id, business_id=business_id, now=now)
    row = session.get(DrpAgent, agent_id, with_for_update=True)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    action = "drp.agent_registered"
    if row is None:
        row = DrpAgent(
            agent_id=agent_id,
            verify_key=trusted.verify_key,
            token_sha256=token_digest(token),
            registered_at=now,
            token_issued_at=now,
            last_registration_issued_at=envelope.issued_at,
            active=True,
        )
        session.add(row)
    else:
        if not row.active:
            raise PermissionDeniedError("the agent was deactivated by this business")
        if envelope.issued_at <= row.last_registration_issued_at:
            raise ConflictError("this registration message is not newer than the last one")
        action = "drp.agent_token_replaced"
        row.verify_key = trusted.verify_key
        row.token_sha256 = token_digest(token)
        row.token_issued_at = now
        row.last_registration_issued_at = envelope.issued_at
    append_entry(
        session=session,
        actor=f"drp-agent:{agent_id}",
        action=action,
        object_type="drp_agent",
        object_id=agent_id,
        details={"verify_key_sha256": key_fingerprint(trusted.verify_key)},
        now=now,
    )
    return Registration(agent_id=agent_id, token=token)


@dataclass(frozen=True, slots=True)
class AuthenticatedAgent:
    """The agent a token opened, with its key from the directory."""

    agent: TrustedAgent


def authenticate_agent(
    *, session: Session, directory: AgentDirectory, token: str
) -> AuthenticatedAgent:
    """The agent `token` belongs to; AuthenticationError (401) when the token is unknown, the
    agent inactive, or the directory no longer lists it with the key it registered with."""
    row = session.execute(
        select(DrpAgent).where(DrpAgent.token_sha256 == token_digest(token))
    ).scalar_one_or_none()
    if row is None or not row.active:
        raise AuthenticationError(UNKNOWN_TOKEN)
    trusted = directory.get(row.agent_id)
    if trusted is None or trusted.verify_key != row.verify_key:
        raise AuthenticationError(
            "the agent's key is no longer in the trusted directory: register again"
        )
    return AuthenticatedAgent(agent=trusted)


def set_agent_active(*, session: Session, agent_id: str, active: bool, actor: str) -> bool:
    """Stop (or allow again) an agent's calls and registrations: the business's own switch,
    beside the directory; False when the agent never registered."""
    row = session.get(DrpAgent, agent_id, with_for_update=True)
    if row is None:
        return False
    if row.active != active:
        row.active = active
        append_entry(
            session=session,
            actor=actor,
            action="drp.agent_activated" if active else "drp.agent_deactivated",
            object_type="drp_agent",
            object_id=agent_id,
        )
    return True
