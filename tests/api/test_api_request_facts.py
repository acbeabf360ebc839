"""Bad or missing facts over HTTP are 422 naming the field: no country (never assumed to be
Japan), a country ISO 3166 does not assign, a boolean that is not true or false, a key given
twice. No response repeats the submitted value."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kojin.auth.roles import Role

PROVIDE: dict[str, Any] = {
    "action": "provide",
    "category": "customer",
    "purpose": "provide_services",
    "consent": {"given": True},
}


def _post(client: TestClient, headers: dict[str, str], body: Any) -> Any:
    if isinstance(body, str):
        return client.post(
            "/api/v1/decisions",
            content=body,
            headers={**headers, "content-type": "application/json"},
        )
    return client.post("/api/v1/decisions", json=body, headers=headers)


@pytest.mark.parametrize(
    "recipient",
    [None, {"name": "Partner KK"}, {"name": "Partner KK", "country": None}],
    ids=["no-recipient", "no-country", "null-country"],
)
def test_a_provision_without_a_country_is_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], recipient: dict[str, Any] | None
) -> None:
    body = dict(PROVIDE)
    if recipient is not None:
        body["recipient"] = recipient
    response = _post(client, auth[Role.SYSTEM], body)
    assert response.status_code == 422, response.text
    assert "recipient.country" in response.text


def test_storage_abroad_without_a_country_is_refused(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    body = {"action": "store_abroad", "category": "customer", "recipient": {"name": "DC"}}
    response = _post(client, auth[Role.SYSTEM], body)
    assert response.status_code == 422
    assert "recipient.country" in response.text


@pytest.mark.parametrize("country", ["XX", "ZZ", "EU", "USA", "Japan", "J1", "日本"])
def test_a_country_iso_3166_does_not_assign_is_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], country: str
) -> None:
    body = {**PROVIDE, "recipient": {"name": "Partner KK", "country": country}}
    response = _post(client, auth[Role.SYSTEM], body)
    assert response.status_code == 422
    assert "recipient.country" in response.text
    assert f'"{country}"' not in response.text


@pytest.mark.parametrize("value", ['"yes"', "1", '"on"', '"true"', "1.0", '"1"'])
@pytest.mark.parametrize(
    "template",
    [
        '{{"action": "provide", "category": "customer", "purpose": "provide_services", '
        '"recipient": {{"country": "JP"}}, "consent": {{"given": {value}}}}}',
        '{{"action": "acquire", "category": "customer", "purpose": "provide_services", '
        '"special_care": {value}}}',
        '{{"action": "provide", "category": "customer", "recipient": {{"country": "US", '
        '"equivalent_measures": {value}}}}}',
    ],
    ids=["consent", "special-care", "equivalent-measures"],
)
def test_booleans_are_strict(
    client: TestClient, auth: dict[Role, dict[str, str]], template: str, value: str
) -> None:
    response = _post(client, auth[Role.SYSTEM], template.format(value=value))
    assert response.status_code == 422, response.text


def test_a_key_given_twice_is_refused(client: TestClient, auth: dict[Role, dict[str, str]]) -> None:
    body = (
        '{"action": "provide", "category": "customer", "purpose": "provide_services", '
        '"recipient": {"country": "JP"}, "consent": {"given": false, "given": true}}'
    )
    response = _post(client, auth[Role.SYSTEM], body)
    assert response.status_code == 422
    assert "appears twice" in response.text
    # the same body without the repetition is decided: the refusal is about the repetition
    single = body.replace('"given": false, ', "")
    assert _post(client, auth[Role.SYSTEM], single).status_code == 200


def test_a_key_given_twice_is_refused_in_a_batch_and_elsewhere(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    batch = '{"requests": [{"action": "use", "category": "customer", "category": "customer"}]}'
    response = client.post(
        "/api/v1/decisions/batch",
        content=batch,
        headers={**auth[Role.SYSTEM], "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "appears twice" in response.text


def test_a_repeated_key_that_is_not_a_field_name_is_not_echoed(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    body = '{"action": "use", "category": "customer", "taro@example.jp": 1, "taro@example.jp": 2}'
    response = _post(client, auth[Role.SYSTEM], body)
    assert response.status_code == 422
    assert "appears twice" in response.text
    assert "taro@example.jp" not in response.text
