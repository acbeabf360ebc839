"""The registry never stores an individual number (R-CD-1, R-MN-6; not even as a customer
number, R-MN-1): a subject, search, consent or flag field that shows one is a 422 that names the
field and repeats nothing. Numbers belong in the vault. Digits that are no number (a wrong check
digit, part of a digest or of a longer number) are stored as before."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kojin.auth.roles import Role

NUMBER = "123456789018"
#: the ways a person writes the same number
WRITTEN = [
    NUMBER,
    "1234 5678 9018",
    "1234-5678-9018",
    "１２３４５６７８９０１８",
    "１２３４－５６７８－９０１８",
    f"mobile 090-1111-2222, number {NUMBER}",
]
#: digits that are not an individual number
NOT_A_NUMBER = ["123456789019", f"sha256:ab{NUMBER}cd", f"9{NUMBER}", "C-0420-7781"]
SUBJECT_FIELDS = ["name", "email", "customer_number", "phone", "address"]


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    fields = response.json()["error"]["fields"]
    assert field in [f["field"] for f in fields]
    assert all("individual number" in f["message"] for f in fields if f["field"] == field)
    for digits in ("1234", "5678", "9018", "１２３４"):
        assert digits not in response.text


@pytest.mark.parametrize("field", SUBJECT_FIELDS)
@pytest.mark.parametrize("written", WRITTEN)
def test_a_subject_field_showing_a_number_is_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], field: str, written: str
) -> None:
    body = {"category": "customer", field: written}
    _refused(client.post("/api/v1/subjects", json=body, headers=auth[Role.ADMIN]), f"body.{field}")
    assert client.get("/api/v1/subjects", headers=auth[Role.ADMIN]).json() == []


@pytest.mark.parametrize("value", NOT_A_NUMBER)
def test_digits_that_are_no_number_are_stored(
    client: TestClient, auth: dict[Role, dict[str, str]], value: str
) -> None:
    body = {"category": "customer", "customer_number": value}
    created = client.post("/api/v1/subjects", json=body, headers=auth[Role.ADMIN])
    assert created.status_code == 201, created.text


def test_searches_consents_and_flags_refuse_a_number(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    admin = auth[Role.ADMIN]
    search = {"customer_number": "1234 5678 9018"}
    _refused(
        client.post("/api/v1/subjects/search", json=search, headers=admin),
        "body.customer_number",
    )
    created = client.post("/api/v1/subjects", json={"category": "customer"}, headers=admin)
    subject_id = created.json()["id"]
    consent = {
        "subject_id": subject_id,
        "category": "customer",
        "purpose": "provide_services",
        "recipient": f"Acme, for payee {NUMBER}",
        "notice_version": "2026-04",
        "method": "checkbox",
        "given_at": "2026-04-01T09:00:00+09:00",
    }
    _refused(client.post("/api/v1/consents", json=consent, headers=admin), "body.recipient")
    flags = {"stop_use": True, "reference": f"call about {NUMBER}"}
    _refused(
        client.patch(f"/api/v1/subjects/{subject_id}/flags", json=flags, headers=admin),
        "body.reference",
    )
