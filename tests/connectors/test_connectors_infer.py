"""infer_datamap on the sample company's databases: keys, references, suggested identities."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from connector_support import server_url

from company import Company, build_company, person
from kojin.connectors.infer import infer_datamap
from kojin.connectors.sql import SqlConnector
from kojin.datamap.model import (
    Collection,
    DataMap,
    Direction,
    Identity,
    Reference,
    Strategy,
)
from kojin.errors import ConfigurationError, InputError


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    url = None if request.param == "sqlite" else server_url(str(request.param))
    built = build_company(tmp_path / "company", people=40, shop_url=url, support_url=url)
    try:
        yield built
    finally:
        built.drop()


def _collection(datamap: DataMap, name: str) -> Collection:
    (system,) = datamap.systems
    (dataset,) = system.datasets
    found = dataset.collection(name)
    assert found is not None, name
    return found


def test_infer_the_shop(company: Company) -> None:
    datamap = infer_datamap(company.shop_url, schema=company.shop_schema)
    (system,) = datamap.systems
    (dataset,) = system.datasets
    assert [c.name for c in dataset.collections] == [
        "customers",
        "order_items",
        "orders",
        "payments",
    ]
    assert dataset.schema_name == company.shop_schema
    if company.shop_schema is not None:
        assert dataset.key == company.shop_schema
    else:
        assert system.key == dataset.key == "shop"
    customers = _collection(datamap, "customers")
    assert customers.primary_key == ("id",)
    email = customers.field("email")
    assert email is not None
    assert email.identity is Identity.EMAIL
    assert email.kinds == ("email",)
    assert email.erasure is not None
    assert email.erasure.strategy is Strategy.HMAC
    phone = customers.field("phone")
    assert phone is not None
    assert phone.identity is Identity.PHONE_NUMBER
    assert phone.erasure is not None
    assert phone.erasure.strategy is Strategy.SET_NULL
    number = customers.field("customer_number")
    assert number is not None
    assert number.identity is Identity.CUSTOMER_NUMBER
    name = customers.field("name")
    assert name is not None
    assert name.kinds == ("person_name",)
    assert name.identity is None
    key = customers.field("id")
    assert key is not None
    assert key.primary_key
    assert key.erasure is None
    assert not key.personal
    created = customers.field("created_at")
    assert created is not None
    assert not created.personal
    assert created.data_type
    orders = _collection(datamap, "orders")
    customer_id = orders.field("customer_id")
    assert customer_id is not None
    assert customer_id.identity is None
    assert customer_id.references == (
        Reference(
            dataset=dataset.key, collection="customers", field="id", direction=Direction.FROM
        ),
    )
    items = _collection(datamap, "order_items")
    assert {r.collection for f in items.fields for r in f.references} == {"orders"}
    assert "hanako" not in datamap.model_dump_json().lower()  # no sampled value in the map


def test_infer_the_support_desk(company: Company) -> None:
    datamap = infer_datamap(company.support_url, schema=company.support_schema, sample_rows=5)
    newsletter = _collection(datamap, "newsletter_subscriptions")
    assert newsletter.primary_key == ("email",)
    assert newsletter.erasure is Strategy.DELETE_ROW  # a personal key: the row goes
    email = newsletter.field("email")
    assert email is not None
    assert email.identity is Identity.EMAIL
    assert email.erasure is None
    messages = _collection(datamap, "ticket_messages")
    author = messages.field("author_email")
    assert author is not None
    assert author.identity is Identity.EMAIL
    ticket = messages.field("ticket_id")
    assert ticket is not None
    assert [r.collection for r in ticket.references] == ["tickets"]


def test_an_inferred_map_drives_the_connector(company: Company) -> None:
    datamap = infer_datamap(company.shop_url, schema=company.shop_schema)
    location = datamap.find(datamap.systems[0].datasets[0].key, "customers")
    assert location is not None
    connector = SqlConnector(company.shop_url)
    try:
        rows = connector.fetch(location, {"email": {person(0).email.upper()}}, casefold={"email"})
    finally:
        connector.close()
    assert [r["customer_number"] for r in rows] == [person(0).customer_number]


def test_infer_refuses_a_bad_url_without_showing_it() -> None:
    with pytest.raises(InputError) as bad:
        infer_datamap("nosuch+driver://u:hunter2-pw@db.internal/x")
    assert "hunter2" not in str(bad.value)
    assert "db.internal" not in str(bad.value)
    with pytest.raises(ConfigurationError) as down:
        infer_datamap("postgresql+psycopg://u:hunter2-pw@127.0.0.1:1/x?connect_timeout=2")
    assert "hunter2" not in str(down.value)


def test_customer_numbers_are_suggested_only_when_unique(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'members.sqlite3'}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE members (member_id TEXT, visits INTEGER)"))
            conn.execute(sa.text("CREATE TABLE visits (member_no TEXT, note TEXT)"))
            conn.execute(
                sa.text("INSERT INTO members VALUES (:m, 1)"),
                [{"m": f"M{i:05d}"} for i in range(30)],
            )
            conn.execute(
                sa.text("INSERT INTO visits VALUES (:m, 'x')"),
                [{"m": f"M{i % 3:05d}"} for i in range(30)],
            )
    finally:
        engine.dispose()
    caplog.set_level(logging.DEBUG)
    datamap = infer_datamap(url)
    assert datamap.systems[0].key == "members"
    member_id = _collection(datamap, "members").field("member_id")
    assert member_id is not None
    assert member_id.identity is Identity.CUSTOMER_NUMBER
    member_no = _collection(datamap, "visits").field("member_no")
    assert member_no is not None
    assert member_no.identity is None
    assert not any("M0000" in r.getMessage() for r in caplog.records)
