"""A draft data map from a live database, for a person to review (``kojin datamap infer``).

SQLAlchemy's inspector gives the tables, columns, primary keys and foreign keys (a foreign key
becomes a reference with direction ``from`` on the referencing column: the referenced rows'
values find these rows). Up to `sample_rows` rows per table are classified by kojin's own column
classifier (:class:`kojin.discovery.columns.ColumnClassifier`, the same one ``kojin scan`` uses)
to fill each column's ``kinds`` and to suggest which columns identify a person. The sampled
values stay inside this function: nothing is logged and the map holds no value.

Suggestions: e-mail and phone columns identify a person by those identities; a column named like
a customer or member number whose sampled values are unique (or that has a unique constraint)
by customer number. A personal column gets ``set_null`` when it may be NULL and ``hmac`` when
it may not; a personal primary key makes the table's erasure ``delete_row``; personal foreign
keys are kept, so references stay whole. Tables and columns whose names are not data map keys
(letters, digits, ``_`` and ``-``) are left out.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from kojin.connectors.sql_errors import driver_reason
from kojin.datamap.model import (
    Collection,
    DataMap,
    Dataset,
    Direction,
    Erasure,
    Identity,
    MapField,
    Reference,
    StoreKind,
    Strategy,
    System,
)
from kojin.discovery.columns import ColumnClass, ColumnClassifier
from kojin.discovery.detector_catalogue import load_registry
from kojin.errors import ConfigurationError, InputError

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,127}$")
_CUSTOMER_NUMBER = re.compile(
    r"(^|_)(customer|member|client|account)_?(no|num|number|id|code|cd)$|顧客番号|会員番号|顧客ID",
    re.IGNORECASE,
)
_IDENTITY_BY_KIND = {"email": Identity.EMAIL, "phone_number": Identity.PHONE_NUMBER}


def _key(name: str | None, fallback: str) -> str:
    """`name` as a data map key (invalid characters as ``_``), or `fallback`."""
    text = re.sub(r"[^A-Za-z0-9_\-]", "_", name or "")[:128]
    if not text or not re.match(r"[A-Za-z_]", text):
        text = f"_{text}"[:128] if text else fallback
    return text


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return None
    return str(value)


def _data_type(column: ReflectedColumn, dialect: sa.Dialect) -> str | None:
    try:
        text = str(column["type"].compile(dialect=dialect))
    except Exception:  # a type the dialect cannot render: its class name will do
        text = type(column["type"]).__name__
    return text[:50] or None


def infer_datamap(url: str, *, sample_rows: int = 200, schema: str | None = None) -> DataMap:
    """A draft map of the database at `url` (or its schema `schema`): one system, one dataset."""
    try:
        engine = sa.create_engine(url, hide_parameters=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise InputError(
            f"not a usable database URL ({type(exc).__name__}); the URL is not shown", field="url"
        ) from None
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database:
        database = Path(database).stem
    system_key = _key(database, "database")
    dataset_key = _key(schema or database, system_key)
    classifier = ColumnClassifier(load_registry())
    try:
        with engine.connect() as conn:
            collections = _collections(conn, classifier, sample_rows, schema, dataset_key)
    except SQLAlchemyError as exc:
        raise ConfigurationError(
            f"reading the database's tables failed ({driver_reason(exc)}); the URL is not shown"
        ) from None
    finally:
        engine.dispose()
    dataset = Dataset(
        key=dataset_key,
        schema_name=schema if schema and _KEY.match(schema) else None,
        collections=tuple(collections),
    )
    return DataMap(systems=(System(key=system_key, store=StoreKind.SQL, datasets=(dataset,)),))


def _collections(
    conn: sa.Connection,
    classifier: ColumnClassifier,
    sample_rows: int,
    schema: str | None,
    dataset_key: str,
) -> list[Collection]:
    inspector = sa.inspect(conn)
    collections = []
    for name in sorted(inspector.get_table_names(schema=schema)):
        if not _KEY.match(name):
            continue
        columns = [c for c in inspector.get_columns(name, schema=schema) if _KEY.match(c["name"])]
        if not columns:
            continue
        primary = list(
            inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or []
        )
        unique = _unique_columns(inspector, name, schema)
        references = _references(inspector, name, schema, dataset_key)
        sample = _sample(conn, name, schema, [c["name"] for c in columns], sample_rows)
        classes = (
            {c.column: c for c in classifier.classify(table=sample, name=name)}
            if sample.num_rows
            else {}
        )
        fields = []
        personal_key = False
        for column in columns:
            field = _field(
                column,
                conn.dialect,
                cls=classes.get(column["name"]),
                primary=column["name"] in primary,
                unique=column["name"] in unique or _distinct(sample, column["name"]),
                references=references.get(column["name"], ()),
            )
            personal_key = personal_key or (field.primary_key and field.personal)
            fields.append(field)
        collections.append(
            Collection(
                name=name,
                fields=tuple(fields),
                erasure=Strategy.DELETE_ROW if personal_key else None,
            )
        )
    return collections


def _unique_columns(inspector: sa.Inspector, table: str, schema: str | None) -> set[str]:
    """Columns unique on their own, by a unique constraint or index (expression indexes,
    which SQLAlchemy cannot reflect on SQLite and warns about, are not needed here)."""
    single: set[str] = set()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Skipped unsupported reflection", category=sa.exc.SAWarning
        )
        constraints = inspector.get_unique_constraints(table, schema=schema)
        indexes = inspector.get_indexes(table, schema=schema)
    for constraint in constraints:
        names = constraint.get("column_names") or []
        if len(names) == 1:
            single.add(str(names[0]))
    for index in indexes:
        names = [n for n in index.get("column_names") or [] if n is not None]
        if index.get("unique") and len(names) == 1:
            single.add(str(names[0]))
    return single


def _references(
    inspector: sa.Inspector, table: str, schema: str | None, dataset_key: str
) -> dict[str, tuple[Reference, ...]]:
    """Foreign keys within the dataset (the same schema), as references on the referencing
    columns."""
    found: dict[str, list[Reference]] = {}
    for fk in inspector.get_foreign_keys(table, schema=schema):
        if fk.get("referred_schema") not in (None, schema):
            continue
        target = fk["referred_table"]
        pairs = zip(fk["constrained_columns"], fk["referred_columns"], strict=False)
        for source, field in pairs:
            if not (_KEY.match(target) and _KEY.match(field) and _KEY.match(source)):
                continue
            found.setdefault(source, []).append(
                Reference(
                    dataset=dataset_key, collection=target, field=field, direction=Direction.FROM
                )
            )
    return {k: tuple(v) for k, v in found.items()}


def _sample(
    conn: sa.Connection, table: str, schema: str | None, columns: Sequence[str], rows: int
) -> pa.Table:
    if rows <= 0:
        return pa.table({c: pa.array([], type=pa.string()) for c in columns})
    clause = sa.table(table, *(sa.column(c) for c in columns), schema=schema)
    result = conn.execute(sa.select(*clause.c).limit(rows)).fetchall()
    return pa.table(
        {
            c: pa.array([_text(r[i]) for r in result], type=pa.string())
            for i, c in enumerate(columns)
        }
    )


def _distinct(sample: pa.Table, column: str) -> bool:
    """True when the sampled values are all present and all different."""
    if not sample.num_rows:
        return False
    values = sample.column(column)
    return bool(values.null_count == 0 and len(set(values.to_pylist())) == sample.num_rows)


def _field(
    column: ReflectedColumn,
    dialect: sa.Dialect,
    *,
    cls: ColumnClass | None,
    primary: bool,
    unique: bool,
    references: Sequence[Reference],
) -> MapField:
    name = str(column["name"])
    kinds = (cls.kind,) if cls is not None and cls.kind is not None and cls.personal else ()
    identity = _IDENTITY_BY_KIND.get(kinds[0]) if kinds else None
    if identity is None and unique and not references and _CUSTOMER_NUMBER.search(name):
        identity = Identity.CUSTOMER_NUMBER
    personal = bool(kinds) or identity is not None
    erasure = None
    if personal and not primary:
        if references:
            erasure = Erasure(strategy=Strategy.KEEP)
        elif column.get("nullable", True):
            erasure = Erasure(strategy=Strategy.SET_NULL)
        else:
            erasure = Erasure(strategy=Strategy.HMAC)
    return MapField(
        name=name,
        kinds=kinds,
        identity=identity,
        primary_key=primary,
        references=tuple(references),
        erasure=erasure,
        data_type=_data_type(column, dialect),
    )
