"""A sample company for the engine's tests: 7 collections over 3 systems.

::

    marketing/exports.newsletter --to--> crm_db.contacts <--both--> shop_db.customers
    crm_db.tickets --from--> crm_db.contacts       shop_db.orders --from--> shop_db.customers
    crm_db.tickets <--both--> shop_db.orders        shop_db.events (no key) --from--> customers
    shop_db.payments (7-year hold) --from--> shop_db.orders

References go every way (``from``, ``to``, ``both``); customers <-> contacts and orders <->
tickets are cycles; customers reach orders directly and through contacts and tickets (a diamond).
Hanako (customer 1) is spread over every collection, with a guest order (103) found only through
her ticket; Taro (customer 2) shares nothing with her.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from engine_memory import MemoryConnector

from kojin.connectors.base import Row
from kojin.datamap.model import (
    Collection,
    DataMap,
    Dataset,
    Direction,
    Erasure,
    FileFormat,
    Identity,
    LocalText,
    MapField,
    Reference,
    RetentionHold,
    StoreKind,
    Strategy,
    System,
)

HANAKO = "hanako@example.jp"
TAX_HOLD = RetentionHold(
    reason=LocalText(en="accounting records", ja="会計帳簿"),
    years=7,
    since_field="paid_on",
    citation="Corporation Tax Act Art. 126",
)


def f(name: str, **kwargs: Any) -> MapField:
    return MapField(name=name, **kwargs)


def ref(address: str, direction: Direction) -> tuple[Reference, ...]:
    dataset, collection, field = address.split(".")
    return (Reference(dataset=dataset, collection=collection, field=field, direction=direction),)


def sample_map() -> DataMap:
    customers = Collection(
        name="customers",
        description="Customer accounts",
        erasure=Strategy.DELETE_ROW,
        fields=(
            f("id", primary_key=True),
            f(
                "email",
                identity=Identity.EMAIL,
                kinds=("email",),
                erasure=Erasure(strategy=Strategy.HMAC),
                description="E-mail address",
            ),
            f("name", identity=Identity.NAME, kinds=("person_name",)),
            f("phone", kinds=("phone",)),
            f("created_on"),
        ),
    )
    orders = Collection(
        name="orders",
        erasure=Strategy.DELETE_ROW,
        fields=(
            f("id", primary_key=True),
            f("customer_id", references=ref("shop_db.customers.id", Direction.FROM)),
            f("shipping_name", kinds=("person_name",)),
            f("shipping_address", kinds=("address",)),
            f("ordered_on"),
        ),
    )
    payments = Collection(
        name="payments",
        erasure=Strategy.DELETE_ROW,
        retention_hold=TAX_HOLD,
        fields=(
            f("id", primary_key=True),
            f("order_id", references=ref("shop_db.orders.id", Direction.FROM)),
            f("card_last4", data_categories=("user.financial",)),
            f("amount"),
            f("paid_on"),
        ),
    )
    events = Collection(
        name="events",
        fields=(
            f("customer_id", references=ref("shop_db.customers.id", Direction.FROM)),
            f("event"),
            f("at"),
        ),
    )
    contacts = Collection(
        name="contacts",
        category="customer",
        fields=(
            f("id", primary_key=True),
            f(
                "email",
                identity=Identity.EMAIL,
                kinds=("email",),
                erasure=Erasure(strategy=Strategy.HMAC),
            ),
            f("customer_no", references=ref("shop_db.customers.id", Direction.BOTH)),
            f("full_name", kinds=("person_name",)),
            f(
                "tel",
                identity=Identity.PHONE_NUMBER,
                kinds=("phone",),
                erasure=Erasure(strategy=Strategy.FIXED, value="000-0000-0000"),
            ),
            f("note"),
        ),
    )
    tickets = Collection(
        name="tickets",
        erasure=Strategy.DELETE_ROW,
        fields=(
            f("id", primary_key=True),
            f("contact_id", references=ref("crm_db.contacts.id", Direction.FROM)),
            f("order_id", references=ref("shop_db.orders.id", Direction.BOTH)),
            f("body", kinds=("free_text",)),
        ),
    )
    newsletter = Collection(
        name="newsletter",
        path="newsletter.csv",
        format=FileFormat.CSV,
        erasure=Strategy.DELETE_ROW,
        fields=(
            f("id", primary_key=True),
            f("email", identity=Identity.EMAIL, kinds=("email",)),
            f("contact_id", references=ref("crm_db.contacts.id", Direction.TO)),
            f("subscribed_on"),
        ),
    )
    return DataMap(
        systems=(
            System(
                key="shop",
                name=LocalText(en="Online shop", ja="オンラインショップ"),
                store=StoreKind.SQL,
                category="customer",
                department="EC Division",
                datasets=(
                    Dataset(key="shop_db", collections=(customers, orders, payments, events)),
                ),
            ),
            System(
                key="crm",
                name=LocalText(en="Customer relations", ja="顧客管理"),
                store=StoreKind.SQL,
                department="Customer Support",
                datasets=(Dataset(key="crm_db", collections=(contacts, tickets)),),
            ),
            System(
                key="marketing",
                store=StoreKind.FILES,
                datasets=(Dataset(key="exports", collections=(newsletter,)),),
            ),
        )
    )


def sample_tables() -> dict[str, dict[str, list[Row]]]:
    """Rows by system, then by ``dataset.collection``."""
    hanako_address = "東京都千代田区1-1"
    return {
        "shop": {
            "shop_db.customers": [
                {
                    "id": 1,
                    "email": HANAKO,
                    "name": "山田 花子",
                    "phone": "090-1234-5678",
                    "created_on": "2015-04-01",
                    "password_hash": "x",
                },
                {
                    "id": 2,
                    "email": "taro@example.jp",
                    "name": "佐藤 太郎",
                    "phone": "080-9999-0000",
                    "created_on": "2016-01-01",
                    "password_hash": "y",
                },
            ],
            "shop_db.orders": [
                {
                    "id": 101,
                    "customer_id": 1,
                    "shipping_name": "山田 花子",
                    "shipping_address": hanako_address,
                    "ordered_on": "2018-01-05",
                },
                {
                    "id": 102,
                    "customer_id": 1,
                    "shipping_name": "山田 花子",
                    "shipping_address": hanako_address,
                    "ordered_on": "2024-04-28",
                },
                {
                    "id": 103,
                    "customer_id": None,
                    "shipping_name": "山田 花子",
                    "shipping_address": hanako_address,
                    "ordered_on": "2020-02-27",
                },
                {
                    "id": 201,
                    "customer_id": 2,
                    "shipping_name": "佐藤 太郎",
                    "shipping_address": "大阪府",
                    "ordered_on": "2023-03-01",
                },
                {
                    "id": 202,
                    "customer_id": None,
                    "shipping_name": "guest",
                    "shipping_address": "京都府",
                    "ordered_on": "2023-03-02",
                },
            ],
            "shop_db.payments": [
                {
                    "id": 1001,
                    "order_id": 101,
                    "card_last4": "1234",
                    "amount": 5000,
                    "paid_on": "2018-01-10",
                },
                {
                    "id": 1002,
                    "order_id": 102,
                    "card_last4": "1234",
                    "amount": 7000,
                    "paid_on": "2024-05-01",
                },
                {
                    "id": 1003,
                    "order_id": 103,
                    "card_last4": "1234",
                    "amount": 900,
                    "paid_on": "2020-02-29",
                },
                {
                    "id": 2001,
                    "order_id": 201,
                    "card_last4": "9999",
                    "amount": 100,
                    "paid_on": "2023-03-03",
                },
            ],
            "shop_db.events": [
                {"customer_id": 1, "event": "login", "at": "2026-11-01T09:00:00"},
                {"customer_id": 1, "event": "login", "at": "2026-11-01T09:00:00"},
                {"customer_id": 1, "event": "logout", "at": "2026-11-01T10:00:00"},
                {"customer_id": 2, "event": "login", "at": "2026-11-02T09:00:00"},
            ],
        },
        "crm": {
            "crm_db.contacts": [
                {
                    "id": 11,
                    "email": "Hanako@Example.JP",
                    "customer_no": 1,
                    "full_name": "山田花子",
                    "tel": "09012345678",
                    "note": "prefers e-mail",
                },
                {
                    "id": 12,
                    "email": "taro@example.jp",
                    "customer_no": 2,
                    "full_name": "佐藤太郎",
                    "tel": "08099990000",
                    "note": None,
                },
            ],
            "crm_db.tickets": [
                {"id": 501, "contact_id": 11, "order_id": 102, "body": "late delivery"},
                {"id": 502, "contact_id": 12, "order_id": 201, "body": "refund"},
                {"id": 503, "contact_id": 11, "order_id": 103, "body": "guest order question"},
            ],
        },
        "marketing": {
            "exports.newsletter": [
                {"id": 31, "email": HANAKO, "contact_id": 11, "subscribed_on": "2019-01-01"},
                {
                    "id": 32,
                    "email": "TARO@example.jp",
                    "contact_id": 12,
                    "subscribed_on": "2019-01-02",
                },
                {"id": 33, "email": "", "contact_id": None, "subscribed_on": "2019-01-03"},
            ],
        },
    }


#: Hanako's rows: the keys (or, for events, the distinct rows) a locate must find
HANAKO_KEYS = {
    "shop_db.customers": [1],
    "shop_db.orders": [101, 102, 103],
    "shop_db.payments": [1001, 1002, 1003],
    "crm_db.contacts": [11],
    "crm_db.tickets": [501, 503],
    "exports.newsletter": [31],
}


def sample_connectors() -> dict[str, MemoryConnector]:
    return {system: MemoryConnector(tables) for system, tables in sample_tables().items()}


def token(field_address: str, value: str) -> str:
    """A keyed HMAC token, as the jobs layer makes them (with a test key)."""
    digest = hmac.new(b"test-key", f"{field_address}\x00{value}".encode(), hashlib.sha256)
    return "tok_" + digest.hexdigest()[:24]
