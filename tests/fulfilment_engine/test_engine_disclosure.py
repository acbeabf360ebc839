"""The person's rows as a disclosure shows them, and the systems and recipients to notify."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from engine_sample import HANAKO, sample_connectors, sample_map

from kojin.fulfilment.access import access_collections
from kojin.fulfilment.cessation import NotifyRecipient, NotifySystem, notify_list
from kojin.fulfilment.identities import identities_from
from kojin.fulfilment.locate import Located, locate
from kojin.policy.load import load_policy
from kojin.policy.model_base import Lang
from kojin.registry.provisions.schemas import ProvisionKind, ProvisionOut, RecordForm


def _hanako() -> Located:
    return locate(
        datamap=sample_map(), connectors=sample_connectors(), identities=identities_from(HANAKO)
    )


@pytest.mark.parametrize(
    ("lang", "shop_name"), [("en", "Online shop"), ("ja", "オンラインショップ")]
)
def test_access_collections(lang: Lang, shop_name: str) -> None:
    policy = load_policy()
    stores = access_collections(datamap=sample_map(), located=_hanako(), policy=policy, lang=lang)
    assert [(s.system, s.system_name, s.dataset, s.collection) for s in stores][:1] == [
        ("shop", shop_name, "shop_db", "customers")
    ]
    assert [s.collection for s in stores] == [
        "customers",
        "orders",
        "payments",
        "events",
        "contacts",
        "tickets",
        "newsletter",
    ]
    customers = stores[0]
    category = policy.category("customer")
    assert category is not None
    assert (customers.category, customers.category_title) == ("customer", category.title.get(lang))
    assert customers.description == "Customer accounts"
    assert [(fd.name, fd.description, fd.kinds) for fd in customers.fields][:2] == [
        ("id", None, []),
        ("email", "E-mail address", ["email"]),
    ]
    # a column the map does not list (the password hash) is not disclosed
    assert customers.rows == [
        {
            "id": 1,
            "email": HANAKO,
            "name": "山田 花子",
            "phone": "090-1234-5678",
            "created_on": "2015-04-01",
        }
    ]
    by_name = {s.collection: s for s in stores}
    # a system without a name is shown by its key; a system without a category has none
    assert by_name["newsletter"].system_name == "marketing"
    assert (by_name["tickets"].category, by_name["tickets"].category_title) == (None, None)
    assert by_name["contacts"].category == "customer"
    assert len(by_name["payments"].rows) == 3


def _provision(
    n: int, name: str | None, country: str, at: datetime, items: list[str]
) -> ProvisionOut:
    return ProvisionOut(
        id=f"p{n}",
        decision_id=f"d{n}",
        kind=ProvisionKind.THIRD_PARTY,
        basis="consent",
        provided_at=at,
        subject_id="s1",
        category="customer",
        purpose="provide_services",
        recipient_name=name,
        recipient_country=country,
        recipient_relation="third_party",
        items=items,
        consent_confirmed=True,
        foreign_information_provided=False,
        record_form=RecordForm.PER_PROVISION,
        contract_reference=None,
        retention_years=3,
        purge_after=at.replace(year=at.year + 3),
        citations=["APPI Art. 29"],
    )


def test_notify_list() -> None:
    provisions = [
        _provision(
            1, "Acme Logistics", "JP", datetime(2025, 1, 1, tzinfo=UTC), ["name", "address"]
        ),
        _provision(2, "Data Partners", "US", datetime(2025, 6, 1, tzinfo=UTC), ["e-mail"]),
        _provision(
            3, "ＡＣＭＥ  logistics", "JP", datetime(2026, 3, 1, tzinfo=UTC), ["name", "phone"]
        ),
        _provision(4, "Acme Logistics", "SG", datetime(2024, 1, 1, tzinfo=UTC), ["name"]),
    ]
    notify = notify_list(datamap=sample_map(), located=_hanako(), provisions=provisions, lang="ja")
    assert notify.systems == [
        NotifySystem(
            system="shop",
            name="オンラインショップ",
            department="EC Division",
            collections=[
                "shop_db.customers",
                "shop_db.orders",
                "shop_db.payments",
                "shop_db.events",
            ],
            rows=1 + 3 + 3 + 2,
        ),
        NotifySystem(
            system="crm",
            name="顧客管理",
            department="Customer Support",
            collections=["crm_db.contacts", "crm_db.tickets"],
            rows=3,
        ),
        NotifySystem(
            system="marketing",
            name="marketing",
            department=None,
            collections=["exports.newsletter"],
            rows=1,
        ),
    ]
    # the same recipient written two ways is one; the same name in another country is another
    assert notify.recipients == [
        NotifyRecipient(
            name="ＡＣＭＥ  logistics",
            country="JP",
            last_provided_at=datetime(2026, 3, 1, tzinfo=UTC),
            count=2,
            items=["name", "address", "phone"],
        ),
        NotifyRecipient(
            name="Data Partners",
            country="US",
            last_provided_at=datetime(2025, 6, 1, tzinfo=UTC),
            count=1,
            items=["e-mail"],
        ),
        NotifyRecipient(
            name="Acme Logistics",
            country="SG",
            last_provided_at=datetime(2024, 1, 1, tzinfo=UTC),
            count=1,
            items=["name"],
        ),
    ]
    assert "APPI Art. 35(3)" in notify.citations


def test_notify_list_without_rows_or_provisions_is_empty() -> None:
    notify = notify_list(
        datamap=sample_map(), located=Located(collections=[], queries=0), provisions=[], lang="en"
    )
    assert (notify.systems, notify.recipients) == ([], [])
