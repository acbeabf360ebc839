"""build_company: the sample company's stores, files and data map, and what the target owns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import takewhile
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from kojin.connectors.base import Row, RowKey
from kojin.connectors.values import json_scalar
from kojin.datamap.model import DataMap, Identity, StoreKind

from .exports import write_contacts, write_events
from .mapping import EXPORTS, SHOP, SUPPORT, TAX_HOLD, company_datamap, datamap_yaml
from .people import TARGET, Rows, person, years_before
from .stores import (
    drop_schema,
    load,
    new_schema,
    shop_indexes,
    shop_tables,
    support_indexes,
    support_tables,
)

DATAMAP_FILE = "kojin-datamap.yaml"


@dataclass
class Company:
    """A built sample company.

    `expected` holds, per ``dataset.collection``, the keys of the rows about the target that a
    search from `identities` finds by following the map's references (e-mails compared without
    case: one support ticket has the address in capitals). `held` holds the target's payment
    keys still under the 7-year tax hold on `today`; every other row is someone else's and
    must stay as it is.
    """

    root: Path
    today: date
    people: int
    shop_url: str
    support_url: str
    shop_schema: str | None
    support_schema: str | None
    files_dir: Path
    datamap: DataMap
    datamap_file: Path
    datamap_text: str
    identities: dict[Identity, tuple[str, ...]]
    expected: dict[str, list[RowKey]]
    held: dict[str, list[RowKey]]
    counts: dict[str, int]
    _dropped: bool = field(default=False, repr=False)

    @property
    def store_urls(self) -> dict[str, str]:
        """URLs by system key, as ``KOJIN_STORE_URLS`` would give them."""
        return {"shop": self.shop_url, "support": self.support_url}

    def rows(self, address: str) -> list[Row]:
        """Every row of a collection (``dataset.collection``), read directly (small companies)."""
        location = self.datamap.find(*address.split("."))
        assert location is not None, address
        collection = location.collection
        if location.system.store is StoreKind.FILES:
            assert collection.path is not None
            assert collection.format is not None
            reader = "read_csv" if collection.format.value == "csv" else "read_parquet"
            options = ", header=true, all_varchar=true" if reader == "read_csv" else ""
            with duckdb.connect() as con:
                read = con.execute(
                    f"SELECT * FROM {reader}($path{options})",
                    {"path": str(self.files_dir / collection.path)},
                )
                columns = [d[0] for d in read.description or ()]
                return [
                    {n: json_scalar(v) for n, v in zip(columns, r, strict=True)}
                    for r in read.fetchall()
                ]
        url = self.store_urls[location.system.key]
        engine = sa.create_engine(url)
        try:
            table = sa.table(collection.name, schema=location.dataset.schema_name)
            with engine.connect() as conn:
                query: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(table)
                result = conn.execute(query)
                names = list(result.keys())
                return [{n: json_scalar(v) for n, v in zip(names, r, strict=True)} for r in result]
        finally:
            engine.dispose()

    def drop(self) -> None:
        """Drop the schemas made on database servers (SQLite files stay under `root`)."""
        if self._dropped:
            return
        self._dropped = True
        if self.shop_schema is not None:
            drop_schema(self.shop_url, self.shop_schema)
        if self.support_schema is not None:
            drop_schema(self.support_url, self.support_schema)


def _sqlite(root: Path, name: str) -> str:
    return f"sqlite:///{(root / name).as_posix()}"


def _fill(
    url: str,
    metadata: sa.MetaData,
    indexes: Callable[[sa.MetaData, str], list[sa.Index]],
    tables: dict[str, Iterable[tuple[int, tuple[object, ...]]]],
    dataset: str,
    expected: dict[str, list[RowKey]],
    counts: dict[str, int],
) -> None:
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _fast_sqlite)
    try:
        metadata.create_all(engine)
        for name, rows in tables.items():
            table = metadata.tables[f"{metadata.schema}.{name}" if metadata.schema else name]
            keys = [c.name for c in table.primary_key.columns]
            positions = [list(table.columns.keys()).index(k) for k in keys]
            address = f"{dataset}.{name}"
            found: list[RowKey] = []
            counter = [0]
            load(engine, table, _watch(rows, positions, found, counter))
            expected[address] = sorted(found, key=_order)
            counts[address] = counter[0]
        with engine.begin() as conn:
            for index in indexes(metadata, engine.dialect.name):
                index.create(conn)
    finally:
        engine.dispose()


def _fast_sqlite(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _watch(
    rows: Iterable[tuple[int, tuple[object, ...]]],
    positions: list[int],
    found: list[RowKey],
    counter: list[int],
) -> Iterator[tuple[object, ...]]:
    """The rows, noting the keys of the target's and counting them all."""
    for owner, row in rows:
        counter[0] += 1
        if owner == TARGET:
            found.append(tuple(json_scalar(row[p]) for p in positions))
        yield row


def build_company(
    root: Path,
    *,
    people: int = 12,
    shop_url: str | None = None,
    support_url: str | None = None,
    today: date | None = None,
) -> Company:
    """Build the sample company under `root` with `people` persons (at least 4).

    `shop_url` / `support_url`: a PostgreSQL or MariaDB server to build that store on, in a new
    uniquely named schema (a MariaDB database) that :meth:`Company.drop` removes; without one,
    the store is a SQLite file under `root`. `today` fixes the dates (payments 9 years old are
    past the tax hold, younger ones within it).
    """
    if people < 4:
        raise ValueError("the sample company needs at least 4 people")
    today = today or date.today()
    root.mkdir(parents=True, exist_ok=True)
    files_dir = root / "exports"
    files_dir.mkdir(exist_ok=True)
    shop = shop_url or _sqlite(root, "shop.sqlite3")
    support = support_url or _sqlite(root, "support.sqlite3")
    shop_schema = new_schema(shop, "kojin_shop")
    support_schema: str | None = None
    rows = Rows(people, today)
    expected: dict[str, list[RowKey]] = {}
    counts: dict[str, int] = {}
    try:
        support_schema = new_schema(support, "kojin_support")
        _fill(
            shop,
            shop_tables(shop_schema),
            shop_indexes,
            {
                "customers": rows.customers(),
                "orders": rows.orders(),
                "order_items": rows.order_items(),
                "payments": rows.payments(),
            },
            SHOP,
            expected,
            counts,
        )
        _fill(
            support,
            support_tables(support_schema),
            support_indexes,
            {
                "tickets": rows.tickets(),
                "ticket_messages": rows.ticket_messages(),
                "newsletter_subscriptions": rows.newsletter_subscriptions(),
            },
            SUPPORT,
            expected,
            counts,
        )
    except BaseException:
        for url, schema in ((shop, shop_schema), (support, support_schema)):
            if schema is not None:
                drop_schema(url, schema)
        raise
    for name, generated, write in (
        ("contacts", rows.contacts(), write_contacts),
        ("events", rows.events(), write_events),
    ):
        found: list[RowKey] = []
        counter = [0]
        write(
            files_dir, _watch(generated, list(range(3 if name == "events" else 1)), found, counter)
        )
        expected[f"{EXPORTS}.{name}"] = sorted(found, key=_order)
        counts[f"{EXPORTS}.{name}"] = counter[0]
    datamap = company_datamap(
        base_dir=str(files_dir), shop_schema=shop_schema, support_schema=support_schema
    )
    text = datamap_yaml(datamap)
    datamap_file = files_dir / DATAMAP_FILE
    datamap_file.write_text(text, encoding="utf-8")
    datamap_file.chmod(0o600)
    target = person(TARGET)
    held_since = years_before(today, TAX_HOLD.years)
    payments = f"{SHOP}.payments"
    targets = takewhile(lambda item: item[0] == TARGET, rows.payments())
    held: list[RowKey] = [(int(str(row[0])),) for _, row in targets if _day(row[4]) > held_since]
    return Company(
        root=root,
        today=today,
        people=people,
        shop_url=shop,
        support_url=support,
        shop_schema=shop_schema,
        support_schema=support_schema,
        files_dir=files_dir,
        datamap=datamap,
        datamap_file=datamap_file,
        datamap_text=text,
        identities={
            Identity.EMAIL: (target.email,),
            Identity.PHONE_NUMBER: (target.phone,),
            Identity.CUSTOMER_NUMBER: (target.customer_number,),
        },
        expected=expected,
        held={payments: held},
        counts=counts,
    )


def _day(value: object) -> date:
    assert isinstance(value, date)
    return value


def _order(key: RowKey) -> tuple[tuple[int, str], ...]:
    """A sort key for row keys (numbers in numeric order)."""
    return tuple((0, f"{v:020d}") if isinstance(v, int) else (1, str(v)) for v in key)
