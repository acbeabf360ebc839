"""The sample company's SQL stores: tables, a fresh schema per build, and bulk loading.

A SQLite store is a file of its own. On PostgreSQL and MariaDB the tables go into a new schema
(a MariaDB database) with a unique name, which :func:`drop_schema` removes. Rows are loaded in
bulk: COPY on PostgreSQL, executemany in batches elsewhere; the secondary indexes are built after
the load, as one would for a large import.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.engine import make_url

BATCH = 20_000


def shop_tables(schema: str | None) -> sa.MetaData:
    metadata = sa.MetaData(schema=schema)
    sa.Table(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_number", sa.String(20), nullable=False, unique=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("name_kana", sa.String(100)),
        sa.Column("phone", sa.String(20)),
        sa.Column("postal_code", sa.String(8)),
        sa.Column("address", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("ordered_on", sa.Date, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("shipping_address", sa.String(200)),
    )
    sa.Table(
        "order_items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
    )
    sa.Table(
        "payments",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("billed_name", sa.String(100)),
        sa.Column("card_last4", sa.String(4)),
        sa.Column("issued_on", sa.Date, nullable=False),
    )
    return metadata


def _folded(column: sa.Column[str], dialect: str) -> sa.ColumnElement[str]:
    """An e-mail column as it is looked up (case-insensitively): ``lower(email)`` where the
    database indexes expressions; MariaDB compares without case in its default collation."""
    return sa.func.lower(column) if dialect in ("postgresql", "sqlite") else column


def shop_indexes(metadata: sa.MetaData, dialect: str) -> list[sa.Index]:
    t = metadata.tables
    prefix = f"{metadata.schema}." if metadata.schema else ""
    return [
        sa.Index("ix_customers_email", _folded(t[f"{prefix}customers"].c.email, dialect)),
        sa.Index("ix_customers_phone", t[f"{prefix}customers"].c.phone),
        sa.Index("ix_orders_customer_id", t[f"{prefix}orders"].c.customer_id),
        sa.Index("ix_order_items_order_id", t[f"{prefix}order_items"].c.order_id),
        sa.Index("ix_payments_order_id", t[f"{prefix}payments"].c.order_id),
    ]


def support_tables(schema: str | None) -> sa.MetaData:
    metadata = sa.MetaData(schema=schema)
    sa.Table(
        "tickets",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text),
        sa.Column("opened_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "ticket_messages",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("author_email", sa.String(254), nullable=False),
        sa.Column("body", sa.Text),
    )
    sa.Table(
        "newsletter_subscriptions",
        metadata,
        sa.Column("email", sa.String(254), primary_key=True),
        sa.Column("subscribed_at", sa.DateTime, nullable=False),
    )
    return metadata


def support_indexes(metadata: sa.MetaData, dialect: str) -> list[sa.Index]:
    t = metadata.tables
    prefix = f"{metadata.schema}." if metadata.schema else ""
    messages = t[f"{prefix}ticket_messages"].c
    return [
        sa.Index("ix_tickets_email", _folded(t[f"{prefix}tickets"].c.email, dialect)),
        sa.Index("ix_ticket_messages_ticket_id", messages.ticket_id),
        sa.Index("ix_ticket_messages_author_email", _folded(messages.author_email, dialect)),
    ]


def new_schema(url: str, prefix: str) -> str | None:
    """Create a schema (a MariaDB database) with a unique name on the server at `url`; None
    for SQLite, whose store is a file of its own."""
    if make_url(url).get_backend_name() == "sqlite":
        return None
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.schema.CreateSchema(name))
    finally:
        engine.dispose()
    return name


def drop_schema(url: str, schema: str) -> None:
    """Drop a schema made by :func:`new_schema`, with everything in it."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            cascade = engine.dialect.name == "postgresql"
            conn.execute(sa.schema.DropSchema(schema, cascade=cascade, if_exists=True))
    finally:
        engine.dispose()


def _batches(rows: Iterable[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def load(engine: sa.Engine, table: sa.Table, rows: Iterable[tuple[object, ...]]) -> None:
    """Insert `rows` (tuples in column order) into `table` in bulk: COPY on PostgreSQL,
    SQLAlchemy's batched multi-row INSERT on MariaDB, the driver's executemany on SQLite (values
    passed through the column types' own converters, as SQLAlchemy would)."""
    if engine.dialect.name == "postgresql":
        _copy(engine, table, rows)
        return
    if engine.dialect.name != "sqlite":
        names = [c.name for c in table.columns]
        with engine.begin() as conn:
            for batch in _batches(rows, BATCH):
                conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in batch])
        return
    dialect = engine.dialect
    statement = table.insert().compile(dialect=dialect)
    converters = [c.type.bind_processor(dialect) for c in table.columns]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for batch in _batches(rows, BATCH):
            converted = [
                tuple(
                    v if f is None or v is None else f(v)
                    for f, v in zip(converters, r, strict=True)
                )
                for r in batch
            ]
            cursor.executemany(str(statement), converted)
        cursor.close()
        raw.commit()
    finally:
        raw.close()


def _copy(engine: sa.Engine, table: sa.Table, rows: Iterable[tuple[object, ...]]) -> None:
    from psycopg import sql

    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        target = (
            sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)
        )
        columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(target, columns)
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
