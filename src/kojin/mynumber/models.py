"""ORM tables of the My Number vault, all named ``mynumber_*``, on a declarative base of their own.

They live in the vault's database: the registry's by default, or its own
(``KOJIN_VAULT_DATABASE_URL``). Their schema is made by the vault's own migrations
(:mod:`kojin.migrations.vault`), so nothing links them to registry tables by foreign key: a
record names its person by the registry subject's id.

The number exists only as AES-GCM ciphertext under the record's data key, and the data key only
wrapped by a vault key kept outside any database. Disposal deletes the data key's row and nulls
the ciphertext; the record row stays, with who disposed of it, when and why, and no number.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kojin.db.base import NAMING_CONVENTION, UTCDateTime

#: the prefix of every vault table (the registry's migrations leave such tables alone)
TABLE_PREFIX = "mynumber_"

#: a record's status
ACTIVE = "active"
DISPOSED = "disposed"
#: how a record was disposed of: its data key destroyed (the only method the vault uses)
CRYPTO_SHREDDING = "crypto_shredding"


def include_vault_name(name: str | None, type_: str, _parents: object) -> bool:
    """For Alembic's comparisons: the vault's tables only (it may share the registry's
    database)."""
    return type_ != "table" or (name is not None and name.startswith(TABLE_PREFIX))


class VaultBase(DeclarativeBase):
    """Base of the vault's tables: a MetaData of its own, named like the registry's."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class NumberRecord(VaultBase):
    """One person's individual number, acquired for stated affairs (R-MN-2, R-MN-4)."""

    __tablename__ = "mynumber_records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the registry subject (of a specific-personal category) the number belongs to
    subject_id: Mapped[str] = mapped_column(String(32), index=True)
    #: the subject's id while the record is active, else NULL: one active record per person
    active_subject: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    #: the subject's category (one the policy marks specific personal information)
    category: Mapped[str] = mapped_column(String(100))
    #: the affairs (purpose ids of the category) the number was acquired for
    affairs: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE, index=True)
    #: AES-GCM ciphertext of the 12 digits under the record's data key; NULL once disposed of
    number_ct: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    nonce: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: how the number and identity were verified (MNA Art. 16) and the documents' types
    route: Mapped[str] = mapped_column(String(40))
    document_types: Mapped[list[str]] = mapped_column(JSON)
    #: the purpose of use was stated to the person when the number was acquired
    purpose_stated: Mapped[bool] = mapped_column(Boolean)
    acquired_on: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by: Mapped[str] = mapped_column(String(200))
    #: the day the affairs ended (retention runs from here; R-MN-7); NULL while they continue
    affairs_ended_on: Mapped[date | None] = mapped_column(Date, default=None)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    disposed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    disposal_reason: Mapped[str | None] = mapped_column(Text, default=None)
    disposal_method: Mapped[str | None] = mapped_column(String(40), default=None)


class DataKey(VaultBase):
    """A record's data key, wrapped by a vault key; deleted when the record is disposed of."""

    __tablename__ = "mynumber_data_keys"

    record_id: Mapped[str] = mapped_column(ForeignKey("mynumber_records.id"), primary_key=True)
    #: the vault key (a file in the vault keys folder) that wraps it
    vault_key_id: Mapped[str] = mapped_column(String(40), index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class IdentityDocumentImage(VaultBase):
    """An image of a document shown for the Art. 16 check, sealed under the record's data key
    and kept only for the holding period (``KOJIN_MYNUMBER_DOCUMENT_HOLDING_DAYS``)."""

    __tablename__ = "mynumber_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("mynumber_records.id"), index=True)
    document_type: Mapped[str] = mapped_column(String(60))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    #: AES-GCM ciphertext of the image; NULL once purged
    content_ct: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    nonce: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class HandlerDesignation(VaultBase):
    """A designated person in charge of specific personal information (R-MN-9): the affairs
    they handle and, optionally, the only people whose numbers they may see."""

    __tablename__ = "mynumber_handlers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the audit chain's label of the person or system: ``staff:<username>`` or ``token:<id>``
    actor: Mapped[str] = mapped_column(String(200), index=True)
    affairs: Mapped[list[str]] = mapped_column(JSON)
    #: the subjects this handler may handle; NULL: every person of those affairs
    subject_ids: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    department: Mapped[str] = mapped_column(String(200))
    designated_by: Mapped[str] = mapped_column(String(200))
    designated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
