"""ORM model of the risk assessments (R-PM-2).

The risk and its measures describe threats and controls of a ledger row's handling, not people:
they are plain columns (and text holding a valid My Number is refused); the owner is a
department or a role.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class RiskAssessment(Base):
    """One risk of one ledger row at one lifecycle stage, analysed, evaluated and treated."""

    __tablename__ = "risk_assessments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ledger_entry_id: Mapped[str] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    #: the lifecycle stage (:class:`~kojin.management.risks.schemas.Stage`)
    stage: Mapped[str] = mapped_column(String(30))
    risk: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    #: ``accept`` or ``treat``
    evaluation: Mapped[str] = mapped_column(String(10))
    measures: Mapped[str] = mapped_column(Text, default="")
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    residual_likelihood: Mapped[int] = mapped_column(Integer)
    residual_impact: Mapped[int] = mapped_column(Integer)
    #: residual likelihood × residual impact (1-9), for sorting and counting
    residual_score: Mapped[int] = mapped_column(Integer, index=True)
    owner: Mapped[str] = mapped_column(String(200))
    assessed_on: Mapped[date] = mapped_column(Date)
    next_review: Mapped[date] = mapped_column(Date, index=True)
    #: when the last assessment or review was recorded; a ledger row changed later is stale
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assessed_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
