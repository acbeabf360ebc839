"""ORM model of de-identified datasets: pseudonymized (Art. 41) and anonymized (Art. 43)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class DeidentifiedDataset(Base):
    """One creation of pseudonymized or anonymized information, and its provision status.

    Holds descriptions only (items, purposes, levels): never the data itself nor any key.
    """

    __tablename__ = "deidentified_datasets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``pseudonymized`` or ``anonymized`` (kojin.law.vocabulary.Form)
    form: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the policy category the source data belongs to
    category: Mapped[str] = mapped_column(String(100))
    purposes: Mapped[list[str]] = mapped_column(JSON)
    #: the published item lines (R-AN-3; for pseudonymized data, with the purposes, R-PS-3)
    items: Mapped[list[str]] = mapped_column(JSON)
    records: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the JSON report of the run (levels, models, risk), for the auditor
    report_sha256: Mapped[str] = mapped_column(String(64))
    #: pseudonymization key id (the key itself stays in its key file)
    key_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: anonymized information only: when it was first provided and how (R-AN-4)
    provided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    provision_method: Mapped[str | None] = mapped_column(Text, default=None)
