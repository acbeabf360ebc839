"""The ledger over HTTP against hostile input: words the policy does not declare, text no
database stores, numbers and dates out of range, CSV bytes that are no text. Every answer is a
4xx naming the field (and the CSV line), never the value that was sent."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.api import create_app
from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.registry.bootstrap import sample_ledger_text
from kojin.registry.ledger.csvio import MAX_IMPORT_ROWS
from kojin.settings import Settings

MY_NUMBER = "123456789018"  # a well-formed individual number (check digit 8)
EMAIL = "taro.yamada@example.jp"
#: a value shaped like a policy id that the default policy does not declare
UNDECLARED = "taro_yamada_123456789018"

ENTRY: dict[str, Any] = {
    "item": "Seminar attendee list",
    "category": "customer",
    "purposes": ["provide_services"],
    "acquisition_method": "written_direct",
    "storage_location": "File server",
    "medium": "electronic",
    "access": "Marketing staff",
    "retention_period": "3 years",
    "disposal_method": "Deletion",
    "record_count": 120,
    "responsible_department": "Marketing",
}


def _secrets_absent(text: str) -> None:
    for secret in (MY_NUMBER, EMAIL, UNDECLARED):
        assert secret not in text


def _fields(response: Any) -> list[str]:
    return [f["field"] for f in response.json()["error"]["fields"]]


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(sample_ledger_text())))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _import(
    client: TestClient, auth: dict[Role, dict[str, str]], body: bytes, charset: str = "utf-8"
) -> Any:
    return client.post(
        "/api/v1/ledger/import",
        content=body,
        headers={**auth[Role.PRIVACY_OFFICER], "Content-Type": f"text/csv; charset={charset}"},
    )


def _stored(client: TestClient, auth: dict[Role, dict[str, str]]) -> list[dict[str, Any]]:
    listed = client.get("/api/v1/ledger", headers=auth[Role.AUDITOR])
    assert listed.status_code == 200
    rows: list[dict[str, Any]] = listed.json()
    return rows


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": UNDECLARED}, "category"),
        ({"category": EMAIL}, "body.category"),
        ({"purposes": ["provide_services", UNDECLARED]}, "purposes.1"),
        ({"purposes": [MY_NUMBER]}, "body.purposes.0"),
        # a purpose the policy declares, but for another category
        ({"purposes": ["contract_management"]}, "purposes.0"),
        ({"pi_kinds": [EMAIL]}, "body.pi_kinds.0"),
        ({"storage_country": "XX"}, "body.storage_country"),
        ({"storage_country": MY_NUMBER}, "body.storage_country"),
    ],
)
def test_a_row_in_words_the_policy_does_not_declare_is_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], change: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/ledger", json={**ENTRY, **change}, headers=auth[Role.ADMIN])
    assert response.status_code == 422, response.text
    assert _fields(response)[0] == field
    _secrets_absent(response.text)
    assert _stored(client, auth) == []


def test_a_change_must_stay_in_the_policys_words(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    created = client.post("/api/v1/ledger", json=ENTRY, headers=auth[Role.ADMIN])
    assert created.status_code == 201
    url = f"/api/v1/ledger/{created.json()['id']}"
    # the stored purposes are not the new category's
    moved = client.patch(url, json={"category": "partner_employee"}, headers=auth[Role.ADMIN])
    assert moved.status_code == 422
    assert _fields(moved) == ["purposes.0"]
    undeclared = client.patch(url, json={"purposes": [UNDECLARED]}, headers=auth[Role.ADMIN])
    assert undeclared.status_code == 422
    assert _fields(undeclared) == ["purposes.0"]
    _secrets_absent(undeclared.text)
    both = client.patch(
        url,
        json={"category": "partner_employee", "purposes": ["contract_management"]},
        headers=auth[Role.ADMIN],
    )
    assert both.status_code == 200
    with database.read() as session:
        query = select(AuditEntry.details).order_by(AuditEntry.seq)
        details = list(session.execute(query).scalars())
    # the chain holds declared categories and field names only
    assert details[-1] == {"category": "partner_employee", "fields": ["category", "purposes"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"item": "a\u0000b"}, "body.item"),
        ({"access": "Sales\x00"}, "body.access"),
        ({"data_locations": ["customers.*", "x\x00"]}, "body.data_locations.1"),
        ({"item": "x" * 301}, "body.item"),
        ({"retention_period": "5" * 201}, "body.retention_period"),
        ({"data_locations": ["t.c"] * 201}, "body.data_locations"),
        ({"data_locations": ["t" * 301]}, "body.data_locations.0"),
        ({"purposes": ["provide_services"] * 51}, "body.purposes"),
        ({"pi_kinds": ["email"] * 101}, "body.pi_kinds"),
        ({"pi_kinds": ["e" * 65]}, "body.pi_kinds.0"),
        ({"record_count": 2**31}, "body.record_count"),
        ({"record_count": 2**64}, "body.record_count"),
        ({"record_count": -1}, "body.record_count"),
        ({"last_reviewed": "0001-01-01"}, "body.last_reviewed"),
        ({"last_reviewed": "9999-12-31"}, "body.last_reviewed"),
    ],
)
def test_text_no_database_stores_and_values_out_of_range_are_422(
    client: TestClient, auth: dict[Role, dict[str, str]], change: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/ledger", json={**ENTRY, **change}, headers=auth[Role.ADMIN])
    assert response.status_code == 422, response.text
    assert _fields(response)[0] == field


def test_a_lone_surrogate_is_422_on_create_and_update(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    """JSON may spell an unpaired surrogate (``\\ud800``); no database stores it."""
    body = json.dumps({**ENTRY, "item": "PLACEHOLDER"}).replace("PLACEHOLDER", "a\\ud800b")
    headers = {**auth[Role.ADMIN], "Content-Type": "application/json"}
    response = client.post("/api/v1/ledger", content=body.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert _fields(response) == ["body.item"]
    created = client.post("/api/v1/ledger", json=ENTRY, headers=auth[Role.ADMIN])
    patched = client.patch(
        f"/api/v1/ledger/{created.json()['id']}",
        content=b'{"storage_location": "\\udfff"}',
        headers=headers,
    )
    assert patched.status_code == 422, patched.text
    assert _fields(patched) == ["body.storage_location"]


@pytest.mark.parametrize("today", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_review_date_out_of_range_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]], today: str
) -> None:
    response = client.get("/api/v1/ledger/due", params={"today": today}, headers=auth[Role.ADMIN])
    assert response.status_code == 422, response.text
    assert _fields(response) == ["today"]


@pytest.mark.parametrize("category", ["a\x00b", EMAIL, "c" * 65])
def test_a_category_filter_that_is_no_id_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]], category: str
) -> None:
    response = client.get(
        "/api/v1/ledger", params={"category": category}, headers=auth[Role.AUDITOR]
    )
    assert response.status_code == 422
    assert _fields(response) == ["query.category"]
    _secrets_absent(response.text)


@pytest.mark.parametrize("entry_id", ["0" * 32, EMAIL, MY_NUMBER, "a%00b", "%ED%A0%80", "f" * 5000])
def test_an_unknown_row_is_404_without_its_id(
    client: TestClient, auth: dict[Role, dict[str, str]], entry_id: str
) -> None:
    got = client.get(f"/api/v1/ledger/{entry_id}", headers=auth[Role.AUDITOR])
    patched = client.patch(
        f"/api/v1/ledger/{entry_id}", json={"record_count": 1}, headers=auth[Role.ADMIN]
    )
    for response in (got, patched):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["message"] == "ledger entry not found"
        assert entry_id not in response.text
        assert entry_id.replace("%00", "\\u0000") not in response.text


def test_an_import_in_words_the_policy_does_not_declare_names_lines_not_values(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    rows = _rows()
    rows[1]["category"] = UNDECLARED  # line 3
    rows[2]["purposes"] = f"provide_services;{UNDECLARED}"  # line 4
    rows[3]["pi_kinds"] = f"email;{EMAIL}"  # line 5
    rows[4]["purposes"] = "provide_services"  # line 6: a customer purpose on a partner row
    response = _import(client, auth, _csv(rows))
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "line 3, column category: not a category the policy declares" in message
    assert "line 4, column purposes (value 2): not a purpose the policy declares" in message
    assert "line 5, column pi_kinds" in message
    assert "line 6, column purposes (value 1)" in message
    _secrets_absent(response.text)
    assert _stored(client, auth) == []


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("item", "a\x00b"),
        ("storage_location", "x" * 301),
        ("record_count", str(2**64)),
        ("last_reviewed", "0001-01-01"),
        ("data_locations", ";".join(["t.c"] * 201)),
    ],
)
def test_an_import_with_unstorable_or_out_of_range_cells_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]], cell: str, value: str
) -> None:
    rows = _rows()
    rows[1][cell] = value
    response = _import(client, auth, _csv(rows))
    assert response.status_code == 422, response.text
    assert f"line 3, column {cell}" in response.json()["error"]["message"]
    assert _stored(client, auth) == []


def test_undecodable_csv_bytes_are_422_naming_the_byte_and_line(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    text = sample_ledger_text()
    lines = text.splitlines(keepends=True)
    body = "".join(lines[:3]).encode() + b"\xff\xfe" + "".join(lines[3:]).encode()
    response = _import(client, auth, body)
    assert response.status_code == 422, response.text
    offset = len("".join(lines[:3]).encode())
    message = response.json()["error"]["message"]
    assert f"(byte {offset}, line 4)" in message
    assert "charset=" in message
    assert _fields(response) == ["body"]


@pytest.mark.parametrize("charset", ["rot13", "hex", "zlib_codec", "unicode_escape", "utf-7"])
def test_a_charset_that_reads_no_plain_text_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]], charset: str
) -> None:
    # unicode_escape would turn the text \ud800 into a lone surrogate
    body = sample_ledger_text().replace("Building visitor log", "\\ud800").encode()
    response = _import(client, auth, body, charset=charset)
    assert response.status_code == 422, response.text
    assert _fields(response) == ["body"]
    assert _stored(client, auth) == []


def test_a_cell_beyond_the_csv_field_limit_is_422_naming_its_line(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    rows = _rows()
    rows[2]["access"] = "x" * 200_000  # line 4
    response = _import(client, auth, _csv(rows))
    assert response.status_code == 422, response.text
    assert "line 4: not readable as CSV" in response.json()["error"]["message"]


def test_an_import_of_too_many_rows_is_422(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    header, first, *_ = sample_ledger_text().splitlines()
    body = "\n".join([header, *[first] * (MAX_IMPORT_ROWS + 1)]).encode()
    response = _import(client, auth, body)
    assert response.status_code == 422, response.text
    assert f"more than {MAX_IMPORT_ROWS} data rows" in response.json()["error"]["message"]
    assert _stored(client, auth) == []


def test_an_import_id_that_is_no_id_is_named_by_its_line(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    rows = [{"id": "", **row} for row in _rows()]
    rows[0]["id"] = "a\x00b"
    rows[1]["id"] = EMAIL
    response = _import(client, auth, _csv(rows))
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "line 2, column id: no ledger entry has this id" in message
    assert "line 3, column id: no ledger entry has this id" in message
    _secrets_absent(response.text)


def test_an_import_larger_than_the_setting_is_413(
    settings: Settings, database: Database, auth: dict[Role, dict[str, str]]
) -> None:
    app = create_app(settings.model_copy(update={"max_import_bytes": 2048}), database=database)
    body = sample_ledger_text().encode()
    assert len(body) > 2048
    with TestClient(app) as client:
        response = _import(client, auth, body)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert _stored(client, auth) == []
        small = "\n".join(sample_ledger_text().splitlines()[:2]).encode()
        assert _import(client, auth, small).status_code == 200
