"""The data map as values: systems, datasets, collections and fields.

A field is addressed as ``dataset.collection.field`` (dataset keys are unique across a map, as in
Fides). A reference on a field names another field; its direction says which way values flow
when a person's rows are located: ``from`` (the other field's values find rows here), ``to``
(this field's values find rows there) or both when no direction is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: keys of systems, datasets, collections and fields: what SQL and file names allow, bounded
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]{0,127}$")]


class StoreKind(StrEnum):
    """Where a system keeps its data."""

    #: a database reached through SQLAlchemy (PostgreSQL, MariaDB/MySQL, SQLite)
    SQL = "sql"
    #: CSV and Parquet files read and rewritten through DuckDB
    FILES = "files"


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


class Identity(StrEnum):
    """The identities a request can carry, and which fields hold them (Fides' names kept)."""

    EMAIL = "email"
    PHONE_NUMBER = "phone_number"
    CUSTOMER_NUMBER = "customer_number"
    NAME = "name"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"


class Direction(StrEnum):
    """Which way values flow along a reference when rows are located."""

    #: the referenced field's values find rows of this collection
    FROM = "from"
    #: this field's values find rows of the referenced collection
    TO = "to"
    #: both ways
    BOTH = "both"


class Strategy(StrEnum):
    """How a field (or a whole row) is erased (Art. 35; R-RT-6)."""

    #: delete the whole row (a collection-level strategy)
    DELETE_ROW = "delete_row"
    SET_NULL = "set_null"
    #: replace with the field's fixed value
    FIXED = "fixed"
    #: replace with a keyed HMAC token of the value: the same value gives the same token in
    #: every store, so joins still work, and nothing can be read back
    HMAC = "hmac"
    #: leave as it is (not personal, or needed to keep references whole)
    KEEP = "keep"


class LocalText(BaseModel):
    """A text in English and Japanese."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1, max_length=500)
    ja: str = Field(min_length=1, max_length=500)


class Reference(BaseModel):
    """A reference from a field to ``dataset.collection.field``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: Key
    collection: Key
    field: Key
    direction: Direction = Direction.BOTH


class Erasure(BaseModel):
    """A field's erasure strategy; `value` is the replacement of :attr:`Strategy.FIXED`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    strategy: Strategy
    value: str | int | None = None


class RetentionHold(BaseModel):
    """A legal duty to keep rows for a time (e.g. 7 years for tax records): erasure keeps a row
    until `years` after the date in `since_field` (or after the row was located, without one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: why, in both languages, as the person is told ("tax records: Income Tax Act Art. 150")
    reason: LocalText
    years: int = Field(ge=1, le=100)
    since_field: Key | None = None
    citation: str | None = Field(default=None, max_length=200)


class MapField(BaseModel):
    """One field of a collection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Key
    description: str | None = Field(default=None, max_length=1000)
    #: discovery kinds it holds (``email``, ``person_name``, ...; kojin.discovery's names)
    kinds: tuple[str, ...] = ()
    #: Fides data categories, kept as given (``user.contact.email``)
    data_categories: tuple[str, ...] = ()
    #: the identity this field holds, when a request's identity can find rows by it
    identity: Identity | None = None
    primary_key: bool = False
    references: tuple[Reference, ...] = ()
    #: None: the collection's default (set null for personal fields, keep the rest)
    erasure: Erasure | None = None
    data_type: str | None = Field(default=None, max_length=50)

    @property
    def personal(self) -> bool:
        """True when the field holds personal data by its kinds, categories or identity."""
        return bool(
            self.kinds
            or self.identity is not None
            or any(c == "user" or c.startswith("user.") for c in self.data_categories)
        )


class Collection(BaseModel):
    """A table, or a CSV or Parquet file (`path`, relative to the map's file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Key
    description: str | None = Field(default=None, max_length=1000)
    #: files: where the data is (a file or a glob), and its format
    path: str | None = Field(default=None, max_length=1000)
    format: FileFormat | None = None
    #: the policy's person category the rows are about (``customer``); None: the system's
    category: str | None = Field(default=None, max_length=100)
    #: the ledger rows that declare this data, by their item text
    ledger_items: tuple[str, ...] = ()
    #: the collection's erasure: DELETE_ROW deletes the person's rows; None: per field
    erasure: Strategy | None = None
    retention_hold: RetentionHold | None = None
    fields: tuple[MapField, ...]

    def field(self, name: str) -> MapField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.primary_key)


class Dataset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    #: the database schema the collections are in (PostgreSQL schema, MariaDB database); None:
    #: the connection's default
    schema_name: Key | None = None
    collections: tuple[Collection, ...]

    def collection(self, name: str) -> Collection | None:
        return next((c for c in self.collections if c.name == name), None)


class System(BaseModel):
    """A system of the company's: one store (a database, or a folder of files)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: LocalText | None = None
    store: StoreKind
    #: the policy's person category the data is about, unless a collection says otherwise
    category: str | None = Field(default=None, max_length=100)
    #: the department responsible (told to staff when the system must be notified)
    department: str | None = Field(default=None, max_length=200)
    datasets: tuple[Dataset, ...]


class DataMap(BaseModel):
    """A whole map; `base_dir` is where relative file paths are resolved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    systems: tuple[System, ...]
    base_dir: str = "."

    def locations(self) -> list[Location]:
        """Every collection with its system and dataset, in the map's order."""
        return [
            Location(system, dataset, collection)
            for system in self.systems
            for dataset in system.datasets
            for collection in dataset.collections
        ]

    def find(self, dataset: str, collection: str) -> Location | None:
        return next(
            (
                loc
                for loc in self.locations()
                if loc.dataset.key == dataset and loc.collection.name == collection
            ),
            None,
        )


@dataclass(frozen=True)
class Location:
    """A collection together with the system and dataset it belongs to."""

    system: System
    dataset: Dataset
    collection: Collection

    @property
    def address(self) -> str:
        """``dataset.collection``: how references and messages name it."""
        return f"{self.dataset.key}.{self.collection.name}"

    @property
    def category(self) -> str | None:
        return self.collection.category or self.system.category
