"""ORM models of consents and their withdrawals. A consent row is never updated: a withdrawal
is a row of its own that points at it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kojin.db.base import Base, UTCDateTime, utcnow


class Consent(Base):
    """A person's consent for a scope (category, purpose, recipient, country), as given."""

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    category: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str | None] = mapped_column(String(100), default=None)
    recipient: Mapped[str | None] = mapped_column(String(300), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    notice_version: Mapped[str] = mapped_column(String(100))
    #: R-TP-FX-2: {"country", "country_system", "recipient_measures"} as shown before consent
    foreign_information: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    method: Mapped[str] = mapped_column(String(30))
    by_representative: Mapped[bool] = mapped_column(Boolean, default=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))

    withdrawal: Mapped[ConsentWithdrawal | None] = relationship(
        back_populates="consent", lazy="joined", uselist=False
    )


class ConsentWithdrawal(Base):
    """The withdrawal of one consent (at most one per consent)."""

    __tablename__ = "consent_withdrawals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), unique=True)
    method: Mapped[str] = mapped_column(String(30))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))

    consent: Mapped[Consent] = relationship(back_populates="withdrawal")
