"""ORM models of the incident register: the incident, its history, the ledger rows involved, the
affected people and the reminders sent.

What staff type about an incident (its title, description, names of departments, entrustees and
people in charge) and the affected people's names and addresses are stored encrypted
(``*_enc``, context ``<table>.<column>:<row id>``). The facts the law layer classifies on
(kind, certainty, role, dates, flags, counts) are plain columns, and so are the assessment's
outcome and clocks, recomputed on every change: the register, the dashboard and the reminders
read them without decrypting anything.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class Incident(Base):
    """One leakage, loss or damage (or My Number misuse), suspected or confirmed."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the public reference, ``INC-YYYY-NNNN`` numbered per year
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    certainty: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date | None] = mapped_column(Date, default=None)
    #: the earliest department knowledge (day 1 of the clocks)
    known_on: Mapped[date | None] = mapped_column(Date, default=None)
    entruster_notified_on: Mapped[date | None] = mapped_column(Date, default=None)
    entrustee_notice_received_on: Mapped[date | None] = mapped_column(Date, default=None)
    special_care: Mapped[bool] = mapped_column(Boolean, default=False)
    property_damage_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    wrongful_purpose: Mapped[bool] = mapped_column(Boolean, default=False)
    acquisition_stage: Mapped[bool] = mapped_column(Boolean, default=False)
    my_number: Mapped[bool] = mapped_column(Boolean, default=False)
    number_systems: Mapped[bool] = mapped_column(Boolean, default=False)
    unspecified_exposure: Mapped[bool] = mapped_column(Boolean, default=False)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    retrieved_unseen: Mapped[bool] = mapped_column(Boolean, default=False)
    intact_copy_exists: Mapped[bool] = mapped_column(Boolean, default=False)
    persons: Mapped[int] = mapped_column(Integer, default=0)
    persons_upper: Mapped[int | None] = mapped_column(Integer, default=None)
    #: the title, encrypted
    title_enc: Mapped[str] = mapped_column(Text)
    #: every other text and list staff typed, as one JSON object, encrypted
    details_enc: Mapped[str] = mapped_column(Text)
    #: the assessment on the current facts (recomputed on every change)
    must_report: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reportable_appi: Mapped[bool] = mapped_column(Boolean, default=False)
    reportable_mn: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_article_35_5: Mapped[bool] = mapped_column(Boolean, default=False)
    preliminary_by: Mapped[date | None] = mapped_column(Date, default=None)
    final_due: Mapped[date | None] = mapped_column(Date, default=None)
    #: the dated steps
    preliminary_reported_on: Mapped[date | None] = mapped_column(Date, default=None)
    final_reported_on: Mapped[date | None] = mapped_column(Date, default=None)
    people_notified_on: Mapped[date | None] = mapped_column(Date, default=None)
    published_on: Mapped[date | None] = mapped_column(Date, default=None)
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the key id the row's *_enc columns are encrypted under
    key_id: Mapped[str] = mapped_column(String(32))


class IncidentLedgerRow(Base):
    """A row of the personal-information ledger the incident involves."""

    __tablename__ = "incident_ledger_rows"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    ledger_entry_id: Mapped[str] = mapped_column(
        ForeignKey("ledger_entries.id"), primary_key=True, index=True
    )


class IncidentEvent(Base):
    """One step of an incident's history: who did what, naming the fields changed (never
    their values)."""

    __tablename__ = "incident_events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    #: the field names (or the step), comma-separated
    fields: Mapped[str] = mapped_column(Text, default="")


class IncidentPerson(Base):
    """An affected person to notify; name and addresses encrypted."""

    __tablename__ = "incident_people"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    #: the order the people were added in (the list's order)
    seq: Mapped[int] = mapped_column(Integer)
    name_enc: Mapped[str] = mapped_column(Text)
    email_enc: Mapped[str | None] = mapped_column(Text, default=None)
    postal_address_enc: Mapped[str | None] = mapped_column(Text, default=None)
    lang: Mapped[str] = mapped_column(String(2))
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("subjects.id"), default=None)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: ``email`` or ``post``
    method: Mapped[str | None] = mapped_column(String(10), default=None)
    #: neither address: the alternative measures reach them (R-BR-7)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    key_id: Mapped[str] = mapped_column(String(32))


class IncidentReminder(Base):
    """A deadline reminder sent: one per incident, stage and day at most."""

    __tablename__ = "incident_reminders"
    __table_args__ = (UniqueConstraint("incident_id", "stage", "day"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"))
    #: ``preliminary`` or ``final``
    stage: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: how many addresses it went to
    recipients: Mapped[int] = mapped_column(Integer, default=0)
