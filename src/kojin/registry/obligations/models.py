"""ORM models of the obligation tasks: one row per duty, recipient and purpose (and round, for
periodic duties), and the history of each task.

The owner's name is personal data when the owner is a person, and a due-date change's reason or
a document's description may name people: they are stored encrypted (``*_enc``, context
``<table>.<column>:<row id>``). Everything the lists, the dashboard and the reminders filter on
(code, status, due date, owner kind) is a plain column.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class ObligationTask(Base):
    """A duty some recorded decisions created, followed until evidence closes it."""

    __tablename__ = "obligation_tasks"
    __table_args__ = (UniqueConstraint("task_key", "round"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: SHA-256 (hex) of the duty and its scope (:func:`kojin.law.obligation_schedule.task_key`)
    task_key: Mapped[str] = mapped_column(String(64), index=True)
    #: 1 for the first round; a periodic task's next round is a new row with round + 1
    round: Mapped[int] = mapped_column(Integer, default=1)
    code: Mapped[str] = mapped_column(String(40), index=True)
    rule: Mapped[str] = mapped_column(String(20))
    citation: Mapped[str] = mapped_column(String(60))
    timing: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text, default=None)
    recipient_name: Mapped[str | None] = mapped_column(Text, default=None)
    recipient_country: Mapped[str | None] = mapped_column(String(16), default=None)
    dataset_id: Mapped[str | None] = mapped_column(String(32), default=None)
    subject_id: Mapped[str | None] = mapped_column(String(32), default=None)
    first_decision_id: Mapped[str | None] = mapped_column(String(32), default=None)
    last_decision_id: Mapped[str | None] = mapped_column(String(32), default=None)
    decision_count: Mapped[int] = mapped_column(Integer, default=0)
    first_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: ``department`` or ``person`` (None: not assigned yet)
    owner_kind: Mapped[str | None] = mapped_column(String(12), default=None)
    #: the department's or person's name, encrypted
    owner_enc: Mapped[str | None] = mapped_column(Text, default=None)
    #: the keyed blind index of the owner's name, to find a department's or person's tasks
    owner_index: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    #: ``open`` or ``done``
    status: Mapped[str] = mapped_column(String(10), index=True)
    #: ``document`` or ``record`` once closed
    evidence_kind: Mapped[str | None] = mapped_column(String(10), default=None)
    #: for ``record``: ``<kind>:<id>`` of the kojin record (plain: kinds and ids only)
    evidence_record: Mapped[str | None] = mapped_column(String(60), default=None)
    #: for ``document``: its description and reference as JSON, encrypted
    evidence_enc: Mapped[str | None] = mapped_column(Text, default=None)
    closed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: the day (Asia/Tokyo) the task was closed: what "closed late" compares with due_on
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the key id the row's *_enc columns are encrypted under (None: nothing encrypted yet)
    key_id: Mapped[str | None] = mapped_column(String(32), default=None)


class ObligationTaskEvent(Base):
    """One step of a task's history: who did what, naming fields (never their values)."""

    __tablename__ = "obligation_task_events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("obligation_tasks.id"), index=True)
    #: the step's number in the task's history (1: opened)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    #: the field names changed, comma-separated
    fields: Mapped[str] = mapped_column(Text, default="")
    #: a reason staff gave (a due-date change), encrypted
    note_enc: Mapped[str | None] = mapped_column(Text, default=None)
    key_id: Mapped[str | None] = mapped_column(String(32), default=None)


class ObligationTaskReminder(Base):
    """A reminder sent: one per task, stage (``overdue`` / ``due_soon``) and day at most."""

    __tablename__ = "obligation_task_reminders"
    __table_args__ = (UniqueConstraint("task_id", "stage", "day"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("obligation_tasks.id"))
    stage: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
