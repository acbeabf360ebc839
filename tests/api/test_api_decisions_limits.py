"""Decision requests over HTTP are bounded: every string and list of the contract has a maximum,
text that no database column can hold (NUL, lone surrogates) is refused, and whatever a
fuzzer sends to the single route, the fast path or the batch route is a 4xx, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.law.decision_schemas import MAX_FREE_TEXT, MAX_ITEMS
from kojin.registry.decisions.models import DecisionRecord

PROVIDE: dict[str, Any] = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "recipient": {"name": "Partner KK", "country": "JP"},
    "consent": {"given": True},
    "provision": {"items": ["name", "email"]},
}

#: (field path, value too long or too many): each is a 422 naming that field
OVERSIZED: list[tuple[str, dict[str, Any]]] = [
    ("body.category", {"category": "c" * 10_000}),
    ("body.purpose", {"purpose": "p" * (MAX_FREE_TEXT + 1)}),
    ("body.purpose", {"purpose": "p" * 1_000_000}),
    ("body.subject_id", {"subject_id": "s" * 33}),
    ("body.dataset_id", {"dataset_id": "d" * 33}),
    ("body.recipient.name", {"recipient": {"name": "n" * 201, "country": "JP"}}),
    ("body.recipient.country", {"recipient": {"country": "J" * 100_000}}),
    ("body.items.0", {"items": ["i" * 65]}),
    ("body.items", {"items": ["i"] * (MAX_ITEMS + 1)}),
    ("body.provision.items.0", {"provision": {"items": ["i" * 100_000]}}),
    ("body.provision.items", {"provision": {"items": ["i"] * (MAX_ITEMS + 1)}}),
    ("body.provision.contract_reference", {"provision": {"contract_reference": "r" * 201}}),
]

#: values no database column can hold, or of a type the contract has no room for
UNSTORABLE: list[tuple[str, dict[str, Any] | str]] = [
    ("body.purpose", {"purpose": "a\u0000b"}),
    ("body.category", {"category": "customer\u0000"}),
    ("body.subject_id", {"subject_id": "\u0000"}),
    ("body.dataset_id", {"dataset_id": "a\u0000"}),
    ("body.recipient.name", {"recipient": {"name": "\u0000", "country": "JP"}}),
    ("body.items.0", {"items": ["\u0000"]}),
    ("body.provision.items.0", {"provision": {"items": ["a\u0000"]}}),
    ("body.provision.contract_reference", {"provision": {"contract_reference": "\u0000"}}),
    ("body.subject_id", {"subject_id": 2**70}),
    ("body.special_care", {"special_care": 2**70}),
    ("body.given_at", {"given_at": "0001-01-01"}),
    ("body.given_at", {"given_at": "9999-12-31T23:59:59-10:00"}),
]

#: lone surrogates, written as JSON escapes (a JSON encoder would refuse to send them)
SURROGATES = [
    ("body.purpose", '"purpose": "\\ud800"'),
    ("body.subject_id", '"subject_id": "\\udc00x"'),
    ("body.recipient.name", '"recipient": {"name": "\\udfff", "country": "JP"}'),
    ("body.provision.items.0", '"provision": {"items": ["\\ud83d"]}'),
]


def _fields(response: Any) -> list[str]:
    return [field["field"] for field in response.json()["error"]["fields"]]


def _decisions(database: Database) -> int:
    with database.read() as session:
        return session.query(DecisionRecord).count()


@pytest.mark.parametrize(("field", "change"), OVERSIZED)
def test_an_oversized_field_is_422_naming_it_on_both_routes(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    field: str,
    change: dict[str, Any],
) -> None:
    body = {**PROVIDE, **change}
    single = client.post("/api/v1/decisions", json=body, headers=auth[Role.SYSTEM])
    assert single.status_code == 422, single.text
    assert field in _fields(single)
    batch = client.post(
        "/api/v1/decisions/batch",
        json={"requests": [PROVIDE, body]},
        headers=auth[Role.SYSTEM],
    )
    assert batch.status_code == 422, batch.text
    assert field.replace("body.", "body.requests.1.", 1) in _fields(batch)
    assert _decisions(database) == 0


@pytest.mark.parametrize(("field", "change"), UNSTORABLE)
def test_an_unstorable_value_is_422_not_500(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    field: str,
    change: dict[str, Any],
) -> None:
    body = {**PROVIDE, **change}
    single = client.post("/api/v1/decisions", json=body, headers=auth[Role.SYSTEM])
    assert single.status_code == 422, single.text
    assert field in _fields(single)
    batch = client.post(
        "/api/v1/decisions/batch", json={"requests": [body]}, headers=auth[Role.SYSTEM]
    )
    assert batch.status_code == 422, batch.text
    assert field.replace("body.", "body.requests.0.", 1) in _fields(batch)
    assert _decisions(database) == 0


@pytest.mark.parametrize(("field", "member"), SURROGATES)
def test_a_lone_surrogate_is_422_on_both_routes(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    field: str,
    member: str,
) -> None:
    body = (
        '{"action": "provide", "category": "customer", "consent": {"given": true}, '
        '"recipient": {"country": "JP"}, ' + member + "}"
    ).replace('"recipient": {"country": "JP"}, "recipient"', '"recipient"')
    headers = {**auth[Role.SYSTEM], "Content-Type": "application/json"}
    single = client.post("/api/v1/decisions", content=body.encode(), headers=headers)
    assert single.status_code == 422, single.text
    batch = client.post(
        "/api/v1/decisions/batch",
        content=('{"requests": [' + body + "]}").encode(),
        headers=headers,
    )
    assert batch.status_code == 422, batch.text
    assert field.replace("body.", "body.requests.0.", 1) in _fields(batch)
    assert _decisions(database) == 0


def test_a_key_that_is_a_lone_surrogate_is_422_without_echoing_it(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    headers = {**auth[Role.SYSTEM], "Content-Type": "application/json"}
    body = '{"action": "use", "category": "customer", "\\ud800": 1}'
    for path, content in (
        ("/api/v1/decisions", body),
        ("/api/v1/decisions/batch", '{"requests": [' + body + "]}"),
    ):
        response = client.post(path, content=content.encode(), headers=headers)
        assert response.status_code == 422, response.text
        assert "\\ud800" not in response.text


def test_the_largest_allowed_values_are_decided_and_stored(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    """The limits are what the database stores: a request at every maximum is recorded."""
    body = {
        **PROVIDE,
        "purpose": "p" * MAX_FREE_TEXT,
        "recipient": {"name": "n" * 200, "country": "JP"},
        "items": ["i" * 64] * MAX_ITEMS,
        "provision": {"items": ["i" * 200] * MAX_ITEMS, "contract_reference": "r" * 200},
    }
    response = client.post("/api/v1/decisions", json=body, headers=auth[Role.SYSTEM])
    assert response.status_code == 200, response.text
    assert response.json()["provision_ids"]
    batch = client.post(
        "/api/v1/decisions/batch", json={"requests": [body, body]}, headers=auth[Role.SYSTEM]
    )
    assert batch.status_code == 200, batch.text
    assert _decisions(database) == 3


def test_a_batch_beyond_its_limit_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    from kojin.api.routers.decisions import MAX_BATCH

    body = {"action": "use", "category": "customer", "purpose": "provide_services"}
    response = client.post(
        "/api/v1/decisions/batch",
        json={"requests": [body] * (MAX_BATCH + 1)},
        headers=auth[Role.SYSTEM],
    )
    assert response.status_code == 422
    assert "body.requests" in _fields(response)
    assert _decisions(database) == 0
