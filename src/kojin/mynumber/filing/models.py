"""ORM models of filing and retention, in the registry database (names do not start with
``mynumber_``: the vault's migrations own those).

No row holds an individual number. A payment's kind-specific fields (a property's location, the
remarks, a broker's name...) may describe a person, so they are kept encrypted under the
registry's field cipher (context ``filing_payments.fields:<id>``), as subjects' identifiers
are; amounts and dates stay in clear so that annual totals are sums in the database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kojin.db.base import Base, UTCDateTime, utcnow

#: a yen amount: a BIGINT, as SQLite's INTEGER on SQLite
Yen = BigInteger().with_variant(Integer, "sqlite")


class FilingPayment(Base):
    """One payment to a person for a number-related affair: the input of a payment record."""

    __tablename__ = "filing_payments"
    __table_args__ = (Index("ix_filing_payments_affair_paid_on", "affair", "paid_on"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the payee: a registry subject of a specific personal information category
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    #: the affair: a purpose id the policy marks with a payment record
    affair: Mapped[str] = mapped_column(String(64))
    #: the payment record it belongs to (:class:`kojin.law.mynumber_vocabulary.PaymentRecordKind`)
    kind: Mapped[str] = mapped_column(String(32))
    paid_on: Mapped[date] = mapped_column(Date)
    amount_yen: Mapped[int] = mapped_column(Yen)
    withheld_yen: Mapped[int] = mapped_column(Yen, default=0)
    #: the kind-specific fields as JSON, encrypted (see the module docstring)
    fields_enc: Mapped[str] = mapped_column(Text)
    #: the key id `fields_enc` is encrypted under (rotation finds stale rows)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class FilingExport(Base):
    """One payment-record CSV handed out: what it covered and the SHA-256 of its bytes."""

    __tablename__ = "filing_exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    affair: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    #: data rows in the file, and the payees they are about
    rows: Mapped[int] = mapped_column(Integer)
    payees: Mapped[int] = mapped_column(Integer)
    #: payees whose annual total was below the filing threshold and were left out
    below_threshold: Mapped[int] = mapped_column(Integer, default=0)
    #: the file's name (no folder): where the CLI wrote it, or the download's name
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    exported_by: Mapped[str] = mapped_column(String(200))
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: when the file was reported deleted (None: still held somewhere)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    deleted_by: Mapped[str | None] = mapped_column(String(200), default=None)


class FilingRetentionItem(Base):
    """A document holding a vault record's number, which must be kept until `retention_until`.

    ``record_id`` names a vault record (no foreign key: the vault may live in another
    database). Exports add a ``payment_record`` item per person (``source`` ``export``);
    a person in charge adds the others (``manual``), e.g. a dependants' deduction form.
    """

    __tablename__ = "filing_retention_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(32), index=True)
    #: the document kind: a :class:`~kojin.law.mynumber_vocabulary.RetentionDocument` value or a
    #: kind the retention file adds
    document: Mapped[str] = mapped_column(String(64))
    #: the affair the document serves, when it serves one
    affair: Mapped[str | None] = mapped_column(String(64), default=None)
    #: the date the rule counts from (its meaning is the rule's ``start``)
    reference_date: Mapped[date] = mapped_column(Date)
    #: the end of retention as the rules in force computed it when the item was recorded
    retention_until: Mapped[date] = mapped_column(Date)
    #: ``export`` or ``manual``
    source: Mapped[str] = mapped_column(String(16))
    export_id: Mapped[str | None] = mapped_column(ForeignKey("filing_exports.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
