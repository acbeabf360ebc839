"""ORM model of the personal-information ledger (R-PM-1)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class LedgerEntry(Base):
    """One kind of personal information the organization holds, and how it is handled."""

    __tablename__ = "ledger_entries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(100), index=True)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    acquisition_method: Mapped[str] = mapped_column(String(30))
    storage_location: Mapped[str] = mapped_column(String(300))
    storage_country: Mapped[str] = mapped_column(String(2))
    medium: Mapped[str] = mapped_column(String(20))
    access: Mapped[str] = mapped_column(String(300))
    retention_period: Mapped[str] = mapped_column(String(200))
    disposal_method: Mapped[str] = mapped_column(String(200))
    record_count: Mapped[int] = mapped_column(Integer)
    special_care: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible_department: Mapped[str] = mapped_column(String(200))
    last_reviewed: Mapped[date | None] = mapped_column(Date, default=None)
    #: where the data lives, for discovery: file globs or ``table.column`` patterns
    data_locations: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the kinds of personal data declared there (discovery kinds); empty means any kind
    pi_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
