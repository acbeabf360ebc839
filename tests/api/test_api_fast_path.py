"""The decision fast path answers exactly as the full middleware stack does: same status, error
shape, access-log line and unexpected-error handling; other requests take the full stack."""

from __future__ import annotations

import gc
import json
import logging

import pytest
from fastapi.testclient import TestClient

from kojin.api import create_app
from kojin.api.routers import decisions as decisions_router
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.settings import Settings

USE_CUSTOMER = {"action": "use", "category": "customer", "purpose": "provide_services"}
PATH = "/api/v1/decisions"


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "kojin.access"]


@pytest.mark.parametrize(
    ("body", "role", "status", "code"),
    [
        (USE_CUSTOMER, Role.SYSTEM, 200, None),
        (USE_CUSTOMER, Role.AUDITOR, 403, "forbidden"),
        (USE_CUSTOMER, None, 401, "unauthenticated"),
        ({**USE_CUSTOMER, "action": "sell"}, Role.SYSTEM, 422, "invalid_input"),
        ({**USE_CUSTOMER, "subject_id": "e" * 32}, Role.SYSTEM, 404, "not_found"),
    ],
)
def test_each_outcome_has_its_status_shape_and_one_access_line(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    body: dict[str, object],
    role: Role | None,
    status: int,
    code: str | None,
) -> None:
    caplog.set_level(logging.INFO, logger="kojin.access")
    headers = auth[role] if role is not None else {}
    response = client.post(PATH, json=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    if code is None:
        assert response.json()["decision"]["allowed"] is True
    else:
        assert set(response.json()) == {"error"}
        assert response.json()["error"]["code"] == code
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    [line] = _access_lines(caplog)
    assert (line["method"], line["path"], line["status"]) == ("POST", PATH, status)
    assert (line["actor"] is None) == (role is None)


def test_a_body_that_is_not_json_is_a_422_naming_the_body(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    response = client.post(
        PATH,
        content=b"{not json",
        headers={**auth[Role.SYSTEM], "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"].startswith("body")


def test_an_unexpected_exception_on_the_fast_path_is_a_generic_500(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*_: object) -> object:
        raise RuntimeError("taro.yamada@example.com")

    monkeypatch.setattr(decisions_router, "_decide", broken)
    caplog.set_level(logging.INFO)
    response = client.post(PATH, json=USE_CUSTOMER, headers=auth[Role.SYSTEM])
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"
    assert "taro.yamada" not in response.text
    errors = [r for r in caplog.records if r.name == "kojin.api.errors"]
    assert len(errors) == 1
    assert json.loads(errors[0].getMessage())["path"] == PATH
    assert _access_lines(caplog)[0]["status"] == 500


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", PATH, 405), ("PUT", PATH, 405), ("POST", PATH + "/", 307)],
)
def test_other_methods_and_paths_take_the_full_stack(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    method: str,
    path: str,
    status: int,
) -> None:
    response = client.request(
        method, path, json=USE_CUSTOMER, headers=auth[Role.SYSTEM], follow_redirects=False
    )
    assert response.status_code == status
    if status == 405:
        assert response.json()["error"]["code"] == "method_not_allowed"
    else:
        assert response.headers["location"].endswith(PATH)


def test_under_a_root_path_the_decision_route_still_answers(
    settings: Settings, database: Database, auth: dict[Role, dict[str, str]]
) -> None:
    app = create_app(settings, database=database)
    with TestClient(app, root_path="/kojin") as client:
        response = client.post("/kojin" + PATH, json=USE_CUSTOMER, headers=auth[Role.SYSTEM])
    assert response.status_code == 200
    assert response.json()["decision"]["allowed"] is True


def test_a_server_app_freezes_its_startup_heap_and_a_test_app_does_not(
    settings: Settings, database: Database
) -> None:
    gc.unfreeze()
    with TestClient(create_app(settings, database=database)):
        assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(settings, database=database, freeze_heap=True)):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
