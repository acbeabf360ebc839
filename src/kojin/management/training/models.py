"""ORM models of the training records (R-PM-4): courses, the roster of workers and who
completed which course when.

A worker's name is encrypted (``name_enc``, context ``training_workers.name:<row id>``); the
employee number, department, kind and dates are plain columns, so the overdue list and the
figures are read without decrypting anything.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class TrainingCourse(Base):
    """A course: part of the yearly round every worker takes, or a one-off."""

    __tablename__ = "training_courses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    yearly: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingWorker(Base):
    """A worker on the roster (officers, employees and temporary staff alike)."""

    __tablename__ = "training_workers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(40), unique=True)
    name_enc: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(200))
    #: ``officer``, ``employee`` or ``temporary``
    kind: Mapped[str] = mapped_column(String(12))
    joined_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the key id ``name_enc`` is encrypted under
    key_id: Mapped[str] = mapped_column(String(32))


class TrainingRecord(Base):
    """A worker completed a course on a day (once per worker, course and day)."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("worker_id", "course_id", "completed_on"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("training_workers.id"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("training_courses.id"))
    completed_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
