"""ORM models of data-subject requests: the request, its documents, its history and the e-mail
codes. What the person typed is stored encrypted (``*_enc``, context
``<table>.<column>:<row id>``); what is looked up by is a keyed blind index (``*_bidx``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow

#: documents can be megabytes: LONGBLOB on MariaDB/MySQL, where a BLOB holds 64 KiB
DocumentBytes = LargeBinary().with_variant(mysql.LONGBLOB(), "mysql")


class DataRequest(Base):
    """One request of a person (or their agent) about their retained personal data."""

    __tablename__ = "data_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: blind index of the reference given to the person (with the e-mail, it opens the status)
    reference_bidx: Mapped[str] = mapped_column(String(64), unique=True)
    reference_enc: Mapped[str | None] = mapped_column(Text, default=None)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    state: Mapped[str] = mapped_column(String(30), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    category: Mapped[str | None] = mapped_column(String(64), default=None)
    email_enc: Mapped[str | None] = mapped_column(Text, default=None)
    email_bidx: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    name_enc: Mapped[str | None] = mapped_column(Text, default=None)
    furigana_enc: Mapped[str | None] = mapped_column(Text, default=None)
    phone_enc: Mapped[str | None] = mapped_column(Text, default=None)
    postal_code_enc: Mapped[str | None] = mapped_column(Text, default=None)
    address_enc: Mapped[str | None] = mapped_column(Text, default=None)
    details_enc: Mapped[str | None] = mapped_column(Text, default=None)
    is_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    agent_name_enc: Mapped[str | None] = mapped_column(Text, default=None)
    agent_relation: Mapped[str | None] = mapped_column(String(30), default=None)
    disclosure_method: Mapped[str | None] = mapped_column(String(20), default=None)
    include_third_party_records: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the fee due when the request was made (the policy's, Art. 38); None: no fee
    fee_yen: Mapped[int | None] = mapped_column(Integer, default=None)
    fee_reference_enc: Mapped[str | None] = mapped_column(Text, default=None)
    #: the registry subject the request turned out to be about (linked by staff)
    subject_id: Mapped[str | None] = mapped_column(
        ForeignKey("subjects.id"), index=True, default=None
    )
    refusal_ground: Mapped[str | None] = mapped_column(String(30), default=None)
    #: the ground of a stop request (APPI Art. 35): a ``StopGround`` value, or None
    stop_ground: Mapped[str | None] = mapped_column(String(30), default=None)
    #: the public reference of the incident the request is about (R-BR-8), or None
    incident_reference: Mapped[str | None] = mapped_column(String(24), index=True, default=None)
    refusal_explanation_enc: Mapped[str | None] = mapped_column(Text, default=None)
    outcome_enc: Mapped[str | None] = mapped_column(Text, default=None)
    #: SHA-256 of the form's one-time key: a second submission of the same form finds this row
    submission_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the arrival (Art. 39(1)): when the person proved the e-mail address
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    due_on: Mapped[date | None] = mapped_column(Date, index=True, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, default=None)
    #: when the personal fields were cleared after the retention period
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: the key id the row's *_enc columns are encrypted under
    key_id: Mapped[str] = mapped_column(String(32))


class RequestDocument(Base):
    """An identity or authority document, encrypted; its content is removed after holding."""

    __tablename__ = "request_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("data_requests.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    #: what the bytes are (checked), not what the name or the browser said
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_enc: Mapped[bytes] = mapped_column(DocumentBytes)
    key_id: Mapped[str] = mapped_column(String(32))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the content was emptied (after the holding period); the row stays as a record
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class RequestEvent(Base):
    """One step of a request's history: who moved it from which state to which."""

    __tablename__ = "request_events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("data_requests.id"), index=True)
    #: the step's number within its request (1, 2, ...): the history's order
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    from_state: Mapped[str | None] = mapped_column(String(30), default=None)
    to_state: Mapped[str | None] = mapped_column(String(30), default=None)
    #: the staff's note on the step, encrypted
    note_enc: Mapped[str | None] = mapped_column(Text, default=None)


class VerificationCode(Base):
    """A one-time e-mail code: only its keyed digest is kept; it expires and counts attempts."""

    __tablename__ = "request_verification_codes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("data_requests.id"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
