"""Subject and consent endpoints answer malformed, oversized and out-of-range input with a 4xx
that names the field and never repeats the value: bounded text, NUL bytes and lone surrogates
(refused before PostgreSQL sees them), strict booleans and dates, bounded page numbers, and
404s without the id. Each case runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kojin.auth.roles import Role

#: what a client might put where it does not belong; no response may repeat any of it
MARKER = "hanako@example.jp123456789018"
NUL = "a\x00b"
SURROGATE = "\\ud800"  # a lone surrogate, written as a JSON escape


def _raw(body: dict[str, Any], field_path: tuple[str, ...], escaped: str) -> bytes:
    """`body` as JSON with the string at `field_path` replaced by the raw JSON escape
    `escaped` (so that a lone surrogate can be sent at all)."""
    placeholder = "__PLACEHOLDER__"
    target = body
    for key in field_path[:-1]:
        target = target[key]
    target[field_path[-1]] = placeholder
    return json.dumps(body).replace(f'"{placeholder}"', f'"{escaped}"').encode()


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["error"]["fields"]]
    assert MARKER not in response.text
    assert "123456789018" not in response.text


@pytest.fixture
def subject_id(client: TestClient, auth: dict[Role, dict[str, str]]) -> str:
    created = client.post(
        "/api/v1/subjects", json={"category": "customer"}, headers=auth[Role.ADMIN]
    )
    return str(created.json()["id"])


def _consent(subject_id: str) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "category": "customer",
        "purpose": "provide_services",
        "recipient": "Acme",
        "country": "US",
        "notice_version": "2026-04",
        "foreign_information": {
            "country": "US",
            "country_system": "doc:us",
            "recipient_measures": "m:1",
        },
        "method": "checkbox",
        "given_at": "2026-04-01T09:00:00+09:00",
    }


#: (url, body, text field path, maximum length) for every text field of the write bodies
SUBJECT_TEXT = [
    ("name", 500),
    ("email", 320),
    ("customer_number", 100),
    ("phone", 50),
    ("address", 1000),
]
CONSENT_TEXT = [
    (("subject_id",), 32),
    (("recipient",), 300),
    (("notice_version",), 100),
    (("foreign_information", "country_system"), 300),
    (("foreign_information", "recipient_measures"), 300),
]


@pytest.mark.parametrize(("field", "limit"), SUBJECT_TEXT)
def test_subject_text_fields_are_bounded_and_storable(
    client: TestClient, auth: dict[Role, dict[str, str]], field: str, limit: int
) -> None:
    admin = {**auth[Role.ADMIN], "Content-Type": "application/json"}
    long = (MARKER * (limit // len(MARKER) + 2))[: limit + 1]
    too_long = client.post(
        "/api/v1/subjects", json={"category": "customer", field: long}, headers=admin
    )
    _refused(too_long, f"body.{field}")
    fits = client.post(
        "/api/v1/subjects", json={"category": "customer", field: long[:limit]}, headers=admin
    )
    assert fits.status_code == 201
    for bad in (json.dumps(NUL)[1:-1], SURROGATE, "x" + SURROGATE + "y"):
        sent = client.post(
            "/api/v1/subjects",
            content=_raw({"category": "customer"}, (field,), bad),
            headers=admin,
        )
        _refused(sent, f"body.{field}")


@pytest.mark.parametrize("field", ["email", "customer_number"])
def test_search_fields_are_bounded_and_storable(
    client: TestClient, auth: dict[Role, dict[str, str]], field: str
) -> None:
    headers = {**auth[Role.HANDLER], "Content-Type": "application/json"}
    _refused(
        client.post("/api/v1/subjects/search", json={field: MARKER * 20}, headers=headers),
        f"body.{field}",
    )
    for bad in (json.dumps(NUL)[1:-1], SURROGATE):
        sent = client.post(
            "/api/v1/subjects/search", content=_raw({}, (field,), bad), headers=headers
        )
        _refused(sent, f"body.{field}")


@pytest.mark.parametrize(("path", "limit"), CONSENT_TEXT)
def test_consent_text_fields_are_bounded_and_storable(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    subject_id: str,
    path: tuple[str, ...],
    limit: int,
) -> None:
    headers = {**auth[Role.HANDLER], "Content-Type": "application/json"}
    body = _consent(subject_id)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = (MARKER * (limit // len(MARKER) + 2))[: limit + 1]
    _refused(client.post("/api/v1/consents", json=body, headers=headers), "body." + ".".join(path))
    for bad in (json.dumps(NUL)[1:-1], SURROGATE):
        sent = client.post(
            "/api/v1/consents", content=_raw(_consent(subject_id), path, bad), headers=headers
        )
        _refused(sent, "body." + ".".join(path))


def test_flag_reference_is_bounded_and_storable(
    client: TestClient, auth: dict[Role, dict[str, str]], subject_id: str
) -> None:
    url = f"/api/v1/subjects/{subject_id}/flags"
    headers = {**auth[Role.ADMIN], "Content-Type": "application/json"}
    _refused(
        client.patch(url, json={"stop_use": True, "reference": MARKER * 4}, headers=headers),
        "body.reference",
    )
    for bad in (json.dumps(NUL)[1:-1], SURROGATE):
        sent = client.patch(
            url, content=_raw({"stop_use": True}, ("reference",), bad), headers=headers
        )
        _refused(sent, "body.reference")


@pytest.mark.parametrize("value", [0, 1, "true", "false", "yes", 0.0, None, []])
def test_flags_are_strict_booleans(
    client: TestClient, auth: dict[Role, dict[str, str]], subject_id: str, value: Any
) -> None:
    url = f"/api/v1/subjects/{subject_id}/flags"
    for field in ("stop_provision", "stop_use"):
        response = client.patch(url, json={field: value}, headers=auth[Role.ADMIN])
        if value is None:  # null leaves the flag as it is
            assert response.status_code == 200
            continue
        _refused(response, f"body.{field}")


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "0001-01-01T00:00:00+09:00",
        "9999-12-31T23:59:59-10:00",
        "9999-12-31T23:59:59+00:00",
        "1899-12-31T23:59:59Z",
        "2026-04-01T09:00:00",  # no time zone
        "2026-04-01",
        "yesterday",
        "1700000000",
        0,
        1700000000,
        1.5,
        True,
        MARKER,
    ],
)
def test_consent_dates_out_of_range_or_not_dates_are_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], subject_id: str, value: Any
) -> None:
    headers = auth[Role.HANDLER]
    body = {**_consent(subject_id), "given_at": value}
    _refused(client.post("/api/v1/consents", json=body, headers=headers), "body.given_at")
    good = client.post("/api/v1/consents", json=_consent(subject_id), headers=headers)
    assert good.status_code == 201
    withdraw = client.post(
        f"/api/v1/consents/{good.json()['id']}/withdraw",
        json={"method": "email", "withdrawn_at": value},
        headers=headers,
    )
    _refused(withdraw, "body.withdrawn_at")


def test_dates_in_range_with_any_offset_are_kept(
    client: TestClient, auth: dict[Role, dict[str, str]], subject_id: str
) -> None:
    body = {**_consent(subject_id), "given_at": "2199-12-31T23:59:59+09:00"}
    recorded = client.post("/api/v1/consents", json=body, headers=auth[Role.HANDLER])
    assert recorded.status_code == 201, recorded.text
    given = datetime.fromisoformat(recorded.json()["given_at"])
    assert given == datetime(2199, 12, 31, 14, 59, 59, tzinfo=UTC)
    lower = {**_consent(subject_id), "given_at": "1900-01-01t00:00:00z"}  # RFC 3339 allows it
    assert client.post("/api/v1/consents", json=lower, headers=auth[Role.HANDLER]).is_success


@pytest.mark.parametrize("field", ["by_representative"])
@pytest.mark.parametrize("value", [0, 1, "true"])
def test_consent_booleans_are_strict(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    subject_id: str,
    field: str,
    value: Any,
) -> None:
    body = {**_consent(subject_id), field: value}
    _refused(
        client.post("/api/v1/consents", json=body, headers=auth[Role.HANDLER]), f"body.{field}"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("offset", str(2**63)),
        ("offset", str(2**64)),
        ("offset", str(2**64 + 1)),
        ("offset", "9" * 40),
        ("offset", "-1"),
        ("offset", "1000000001"),
        ("limit", str(2**64)),
        ("limit", "0"),
        ("limit", "1001"),
        ("limit", "9" * 5000),
    ],
)
def test_page_numbers_beyond_their_bounds_are_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], name: str, value: str
) -> None:
    response = client.get("/api/v1/subjects", params={name: value}, headers=auth[Role.HANDLER])
    _refused(response, f"query.{name}")
    assert value not in response.text


def test_the_largest_offset_is_answered(
    client: TestClient, auth: dict[Role, dict[str, str]], subject_id: str
) -> None:
    response = client.get(
        "/api/v1/subjects", params={"offset": "1000000000"}, headers=auth[Role.HANDLER]
    )
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "query", ["%00", "a%00b", "%ED%A0%80", "%FF", MARKER, "Customer", "x" * 65, ""]
)
def test_a_category_filter_is_a_policy_id(
    client: TestClient, auth: dict[Role, dict[str, str]], query: str
) -> None:
    response = client.get(f"/api/v1/subjects?category={query}", headers=auth[Role.HANDLER])
    _refused(response, "query.category")


@pytest.mark.parametrize("bad_id", [MARKER, "%00", "a%00b", "%ED%A0%80", "0" * 33, "Z" * 32])
def test_odd_ids_are_not_found_and_not_repeated(
    client: TestClient, auth: dict[Role, dict[str, str]], bad_id: str
) -> None:
    admin = auth[Role.ADMIN]
    answers = [
        (client.get(f"/api/v1/subjects/{bad_id}", headers=admin), "subject not found"),
        (
            client.patch(
                f"/api/v1/subjects/{bad_id}/flags", json={"stop_use": True}, headers=admin
            ),
            "subject not found",
        ),
        (
            client.post(
                f"/api/v1/consents/{bad_id}/withdraw", json={"method": "oral"}, headers=admin
            ),
            "consent not found",
        ),
    ]
    for response, message in answers:
        assert response.status_code == 404, response.text
        assert response.json()["error"]["message"] == message
        assert MARKER not in response.text
        assert "123456789018" not in response.text


@pytest.mark.parametrize("query", [MARKER, "%00", "a%00b", "%ED%A0%80x", "%FF", "f" * 32])
def test_consent_history_of_an_odd_or_unknown_subject_is_not_found(
    client: TestClient, auth: dict[Role, dict[str, str]], query: str
) -> None:
    response = client.get(f"/api/v1/consents?subject_id={query}", headers=auth[Role.AUDITOR])
    assert response.status_code == 404, response.text
    assert response.json()["error"]["message"] == "subject not found"
    assert MARKER not in response.text


def test_a_consent_for_an_unknown_subject_does_not_repeat_the_id(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    unknown = "0123456789abcdef0123456789abcdef"
    response = client.post("/api/v1/consents", json=_consent(unknown), headers=auth[Role.HANDLER])
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "subject not found"
    assert unknown not in response.text


def test_a_second_withdrawal_does_not_repeat_the_id(
    client: TestClient, auth: dict[Role, dict[str, str]], subject_id: str
) -> None:
    headers = auth[Role.HANDLER]
    consent_id = client.post("/api/v1/consents", json=_consent(subject_id), headers=headers).json()[
        "id"
    ]
    url = f"/api/v1/consents/{consent_id}/withdraw"
    assert client.post(url, json={"method": "oral"}, headers=headers).status_code == 200
    again = client.post(url, json={"method": "oral"}, headers=headers)
    assert again.status_code == 409
    assert consent_id not in again.text
