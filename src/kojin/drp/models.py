"""ORM models of the Data Rights Protocol: the agents that registered, and their requests.

Nothing personal is stored here: the person's claims go into the kojin request's encrypted
columns (:mod:`kojin.requests.agent_intake`). The status callback URL is encrypted all the same
(an agent may put a user's id in it; context ``drp_requests.status_callback:<id>``), and the
agent's token is kept only as its SHA-256.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class DrpAgent(Base):
    """An authorized agent that set up its pair-wise token (``POST /v1/agent/{agent-id}``)."""

    __tablename__ = "drp_agents"

    agent_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: the Ed25519 verify key (base64) the trusted directory gave when the token was issued
    verify_key: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of the current bearer token; the token itself is shown once
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    token_issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: ``issued-at`` of the newest registration message: an older or the same one is a replay
    last_registration_issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DrpRequest(Base):
    """One Data Rights Protocol request: its envelope, its kojin request and its callbacks.

    ``id`` is the protocol's ``request_id`` (shown as a UUID); it is the kojin request's id when
    one was made, and a fresh one for a request denied at once (``denial`` set, no kojin
    request).
    """

    __tablename__ = "drp_requests"
    __table_args__ = (UniqueConstraint("agent_id", "agent_request_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    data_request_id: Mapped[str | None] = mapped_column(
        ForeignKey("data_requests.id"), unique=True, default=None
    )
    agent_id: Mapped[str] = mapped_column(ForeignKey("drp_agents.agent_id"), index=True)
    #: the agent's own id for the request (unique per agent: a second use is a replay)
    agent_request_id: Mapped[str | None] = mapped_column(String(200), default=None)
    #: SHA-256 of the signed message as received: the same message twice is a replay
    message_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    exercise: Mapped[str] = mapped_column(String(64))
    regime: Mapped[str | None] = mapped_column(String(32), default=None)
    #: which identity claims the agent marked as verified
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    address_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: why kojin denied it at once (:class:`kojin.drp.vocabulary.IntakeDenial`), else None
    denial: Mapped[str | None] = mapped_column(String(40), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: the status callback URL, encrypted; cleared once the final status was delivered
    status_callback_enc: Mapped[str | None] = mapped_column(Text, default=None)
    #: the key id ``status_callback_enc`` is encrypted under
    key_id: Mapped[str] = mapped_column(String(32))
    #: the kojin request state whose status the agent last received (answer or callback)
    notified_state: Mapped[str | None] = mapped_column(String(30), default=None)
    #: the status (``status`` or ``status/reason``) the agent last received
    notified_status: Mapped[str | None] = mapped_column(String(64), default=None)
    #: when the next callback attempt is due (None: none scheduled)
    callback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, default=None)
    #: failed attempts for the state being delivered
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0)
    callback_last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: why the last attempt failed: ``http_<status>``, ``address_refused``, an exception class
    callback_last_error: Mapped[str | None] = mapped_column(String(64), default=None)
