"""ORM models of internal audits: the audit, its checklist items, findings and corrective
actions.

What auditors type (notes, a finding's description and root cause, an action, its
effectiveness check) and the names of people (the lead auditor, an action's owner) may hold
personal data: they are stored encrypted (``*_enc``, context ``<table>.<column>:<row id>``).
Counts, dates, results, statuses and control ids are plain columns, so the lists and the
figures read them without decrypting anything. The automatic evidence of an item is a JSON
snapshot of counts (never a value from a record) with the moment it was collected.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class Audit(Base):
    """One internal audit: its period, scope, lead auditor, dates and status."""

    __tablename__ = "audits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the public reference, ``AUD-YYYY-NN`` numbered per year of the planned date
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    #: the departments audited, as a JSON list of names
    scope_departments: Mapped[str] = mapped_column(Text, default="[]")
    #: the lead auditor's name, encrypted; their department in plain (R-PM-5 independence)
    lead_auditor_enc: Mapped[str] = mapped_column(Text)
    lead_auditor_department: Mapped[str] = mapped_column(String(200))
    planned_on: Mapped[date] = mapped_column(Date)
    performed_on: Mapped[date | None] = mapped_column(Date, default=None)
    reported_on: Mapped[date | None] = mapped_column(Date, default=None)
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(12), index=True)
    #: the auditor's summary for top management, encrypted
    summary_enc: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(32))


class AuditItem(Base):
    """One control of the checklist: its evidence, result and notes."""

    __tablename__ = "audit_items"
    __table_args__ = (UniqueConstraint("audit_id", "control_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    control_id: Mapped[str] = mapped_column(String(20))
    #: the evidence source (:class:`kojin.law.controls.EvidenceSource`)
    source: Mapped[str] = mapped_column(String(30))
    #: the automatic evidence: a JSON object of counts, and when it was collected
    evidence: Mapped[str | None] = mapped_column(Text, default=None)
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    result: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    notes_enc: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_by: Mapped[str | None] = mapped_column(String(200), default=None)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    key_id: Mapped[str] = mapped_column(String(32))


class AuditFinding(Base):
    """A nonconformity or an observation found on a checklist item (R-PM-7)."""

    __tablename__ = "audit_findings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("audit_items.id"), index=True)
    #: numbered within the audit, 1, 2, ...
    number: Mapped[int] = mapped_column(Integer)
    #: ``nonconformity`` or ``observation``
    kind: Mapped[str] = mapped_column(String(20))
    description_enc: Mapped[str] = mapped_column(Text)
    root_cause_enc: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(32))


class AuditAction(Base):
    """A corrective action for a finding: who does what by when, and whether it worked."""

    __tablename__ = "audit_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("audit_findings.id"), index=True)
    action_enc: Mapped[str] = mapped_column(Text)
    #: the owner: a department (plain) and, optionally, a person (encrypted)
    owner_department: Mapped[str] = mapped_column(String(200))
    owner_person_enc: Mapped[str | None] = mapped_column(Text, default=None)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    #: ``open``, ``done`` or ``verified``
    status: Mapped[str] = mapped_column(String(10), index=True)
    done_on: Mapped[date | None] = mapped_column(Date, default=None)
    verified_on: Mapped[date | None] = mapped_column(Date, default=None)
    #: the effectiveness check (R-PM-7), encrypted
    effectiveness_enc: Mapped[str | None] = mapped_column(Text, default=None)
    follow_up_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(32))
