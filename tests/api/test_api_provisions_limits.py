"""``/api/v1/provisions`` and the provision details of a decision against hostile input:
integers beyond 64 bits, ids that are no ids, text no database stores. Every answer is a 422
naming the parameter, never a 500 and never the value."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kojin.auth.roles import Role

MY_NUMBER = "123456789018"
EMAIL = "taro.yamada@example.jp"

PROVIDE: dict[str, Any] = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "recipient": {"name": "Partner KK", "country": "JP"},
    "consent": {"given": True},
}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"offset": str(2**63)}, "query.offset"),
        ({"offset": str(2**64)}, "query.offset"),
        ({"offset": str(2**31)}, "query.offset"),
        ({"offset": "-1"}, "query.offset"),
        ({"limit": str(2**64)}, "query.limit"),
        ({"limit": "0"}, "query.limit"),
        ({"subject_id": EMAIL}, "query.subject_id"),
        ({"subject_id": "a\x00b"}, "query.subject_id"),
        ({"decision_id": MY_NUMBER}, "query.decision_id"),
        ({"decision_id": "f" * 33}, "query.decision_id"),
    ],
)
def test_a_listing_out_of_bounds_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]], params: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/provisions", params=params, headers=auth[Role.AUDITOR])
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]
    assert EMAIL not in response.text
    assert MY_NUMBER not in response.text


def test_the_largest_offset_is_answered(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    response = client.get(
        "/api/v1/provisions", params={"offset": str(2**31 - 1)}, headers=auth[Role.AUDITOR]
    )
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("provision", "field"),
    [
        ({"items": ["name", "a\x00b"]}, "body.provision.items.1"),
        ({"items": ["x" * 201]}, "body.provision.items.0"),
        ({"items": ["name"] * 201}, "body.provision.items"),
        ({"contract_reference": "c\x00"}, "body.provision.contract_reference"),
        ({"contract_reference": "c" * 201}, "body.provision.contract_reference"),
    ],
)
def test_provision_details_no_database_stores_are_422(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    provision: dict[str, Any],
    field: str,
) -> None:
    response = client.post(
        "/api/v1/decisions", json={**PROVIDE, "provision": provision}, headers=auth[Role.SYSTEM]
    )
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]
    listed = client.get("/api/v1/provisions", headers=auth[Role.AUDITOR])
    assert listed.json() == []
