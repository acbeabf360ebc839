"""ORM model of provision records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime


class ProvisionRecord(Base):
    """The statutory record of one provision (provider side), kept until `purge_after`."""

    __tablename__ = "provision_records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    basis: Mapped[str] = mapped_column(Text)
    provided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the person the data is about (an id; Rule 20 "person-identifying information")
    subject_id: Mapped[str | None] = mapped_column(String(32), index=True, default=None)
    category: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text, default=None)
    recipient_name: Mapped[str | None] = mapped_column(Text, default=None)
    recipient_country: Mapped[str] = mapped_column(String(2))
    recipient_relation: Mapped[str] = mapped_column(String(30))
    #: the data items provided
    items: Mapped[list[str]] = mapped_column(JSON)
    consent_confirmed: Mapped[bool] = mapped_column(Boolean)
    foreign_information_provided: Mapped[bool] = mapped_column(Boolean)
    record_form: Mapped[str] = mapped_column(String(30))
    contract_reference: Mapped[str | None] = mapped_column(String(200), default=None)
    retention_years: Mapped[int] = mapped_column(Integer)
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    citations: Mapped[list[str]] = mapped_column(JSON)
