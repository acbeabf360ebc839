"""One error shape; 422 names the field without echoing it; unexpected errors are generic 500s;
no personal data or traceback in any response or log line (R-SEC-2 leak prevention)."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from kojin.api import errors as api_errors
from kojin.api.routers import ledger as ledger_router
from kojin.auth.roles import Role

EMAIL = "taro.yamada@example.com"
MY_NUMBER = "123456789018"  # a well-formed individual number (check digit 8)


def _all_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def _assert_error_shape(body: dict[str, object], code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": EMAIL, "category": "customer"}, "body.action"),
        (
            {"action": "use", "category": "customer", "subject_id": int(MY_NUMBER)},
            "body.subject_id",
        ),
        ({"action": "use", "category": "customer", "purpose": [EMAIL, MY_NUMBER]}, "body.purpose"),
        (
            {"action": "use", "category": "customer", "recipient": {"country": EMAIL}},
            "body.recipient.country",
        ),
        ({"action": "use", "category": "customer", EMAIL: MY_NUMBER}, "body.<key>"),
        ({"action": "use", "category": "customer", MY_NUMBER: EMAIL}, "body.<key>"),
    ],
)
def test_422_names_the_field_and_never_echoes_the_value(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    payload: dict[str, object],
    field: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post("/api/v1/decisions", json=payload, headers=auth[Role.SYSTEM])
    assert response.status_code == 422
    body = response.json()
    _assert_error_shape(body, "invalid_input")
    assert field in [item["field"] for item in body["error"]["fields"]]
    assert field in body["error"]["message"]
    for secret in (EMAIL, MY_NUMBER):
        assert secret not in response.text
        assert secret not in _all_log_text(caplog)
    assert all(set(item) == {"field", "message", "type"} for item in body["error"]["fields"])


def test_a_malformed_json_body_is_a_422_without_its_content(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    raw = f'{{"action": "use", "category": "{EMAIL}", '.encode()
    response = client.post(
        "/api/v1/decisions",
        content=raw,
        headers={**auth[Role.SYSTEM], "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    _assert_error_shape(response.json(), "invalid_input")
    assert EMAIL not in response.text


def test_an_unexpected_exception_is_a_generic_500_and_one_clean_log_line(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**_: object) -> object:
        raise RuntimeError(f"row for {EMAIL} / {MY_NUMBER} is broken")

    monkeypatch.setattr(ledger_router, "list_entries", broken)
    caplog.set_level(logging.DEBUG)
    response = client.get("/api/v1/ledger", headers=auth[Role.ADMIN])
    assert response.status_code == 500
    body = response.json()
    _assert_error_shape(body, "internal")
    assert body["error"]["message"] == api_errors.GENERIC_500_MESSAGE
    logged = _all_log_text(caplog)
    for text in (response.text, logged):
        assert EMAIL not in text
        assert MY_NUMBER not in text
        assert "Traceback" not in text
    assert all(record.exc_info is None for record in caplog.records)
    error_lines = [r for r in caplog.records if r.name == "kojin.api.errors"]
    assert len(error_lines) == 1
    event = json.loads(error_lines[0].getMessage())
    assert event["error_class"] == "RuntimeError"
    assert event["path"] == "/api/v1/ledger"
    assert event["where"].startswith("test_api_errors.py:")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/no-such-thing", 404, "not_found"),
        ("PUT", "/api/v1/policy", 405, "method_not_allowed"),
        ("GET", "/api/v1/ledger/" + "0" * 32, 404, "not_found"),
        ("GET", "/api/v1/subjects/" + "0" * 32, 404, "not_found"),
    ],
)
def test_framework_and_service_errors_share_the_shape(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    method: str,
    path: str,
    status: int,
    code: str,
) -> None:
    response = client.request(method, path, headers=auth[Role.ADMIN])
    assert response.status_code == status
    _assert_error_shape(response.json(), code)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer kojin_not-a-real-token"},
        {"Authorization": "Bearer something-else"},
    ],
)
def test_missing_or_unknown_tokens_are_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/policy", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    _assert_error_shape(response.json(), "unauthenticated")


def test_a_revoked_token_stops_working(
    client: TestClient, auth: dict[Role, dict[str, str]], tokens: dict[Role, str]
) -> None:
    created = client.post(
        "/api/v1/tokens", json={"role": "auditor", "name": "temp"}, headers=auth[Role.ADMIN]
    )
    assert created.status_code == 201
    plaintext = created.json()["plaintext"]
    header = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/audit/verify", headers=header).status_code == 200
    token_id = created.json()["token"]["id"]
    revoked = client.delete(f"/api/v1/tokens/{token_id}", headers=auth[Role.ADMIN])
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/audit/verify", headers=header).status_code == 401


def test_access_log_lines_carry_the_template_never_values(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    created = client.post(
        "/api/v1/subjects",
        json={"category": "customer", "email": EMAIL},
        headers=auth[Role.PRIVACY_OFFICER],
    )
    assert created.status_code == 201
    subject_id = created.json()["id"]
    caplog.set_level(logging.INFO, logger="kojin.access")
    response = client.get(
        f"/api/v1/subjects/{subject_id}?reveal=true&note={MY_NUMBER}",
        headers=auth[Role.PRIVACY_OFFICER],
    )
    assert response.status_code == 200
    assert response.json()["identifiers"]["email"] == EMAIL
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kojin.access"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"event", "method", "path", "status", "duration_ms", "actor"}
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/subjects/{subject_id}"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    token_ids = {t["id"] for t in client.get("/api/v1/tokens", headers=auth[Role.ADMIN]).json()}
    assert line["actor"] in token_ids
    text = caplog.text
    for value in (subject_id, MY_NUMBER, EMAIL, "reveal"):
        assert value not in text


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("purpse", True),
        ("data_items", True),
        (EMAIL, False),
        (MY_NUMBER, False),
        ("taro.yamada", False),
        ("Yamada-Taro", False),
        ("山田", False),
    ],
)
def test_an_unknown_key_is_named_only_when_it_reads_like_a_field_name(
    client: TestClient, auth: dict[Role, dict[str, str]], key: str, shown: bool
) -> None:
    response = client.post(
        "/api/v1/subjects",
        json={"category": "customer", key: 1},
        headers=auth[Role.PRIVACY_OFFICER],
    )
    assert response.status_code == 422
    fields = [item["field"] for item in response.json()["error"]["fields"]]
    assert fields == ([f"body.{key}"] if shown else ["body.<key>"])
    assert (key in response.text) is shown
