"""ORM model of the risk assessments (R-PM-2).

What staff type (the risk, the measures and the owner, who may be a person) is stored encrypted
as one JSON object (``details_enc``, context ``risk_assessments.details:<row id>``); the stage,
the levels, the evaluation, the rule ids and the dates are plain columns, so the lists, what is
due and the figures are read without decrypting the text.
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
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    #: ``accept`` or ``treat``
    evaluation: Mapped[str] = mapped_column(String(10))
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    residual_likelihood: Mapped[int] = mapped_column(Integer)
    residual_impact: Mapped[int] = mapped_column(Integer)
    #: residual likelihood × residual impact (1-9), for sorting and counting
    residual_score: Mapped[int] = mapped_column(Integer, index=True)
    #: the risk, the measures and the owner, as one JSON object, encrypted
    details_enc: Mapped[str] = mapped_column(Text)
    assessed_on: Mapped[date] = mapped_column(Date)
    next_review: Mapped[date] = mapped_column(Date, index=True)
    #: when the last assessment or review was recorded; a ledger row changed later is stale
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assessed_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the key id ``details_enc`` is encrypted under
    key_id: Mapped[str] = mapped_column(String(32))
