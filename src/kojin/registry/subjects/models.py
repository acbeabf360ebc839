"""ORM model of data subjects. Identifier columns hold AES-GCM ciphertext (``*_enc``) and the
searchable ones a keyed blind index (``*_bidx``); nothing identifying is stored in clear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class Subject(Base):
    """A person whose data the organization holds (customer, partner staff, retiree …)."""

    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the key id every *_enc column of this row is encrypted under (rotation finds stale rows)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    name_enc: Mapped[str | None] = mapped_column(Text, default=None)
    email_enc: Mapped[str | None] = mapped_column(Text, default=None)
    customer_number_enc: Mapped[str | None] = mapped_column(Text, default=None)
    phone_enc: Mapped[str | None] = mapped_column(Text, default=None)
    address_enc: Mapped[str | None] = mapped_column(Text, default=None)
    email_bidx: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    customer_number_bidx: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    #: APPI Art. 35(1)/(3): use stopped (R-RT-*); decisions honour it
    stop_use: Mapped[bool] = mapped_column(Boolean, default=False)
    #: APPI Art. 35(3): third-party provision stopped; decisions honour it
    stop_provision: Mapped[bool] = mapped_column(Boolean, default=False)
    flags_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class SubjectChange(Base):
    """One change to a subject (flags set, identifiers corrected or erased) with what caused it.

    The reference is free text a person typed (e.g. a request id), so it is kept here, where it
    can be corrected or erased, and the audit chain holds only its digest.
    """

    __tablename__ = "subject_changes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    #: the audit action that recorded the change, e.g. ``subject.flags_set``
    action: Mapped[str] = mapped_column(String(30))
    #: the flag values set by this change (None: not changed by it)
    stop_use: Mapped[bool | None] = mapped_column(Boolean, default=None)
    stop_provision: Mapped[bool | None] = mapped_column(Boolean, default=None)
    reference: Mapped[str | None] = mapped_column(String(100), default=None)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200))
