"""The sample company: what build_company promises the fulfilment tests."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import cast

import pytest
import yaml
from connector_support import server_url
from pydantic import SecretStr

from company import EXPORTS, SHOP, SUPPORT, Company, build_company, person
from kojin.connectors.open import open_connectors
from kojin.datamap.model import Identity
from kojin.settings import Settings

TODAY = date(2026, 12, 1)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    url = None if request.param == "sqlite" else server_url(str(request.param))
    built = build_company(
        tmp_path / "company", people=30, shop_url=url, support_url=url, today=TODAY
    )
    try:
        yield built
    finally:
        built.drop()


def _keys(company: Company, address: str) -> list[tuple[object, ...]]:
    location = company.datamap.find(*address.split("."))
    assert location is not None
    key = location.collection.primary_key
    return [tuple(r[k] for k in key) for r in company.rows(address)]


def test_every_collection_holds_the_target_and_others(company: Company) -> None:
    assert {loc.address for loc in company.datamap.locations()} == set(company.expected)
    for address, expected in company.expected.items():
        keys = _keys(company, address)
        assert len(keys) == company.counts[address]
        assert expected, address
        assert set(expected) <= set(keys), address
        assert len(keys) > len(expected), address  # someone else's rows stay beside them


def test_the_target_is_found_from_the_identities(company: Company) -> None:
    target = person(0)
    assert company.identities == {
        Identity.EMAIL: (target.email,),
        Identity.PHONE_NUMBER: (target.phone,),
        Identity.CUSTOMER_NUMBER: (target.customer_number,),
    }
    settings = Settings(store_urls={k: SecretStr(v) for k, v in company.store_urls.items()})
    connectors = open_connectors(company.datamap, settings)
    try:
        tickets = company.datamap.find(SUPPORT, "tickets")
        contacts = company.datamap.find(EXPORTS, "contacts")
        assert tickets is not None
        assert contacts is not None
        found = connectors["support"].fetch(tickets, {"email": {target.email}}, casefold={"email"})
        assert (
            sorted((cast(int, r["id"]),) for r in found) == company.expected[f"{SUPPORT}.tickets"]
        )
        rows = connectors["exports"].fetch(contacts, {"phone": {target.phone}})
        assert [(r["customer_number"],) for r in rows] == company.expected[f"{EXPORTS}.contacts"]
    finally:
        for connector in connectors.values():
            connector.close()


def test_near_misses_are_not_the_target(company: Company) -> None:
    customers = {r["id"]: r for r in company.rows(f"{SHOP}.customers")}
    namesake, relative = customers[2], customers[3]
    assert namesake["name"] == customers[1]["name"] == "山田 花子"
    assert str(namesake["email"]).split("@")[0] == person(0).email.split("@")[0]
    assert relative["address"] == customers[1]["address"]
    assert {namesake["phone"], relative["phone"]}.isdisjoint({person(0).phone})


def test_payments_under_the_tax_hold(company: Company) -> None:
    payments = {r["id"]: r for r in company.rows(f"{SHOP}.payments")}
    held = company.held[f"{SHOP}.payments"]
    target = company.expected[f"{SHOP}.payments"]
    assert held
    assert set(held) < set(target)
    for (key,) in target:
        issued = date.fromisoformat(str(payments[key]["issued_on"]))
        assert ((key,) in held) == (issued > date(TODAY.year - 7, TODAY.month, TODAY.day))
    location = company.datamap.find(SHOP, "payments")
    assert location is not None
    assert location.collection.retention_hold is not None
    assert location.collection.retention_hold.years == 7


def test_the_yaml_is_written_beside_the_files(company: Company) -> None:
    assert company.datamap_file.parent == company.files_dir
    assert stat.S_IMODE(company.datamap_file.stat().st_mode) == 0o600
    document = yaml.safe_load(company.datamap_file.read_text(encoding="utf-8"))
    assert document["datamap"] == 1
    assert [s["key"] for s in document["systems"]] == ["shop", "support", "exports"]
    assert document["systems"][2]["store"] == "files"
    assert "password" not in company.datamap_text
    assert "://" not in company.datamap_text
    exports = document["systems"][2]["datasets"][0]["collections"]
    assert [(c["path"], c["format"]) for c in exports] == [
        ("crm/contacts.csv", "csv"),
        ("events.parquet", "parquet"),
    ]
