"""The company of ``benchmarks/fulfilment.py``: 8 related tables, their rows, loading and map.

One store (``shop``) holds, for N data subjects (customers):

========================== ==================================== ==========================
table                      rows per parent                      found from
========================== ==================================== ==========================
customers                  1 per subject                        ``lower(email)``
addresses                  1-2 per customer (1.33)              ``customer_id``
orders                     0-6 per customer (3)                 ``customer_id``
order_items                1-4 per order (2.5)                  ``order_id``
payments                   1-2 per order (1.1)                  ``order_id``
tickets                    0-2 per customer (0.6), and a guest  ``customer_id``,
                           ticket (no customer id, e-mail in    ``lower(email)``
                           other case) for 1 customer in 10
ticket_messages            1-5 per ticket (3)                   ``ticket_id``
newsletter_subscriptions   1 for half the customers             ``lower(email)``
========================== ==================================== ==========================

about 19.4 rows per subject. Every value is a pure function of the row's id (a 64-bit mix), so
the rows are generated table by table without holding anything in memory, and the same run
gives the same company. Indexes are those a company running the shop would have: primary keys,
an index on every foreign key (PostgreSQL also has the foreign-key constraints), a unique
customer number, and the e-mail columns indexed as the application looks them up,
case-insensitively: ``lower(email)`` (``plain_email`` indexes the bare column instead, to show
what kojin's case-insensitive lookup costs without such an index).

Loading: COPY on PostgreSQL (tables created without foreign keys, constraints and indexes added
after the load, then ``VACUUM ANALYZE``); on SQLite one ``executemany`` per table in one
transaction with the journal off, then indexes and ``ANALYZE``, then the journal back to the
default (``DELETE``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateSchema, CreateTable

from kojin.datamap.model import (
    Collection,
    DataMap,
    Dataset,
    Direction,
    Erasure,
    Identity,
    LocalText,
    MapField,
    Reference,
    RetentionHold,
    StoreKind,
    Strategy,
    System,
)

SYSTEM = "shop"
DATASET = "shop"
#: parents before children (load and restore order)
TABLES = (
    "customers",
    "addresses",
    "orders",
    "order_items",
    "payments",
    "tickets",
    "ticket_messages",
    "newsletter_subscriptions",
)
_MASK = (1 << 64) - 1


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SURNAMES = _words("佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤")
_SURNAMES_KANA = _words(
    "サトウ スズキ タカハシ タナカ イトウ ワタナベ ヤマモト ナカムラ コバヤシ カトウ"
)
_SURNAMES_LATIN = _words(
    "sato suzuki takahashi tanaka ito watanabe yamamoto nakamura kobayashi kato"
)
_GIVEN = _words("太郎 花子 翔 陽菜 蓮 結衣 大翔 美咲")
_GIVEN_KANA = _words("タロウ ハナコ ショウ ヒナ レン ユイ ヒロト ミサキ")
_GIVEN_LATIN = _words("taro hanako sho hina ren yui hiroto misaki")
_DOMAINS = _words("example.jp example.co.jp example.ne.jp example.com")
_PLACES = _words(
    "東京都千代田区丸の内 大阪府大阪市北区梅田 愛知県名古屋市中村区名駅 福岡県福岡市博多区博多駅前"
)
_PRODUCTS = ("緑茶ティーバッグ 50袋入り", "ほうじ茶 200g", "抹茶 30g", "急須", "湯呑み 2客組")
_SUBJECTS = ("配送について", "返品したい", "請求書の再発行", "会員情報の変更", "商品の不具合")


def mix(x: int, salt: int) -> int:
    """A 32-bit hash of `x` (splitmix64's finaliser): the generator's only randomness."""
    z = (x * 0x9E3779B97F4A7C15 + salt * 0xD1B54A32D192ED03) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return (z ^ (z >> 31)) >> 32


@dataclass(frozen=True)
class Company:
    """The rows of a company of `subjects` customers, dated relative to `today`."""

    subjects: int
    today: date

    # -- fan-out (pure functions of the parent's id) ------------------------------------------

    @staticmethod
    def n_addresses(c: int) -> int:
        return 2 if mix(c, 1) % 3 == 0 else 1

    @staticmethod
    def n_orders(c: int) -> int:
        return mix(c, 2) % 7

    @staticmethod
    def n_items(o: int) -> int:
        return 1 + mix(o, 3) % 4

    @staticmethod
    def n_payments(o: int) -> int:
        return 2 if mix(o, 4) % 10 == 0 else 1

    @staticmethod
    def n_tickets(c: int) -> int:
        return (0, 0, 0, 1, 2)[mix(c, 5) % 5]

    @staticmethod
    def guest_ticket(c: int) -> bool:
        return c % 10 == 3

    @staticmethod
    def n_messages(t: int) -> int:
        return 1 + mix(t, 6) % 5

    @staticmethod
    def subscribed(c: int) -> bool:
        return mix(c, 7) % 2 == 0

    # -- values ---------------------------------------------------------------------------

    @staticmethod
    def email(c: int) -> str:
        """The customer's e-mail as stored (one customer in seven typed capitals)."""
        h, names = mix(c, 8), mix(c, 10)
        local = f"{_GIVEN_LATIN[(names >> 4) % 8]}.{_SURNAMES_LATIN[names % 10]}{c}"
        if h % 7 == 0:
            local = local.capitalize()
        return f"{local}@{_DOMAINS[(h >> 7) % 4]}"

    def _day(self, x: int, salt: int, days: int) -> str:
        return (self.today - timedelta(days=mix(x, salt) % days)).isoformat()

    def _moment(self, x: int, salt: int, days: int) -> str:
        seconds = mix(x, salt + 100) % 86_400
        return f"{self._day(x, salt, days)} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:00"

    @staticmethod
    def _address(x: int) -> str:
        h = mix(x, 9)
        return f"{_PLACES[h % 4]}{h % 9 + 1}丁目{h % 30 + 1}番{h % 20 + 1}号"

    # -- tables ---------------------------------------------------------------------------

    def rows(self, table: str) -> Iterator[tuple[object, ...]]:
        """The rows of `table`, in id order, as tuples in the column order of :func:`tables`."""
        generator: Iterator[tuple[object, ...]] = getattr(self, f"_{table}")()
        return generator

    def _customers(self) -> Iterator[tuple[object, ...]]:
        for c in range(1, self.subjects + 1):
            h = mix(c, 10)
            surname, given = h % 10, (h >> 4) % 8
            yield (
                c,
                f"C{c:08d}",
                self.email(c),
                f"{_SURNAMES[surname]} {_GIVEN[given]}",
                f"{_SURNAMES_KANA[surname]} {_GIVEN_KANA[given]}",
                f"090-{h % 10_000:04d}-{c % 10_000:04d}",
                self._day(c, 11, 25_000),
                self._moment(c, 12, 3_650),
            )

    def _addresses(self) -> Iterator[tuple[object, ...]]:
        a = 0
        for c in range(1, self.subjects + 1):
            for k in range(self.n_addresses(c)):
                a += 1
                h = mix(a, 13)
                yield (
                    a,
                    c,
                    "home" if k == 0 else "work",
                    f"{h % 1000:03d}-{h % 10_000:04d}",
                    self._address(a),
                    f"03-{h % 10_000:04d}-{a % 10_000:04d}",
                )

    def _orders(self) -> Iterator[tuple[object, ...]]:
        o = 0
        for c in range(1, self.subjects + 1):
            for _ in range(self.n_orders(c)):
                o += 1
                yield (
                    o,
                    c,
                    self._day(o, 14, 3_650),
                    500 + mix(o, 15) % 30_000,
                    f"{_SURNAMES[c % 10]} {_GIVEN[o % 8]}",
                    self._address(o),
                )

    def orders_count(self) -> int:
        return sum(self.n_orders(c) for c in range(1, self.subjects + 1))

    def tickets_count(self) -> int:
        return sum(self.n_tickets(c) + self.guest_ticket(c) for c in range(1, self.subjects + 1))

    def _order_items(self) -> Iterator[tuple[object, ...]]:
        i = 0
        for o in range(1, self.orders_count() + 1):
            for _ in range(self.n_items(o)):
                i += 1
                h = mix(i, 16)
                yield (i, o, _PRODUCTS[h % 5], 1 + h % 3, 300 + h % 5_000)

    def _payments(self) -> Iterator[tuple[object, ...]]:
        p = 0
        for o in range(1, self.orders_count() + 1):
            issued = self._day(o, 14, 3_650)  # the order's day: some past the 7-year hold
            for k in range(self.n_payments(o)):
                p += 1
                h = mix(p, 17)
                yield (
                    p,
                    o,
                    ("card", "card", "konbini")[h % 3],
                    f"{_SURNAMES_LATIN[h % 10].upper()} {_GIVEN_LATIN[h % 8].upper()}",
                    f"{h % 10_000:04d}",
                    (500 + h % 30_000) * (1 if k == 0 else -1),
                    issued,
                )

    def _tickets(self) -> Iterator[tuple[object, ...]]:
        t = 0
        for c in range(1, self.subjects + 1):
            email = self.email(c)
            for _ in range(self.n_tickets(c)):
                t += 1
                yield self._ticket(t, c, email)
            if self.guest_ticket(c):
                t += 1  # written before logging in: no customer id, the address in capitals
                local, domain = email.split("@")
                yield self._ticket(t, None, f"{local.upper()}@{domain}")

    def _ticket(self, t: int, c: int | None, email: str) -> tuple[object, ...]:
        h = mix(t, 18)
        subject = _SUBJECTS[h % 5]
        return (
            t,
            c,
            email,
            subject,
            f"{subject}の件で問い合わせます。注文番号は{h % 99_999}です。",
            self._moment(t, 19, 2_000),
        )

    def _ticket_messages(self) -> Iterator[tuple[object, ...]]:
        m = 0
        for t in range(1, self.tickets_count() + 1):
            for k in range(self.n_messages(t)):
                m += 1
                author = "customer" if k % 2 == 0 else "staff"
                yield (
                    m,
                    t,
                    author,
                    f"メッセージ {k + 1}: ご確認をお願いします。",
                    self._moment(t, 20, 2_000),
                )

    def _newsletter_subscriptions(self) -> Iterator[tuple[object, ...]]:
        n = 0
        for c in range(1, self.subjects + 1):
            if self.subscribed(c):
                n += 1
                yield (n, self.email(c), self._moment(c, 21, 3_000), ("web", "shop")[c % 2])


#: the columns of each table: ``name:type``, ``!`` not null, ``>table`` references table.id
COLUMNS: dict[str, str] = {
    "customers": "id:int customer_number:text! email:text! name:text name_kana:text "
    "phone:text birth_date:date created_at:time!",
    "addresses": "id:int customer_id:int!>customers kind:text postal_code:text address:text "
    "phone:text",
    "orders": "id:int customer_id:int!>customers ordered_on:date! total:int shipping_name:text "
    "shipping_address:text",
    "order_items": "id:int order_id:int!>orders product:text quantity:int unit_price:int",
    "payments": "id:int order_id:int!>orders method:text billed_name:text card_last4:text "
    "amount:int issued_on:date!",
    "tickets": "id:int customer_id:int>customers email:text! subject:text body:text opened_at:time",
    "ticket_messages": "id:int ticket_id:int!>tickets author:text body:text sent_at:time",
    "newsletter_subscriptions": "id:int email:text! subscribed_at:time source:text",
}
_TYPES: dict[str, Any] = {"int": sa.Integer, "text": sa.Text, "date": sa.Date, "time": sa.DateTime}
#: the data map's name of each column type
DATA_TYPES = {"int": "integer", "text": None, "date": "date", "time": "timestamp"}


def columns(table: str) -> list[tuple[str, str, bool, str | None]]:
    """(name, type, not null, referenced table) of each column of `table`."""
    specs = []
    for spec in COLUMNS[table].split():
        name, rest = spec.split(":")
        kind, _, parent = rest.partition(">")
        specs.append((name, kind.rstrip("!"), kind.endswith("!"), parent or None))
    return specs


def tables(schema: str | None) -> sa.MetaData:
    """The 8 tables: ``id`` the primary key, foreign keys declared (see :func:`indexes`)."""
    md = sa.MetaData(schema=schema)
    prefix = f"{schema}." if schema else ""
    for table in TABLES:
        sa.Table(
            table,
            md,
            *(
                sa.Column(
                    name,
                    _TYPES[kind],
                    *([sa.ForeignKey(f"{prefix}{parent}.id")] if parent else []),
                    primary_key=name == "id",
                    autoincrement=False,
                    nullable=name != "id" and not required,
                )
                for name, kind, required, parent in columns(table)
            ),
        )
    return md


def indexes(md: sa.MetaData, *, plain_email: bool = False) -> list[sa.Index]:
    """Foreign-key indexes, the unique customer number and the e-mail indexes."""
    t = {name: md.tables[f"{md.schema}.{name}" if md.schema else name] for name in TABLES}

    def email(table: str) -> sa.ColumnElement[Any]:
        column = t[table].c.email
        return column if plain_email else sa.func.lower(column)

    return [
        sa.Index("ix_customers_customer_number", t["customers"].c.customer_number, unique=True),
        sa.Index("ix_customers_email", email("customers"), unique=True),
        sa.Index("ix_addresses_customer_id", t["addresses"].c.customer_id),
        sa.Index("ix_orders_customer_id", t["orders"].c.customer_id),
        sa.Index("ix_order_items_order_id", t["order_items"].c.order_id),
        sa.Index("ix_payments_order_id", t["payments"].c.order_id),
        sa.Index("ix_tickets_customer_id", t["tickets"].c.customer_id),
        sa.Index("ix_tickets_email", email("tickets")),
        sa.Index("ix_ticket_messages_ticket_id", t["ticket_messages"].c.ticket_id),
        sa.Index("ix_newsletter_email", email("newsletter_subscriptions"), unique=True),
    ]


def load_postgres(url: str, schema: str, company: Company, *, plain_email: bool) -> dict[str, int]:
    """Create `schema` and load the company into it; returns the rows per table."""
    from psycopg import sql

    md = tables(schema)
    engine = sa.create_engine(url)
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            conn.execute(CreateSchema(schema))
            for name in TABLES:
                table = md.tables[f"{schema}.{name}"]
                conn.execute(CreateTable(table, include_foreign_key_constraints=[]))
        raw = engine.raw_connection()
        try:
            pg = raw.driver_connection
            assert pg is not None
            for name in TABLES:
                columns = [c.name for c in md.tables[f"{schema}.{name}"].columns]
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(schema, name),
                    sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                )
                count = 0
                with pg.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in company.rows(name):
                        copy.write_row(row)
                        count += 1
                counts[name] = count
            raw.commit()
        finally:
            raw.close()
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
            for name in TABLES:
                for constraint in md.tables[f"{schema}.{name}"].foreign_key_constraints:
                    conn.execute(AddConstraint(constraint))
            for index in indexes(md, plain_email=plain_email):
                index.create(conn)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in TABLES:
                conn.exec_driver_sql(f'VACUUM ANALYZE "{schema}"."{name}"')
    finally:
        engine.dispose()
    return counts


def drop_postgres(url: str, schema: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True, if_exists=True))
    finally:
        engine.dispose()


def postgres_size(url: str, schema: str) -> int:
    """Bytes of the schema's tables and indexes."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relkind = 'r'"
            )
            return int(conn.execute(query, {"schema": schema}).scalar_one())
    finally:
        engine.dispose()


def load_sqlite(path: str, company: Company, *, plain_email: bool) -> dict[str, int]:
    """Create the SQLite file at `path` and load the company into it."""
    md = tables(None)
    dialect = sqlite_dialect.dialect()
    counts: dict[str, int] = {}
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        for name in TABLES:
            table = md.tables[name]
            con.execute(str(CreateTable(table).compile(dialect=dialect)))
            marks = ", ".join("?" for _ in table.columns)
            before = con.total_changes
            con.executemany(f"INSERT INTO {name} VALUES ({marks})", company.rows(name))
            counts[name] = con.total_changes - before
            con.commit()
        for index in indexes(md, plain_email=plain_email):
            con.execute(str(CreateIndex(index).compile(dialect=dialect)))
        con.execute("ANALYZE")
        con.commit()
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()
    return counts


_NULL, _HMAC = Erasure(strategy=Strategy.SET_NULL), Erasure(strategy=Strategy.HMAC)
#: what the data map says of each field beyond its type, key and reference
_FIELDS: dict[str, dict[str, Any]] = {
    "customers.customer_number": {"identity": Identity.CUSTOMER_NUMBER, "erasure": _HMAC},
    "customers.email": {"kinds": ("email",), "identity": Identity.EMAIL, "erasure": _HMAC},
    "customers.name": {"kinds": ("person_name",), "erasure": _NULL},
    "customers.name_kana": {"kinds": ("name_kana",), "erasure": _NULL},
    "customers.phone": {
        "kinds": ("phone_number",),
        "identity": Identity.PHONE_NUMBER,
        "erasure": _NULL,
    },
    "customers.birth_date": {"kinds": ("date_of_birth",), "erasure": _NULL},
    "addresses.postal_code": {"kinds": ("postal_code",)},
    "addresses.address": {"kinds": ("address",)},
    "addresses.phone": {"kinds": ("phone_number",)},
    "orders.shipping_name": {"kinds": ("person_name",), "erasure": _NULL},
    "orders.shipping_address": {"kinds": ("address",), "erasure": _NULL},
    "payments.billed_name": {"kinds": ("person_name",), "erasure": _NULL},
    "payments.card_last4": {"erasure": Erasure(strategy=Strategy.FIXED, value="0000")},
    "tickets.email": {"kinds": ("email",), "identity": Identity.EMAIL},
    "tickets.body": {"data_categories": ("user.content",)},
    "ticket_messages.body": {"data_categories": ("user.content",)},
    "newsletter_subscriptions.email": {"kinds": ("email",), "identity": Identity.EMAIL},
}
#: collections erased by deleting the person's rows (the others field by field)
_DELETED = ("addresses", "tickets", "ticket_messages", "newsletter_subscriptions")
TAX_HOLD = RetentionHold(
    reason=LocalText(en="Tax records are kept for 7 years", ja="税務書類は7年間保存します"),
    years=7,
    since_field="issued_on",
    citation="Corporation Tax Act Art. 126",
)


def _field(table: str, name: str, kind: str, parent: str | None) -> MapField:
    references = (
        (Reference(dataset=DATASET, collection=parent, field="id", direction=Direction.FROM),)
        if parent
        else ()
    )
    return MapField(
        name=name,
        primary_key=name == "id",
        data_type=DATA_TYPES[kind],
        references=references,
        **_FIELDS.get(f"{table}.{name}", {}),
    )


def datamap(schema: str | None) -> DataMap:
    """The company's data map, built from the model as a person reviewing ``kojin datamap
    infer``'s draft would leave it: identities, keys, references (a parent's id finds its
    children), erasure per field or row, and the 7-year tax hold on payments."""
    collections = tuple(
        Collection(
            name=table,
            erasure=Strategy.DELETE_ROW if table in _DELETED else None,
            retention_hold=TAX_HOLD if table == "payments" else None,
            fields=tuple(_field(table, n, k, p) for n, k, _, p in columns(table)),
        )
        for table in TABLES
    )
    dataset = Dataset(key=DATASET, schema_name=schema, collections=collections)
    return DataMap(
        systems=(
            System(
                key=SYSTEM,
                name=LocalText(en="Online shop", ja="オンラインショップ"),
                store=StoreKind.SQL,
                category="customer",
                department="EC Division",
                datasets=(dataset,),
            ),
        )
    )


#: a person's rows, raw as the driver returns them: table -> id -> row
PersonRows = dict[str, dict[int, tuple[Any, ...]]]


def person_rows(conn: sa.Connection, schema: str | None, customer: int, email: str) -> PersonRows:
    """Every row of one customer in every table, read directly (to restore the person after an
    erasure, and to compare what two erasures left)."""
    md = tables(schema)
    t = {
        name: sa.table(name, *(sa.column(c.name) for c in md.tables[table].columns), schema=schema)
        for name, table in ((n, f"{schema}.{n}" if schema else n) for n in TABLES)
    }
    folded = email.lower()

    def read(name: str, *where: sa.ColumnElement[bool]) -> dict[int, tuple[Any, ...]]:
        query: sa.Select[Any] = sa.select(t[name]).where(sa.or_(*where))
        return {int(row[0]): tuple(row) for row in conn.execute(query)}

    rows: PersonRows = {
        "customers": read("customers", t["customers"].c.id == customer),
        "addresses": read("addresses", t["addresses"].c.customer_id == customer),
        "orders": read("orders", t["orders"].c.customer_id == customer),
    }
    orders = list(rows["orders"])
    rows["order_items"] = read("order_items", t["order_items"].c.order_id.in_(orders))
    rows["payments"] = read("payments", t["payments"].c.order_id.in_(orders))
    tickets = t["tickets"].c
    rows["tickets"] = read(
        "tickets", tickets.customer_id == customer, sa.func.lower(tickets.email) == folded
    )
    messages = t["ticket_messages"].c
    rows["ticket_messages"] = read("ticket_messages", messages.ticket_id.in_(list(rows["tickets"])))
    news = t["newsletter_subscriptions"].c
    rows["newsletter_subscriptions"] = read(
        "newsletter_subscriptions", sa.func.lower(news.email) == folded
    )
    return rows


def restore(conn: sa.Connection, schema: str | None, rows: PersonRows) -> None:
    """Put a person's rows back as `rows` holds them (children deleted first, parents inserted
    first), in the caller's transaction."""
    md = tables(schema)
    for name in reversed(TABLES):
        table = md.tables[f"{schema}.{name}" if schema else name]
        if rows[name]:
            conn.execute(sa.delete(table).where(table.c.id.in_(list(rows[name]))))
    for name in TABLES:
        columns = [c.name for c in md.tables[f"{schema}.{name}" if schema else name].columns]
        target = sa.table(name, *(sa.column(c) for c in columns), schema=schema)
        if rows[name]:
            conn.execute(
                sa.insert(target), [dict(zip(columns, r, strict=True)) for r in rows[name].values()]
            )
