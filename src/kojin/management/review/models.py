"""ORM model of the management review (JIS Q 15001; R-PM-8): one row per review.

The inputs gathered for the review's period are figures (counts by kind and month), stored as
one plain JSON snapshot (``inputs``) with the moment it was taken, so the report shows what the
top manager saw even after the records change. What the office and the top manager typed (the
title, changes in law, improvement opportunities, the top manager's name, the decisions and
notes) is one JSON object stored encrypted (``details_enc``, context
``management_reviews.details:<row id>``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class ManagementReview(Base):
    """A management review of one period: its inputs, and the top manager's outputs."""

    __tablename__ = "management_reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``MR-YYYY-NN``, numbered per year of creation
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    #: ``draft`` (inputs may be gathered again) or ``decided`` (the outputs are recorded)
    status: Mapped[str] = mapped_column(String(10), index=True)
    #: the period reviewed, both days included (dates in Japan)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    #: the figures of the period (a :class:`~kojin.management.review.schemas.ReviewInputs`)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    inputs_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the day the top manager held the review
    held_on: Mapped[date | None] = mapped_column(Date, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: everything typed, as one JSON object, encrypted
    details_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the key id ``details_enc`` is encrypted under
    key_id: Mapped[str] = mapped_column(String(32))
