"""ORM model of the mail outbox: every message kojin sends or keeps, encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class MailOutbox(Base):
    """One message. Recipient, subject and body are AES-GCM ciphertext bound to this row
    (context ``mail_outbox.<column>:<id>``). Once SMTP has accepted the message the body is
    cleared (`text_enc` None) and recipient and subject remain, for the staff's record."""

    __tablename__ = "mail_outbox"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: what the message is for, e.g. ``request.email_code`` (a code, never personal data)
    purpose: Mapped[str] = mapped_column(String(64))
    to_enc: Mapped[str] = mapped_column(Text)
    subject_enc: Mapped[str] = mapped_column(Text)
    text_enc: Mapped[str | None] = mapped_column(Text, default=None)
    #: ``kept`` (no SMTP server configured), ``sent`` or ``failed``
    status: Mapped[str] = mapped_column(String(16))
    #: the exception class of a failed delivery (never its message, which may echo an address)
    error_class: Mapped[str | None] = mapped_column(String(100), default=None)
    #: the key id the *_enc columns are encrypted under
    key_id: Mapped[str] = mapped_column(String(32))
