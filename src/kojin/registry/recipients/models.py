"""ORM models of the recipient register: entrustees (APPI Art. 25; MNA Art. 11) and foreign
recipients with a Rule 16 system (APPI Art. 28(3); Rule 18), and their periodic checks.

The recipient's name and everything staff type about it (what is entrusted, the contract's
reference, the evaluation's notes, permitted sub-entrustees, the Art. 28(3) statement) are
stored encrypted (``*_enc``, context ``<table>.<column>:<row id>``): a recipient may be a sole
trader, and notes may name people. The name is matched by :attr:`Recipient.match_key`, the
SHA-256 of its normalized form, so a decision finds its recipient without decrypting anything.
The facts decisions and the dashboard read (kinds, country, dates, results, the next check's
due date) are plain columns, recomputed on every change.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow


class Recipient(Base):
    """One entrustee or foreign recipient, as the register keeps it."""

    __tablename__ = "recipients"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: SHA-256 (hex) of the normalized name: one active register entry per name (an ended one
    #: stays, and the name may be registered again)
    match_key: Mapped[str] = mapped_column(String(64), index=True)
    entrustee: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a recipient abroad with a Rule 16 system (equivalent measures)
    foreign_rule16: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ISO 3166-1 alpha-2, where the recipient handles the data
    country: Mapped[str] = mapped_column(String(16))
    #: the policy's category ids the recipient receives
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: entrusted with My Number affairs (MNA Art. 10-11, R-MN-8)
    my_number_affairs: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_date: Mapped[date | None] = mapped_column(Date, default=None)
    #: the contract's required items present (codes of ``ContractItem``)
    contract_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    evaluated_on: Mapped[date | None] = mapped_column(Date, default=None)
    #: ``suitable``, ``conditional`` or ``unsuitable``
    evaluation_result: Mapped[str | None] = mapped_column(String(20), default=None)
    sub_entrustment_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``contract``, ``group_rules`` or ``cbpr`` (Rule 16)
    rule16_basis: Mapped[str | None] = mapped_column(String(20), default=None)
    check_interval_days: Mapped[int] = mapped_column(Integer, default=365)
    #: ``active`` or ``ended``
    status: Mapped[str] = mapped_column(String(10), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, default=None)
    #: the latest check (by date) and its result
    last_check_on: Mapped[date | None] = mapped_column(Date, default=None)
    last_check_result: Mapped[str | None] = mapped_column(String(20), default=None)
    #: when the next check the recipient needs is due (the earliest of its kinds)
    next_check_due: Mapped[date] = mapped_column(Date, index=True)
    name_enc: Mapped[str] = mapped_column(Text)
    #: every other text staff typed, as one JSON object, encrypted
    details_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    key_id: Mapped[str] = mapped_column(String(32))


class RecipientCheck(Base):
    """One periodic check of a recipient: supervision of an entrustee (R-SEC-4, R-MN-8,
    R-PM-11), or of a foreign recipient's measures or its country's system (R-TP-FX-3)."""

    __tablename__ = "recipient_checks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    recipient_id: Mapped[str] = mapped_column(ForeignKey("recipients.id"), index=True)
    #: ``supervision``, ``foreign_measures`` or ``foreign_system``
    kind: Mapped[str] = mapped_column(String(20))
    checked_on: Mapped[date] = mapped_column(Date, index=True)
    #: ``satisfactory``, ``issues`` or ``failed``
    result: Mapped[str] = mapped_column(String(20))
    next_due: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    notes_enc: Mapped[str | None] = mapped_column(Text, default=None)
    actions_enc: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    key_id: Mapped[str] = mapped_column(String(32))
