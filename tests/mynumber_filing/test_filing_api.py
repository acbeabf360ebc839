"""The filing API: payments and exports by a designated mynumber_handler; the export answers
with the file, marked as carrying numbers; the schedule, dispose-due and the status register by
role; no other answer carries a number."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from filing_support import (
    CORPORATE_NUMBER,
    NUMBERS,
    REMUNERATION,
    USAGE,
    designate,
    end_affairs_on,
    make_payee,
    register,
)

from kojin.api import create_app
from kojin.auth.roles import Role
from kojin.auth.service import create_token
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.mynumber.vault import Vault
from kojin.settings import Settings

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

M, P, A, U, H = (
    Role.MYNUMBER_HANDLER,
    Role.PRIVACY_OFFICER,
    Role.ADMIN,
    Role.AUDITOR,
    Role.HANDLER,
)
UNDESIGNATED = "undesignated"


@dataclass
class Api:
    client: TestClient
    tokens: dict[Role | str, tuple[str, str]]
    answers: list[Any]

    def label(self, who: Role | str) -> str:
        return f"token:{self.tokens[who][0]}"

    def call(self, method: str, path: str, who: Role | str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who][1]}"}
        response = self.client.request(method, f"/api/v1/mynumber{path}", headers=headers, **kwargs)
        self.answers.append(response)
        return response


@pytest.fixture
def filing_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "mynumber_payer_name": "株式会社サンプル",
            "mynumber_payer_address": "東京都港区港南1-9-1",
            "mynumber_payer_corporate_number": CORPORATE_NUMBER,
        }
    )


@pytest.fixture
def api(filing_settings: Settings, database: Database, vault: Vault) -> Iterator[Api]:
    tokens: dict[Role | str, tuple[str, str]] = {}
    with database.uow() as session:
        for role in Role:
            token, plaintext = create_token(session=session, role=role, name=f"test {role}")
            tokens[role] = (token.id, plaintext)
        token, plaintext = create_token(session=session, role=M, name="not designated")
        tokens[UNDESIGNATED] = (token.id, plaintext)
    with TestClient(create_app(filing_settings, database=database)) as client:
        made = Api(client=client, tokens=tokens, answers=[])
        designate(vault, made.label(M))
        yield made
    # no answer but an authorized export carries a number
    for response in made.answers:
        if response.headers.get("Kojin-Contains-My-Number") == "authorized":
            continue
        for number in NUMBERS:
            assert number not in response.text


def _payment(subject_id: str, amount: int, **more: object) -> dict[str, object]:
    return {
        "subject_id": subject_id,
        "affair": REMUNERATION,
        "paid_on": "2025-06-30",
        "amount_yen": amount,
        "withheld_yen": 0,
        "fields": {"category": "講演料", "details": "講演"},
        **more,
    }


def test_payments(api: Api, database: Database, cipher: FieldCipher) -> None:
    payee = make_payee(database, cipher)
    made = api.call("POST", "/payments", M, json=_payment(payee, 100_000, withheld_yen=10_210))
    assert made.status_code == 201, made.text
    assert made.json()["fields"] == {"category": "講演料", "details": "講演"}
    refused = api.call("POST", "/payments", UNDESIGNATED, json=_payment(payee, 1))
    assert refused.status_code == 403
    bad = api.call("POST", "/payments", M, json=_payment(payee, 1, fields={"category": "x"}))
    assert bad.status_code == 422
    assert "details: Field required" in bad.text
    listed = api.call("GET", "/payments?year=2025", M)
    assert [p["id"] for p in listed.json()] == [made.json()["id"]]
    assert api.call("GET", "/payments", UNDESIGNATED).json() == []
    assert api.call("GET", "/payments", P).status_code == 403
    gone = api.call("DELETE", f"/payments/{made.json()['id']}", M)
    assert gone.status_code == 200
    assert api.call("GET", "/payments", M).json() == []


def test_export_download(api: Api, database: Database, cipher: FieldCipher, vault: Vault) -> None:
    payee = make_payee(database, cipher)
    register(vault, payee, NUMBERS[0], actor=api.label(M))
    api.call("POST", "/payments", M, json=_payment(payee, 100_000))
    body = {"year": 2025, "affair": REMUNERATION, "header": "keys"}
    assert api.call("POST", "/exports", UNDESIGNATED, json=body).status_code == 403
    assert api.call("POST", "/exports", P, json=body).status_code == 403
    response = api.call("POST", "/exports", M, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["Kojin-Contains-My-Number"] == "authorized"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="payment-records-2025-remuneration.csv"'
    )
    assert response.content.startswith("\ufeffpayee_address,".encode())
    assert NUMBERS[0] in response.text
    digest = hashlib.sha256(response.content).hexdigest()
    assert response.headers["Kojin-Export-Sha256"] == digest
    listed = api.call("GET", "/exports", U).json()
    assert [(e["id"], e["sha256"], e["rows"]) for e in listed] == [
        (response.headers["Kojin-Export-Id"], digest, 1)
    ]
    deleted = api.call("POST", f"/exports/{listed[0]['id']}/deleted", M)
    assert deleted.status_code == 200
    assert deleted.json()["deleted_at"] is not None
    assert api.call("POST", f"/exports/{listed[0]['id']}/deleted", M).status_code == 409


def test_export_needs_the_payer(
    settings: Settings, database: Database, cipher: FieldCipher, vault: Vault
) -> None:
    with database.uow() as session:
        token, plaintext = create_token(session=session, role=M, name="h")
    designate(vault, f"token:{token.id}")
    with TestClient(create_app(settings, database=database)) as client:
        response = client.post(
            "/api/v1/mynumber/exports",
            json={"year": 2025, "affair": REMUNERATION},
            headers={"Authorization": f"Bearer {plaintext}"},
        )
    assert response.status_code == 422
    assert "KOJIN_MYNUMBER_PAYER_NAME (payer name): not set" in response.text


def test_schedule_retention_and_disposal(
    api: Api, database: Database, cipher: FieldCipher, vault: Vault
) -> None:
    records = [
        register(vault, make_payee(database, cipher), number, actor=api.label(M))
        for number in NUMBERS[:2]
    ]
    end_affairs_on(vault, records[0], date(2024, 6, 30))
    item = {
        "record_id": records[1],
        "document": "dependants_deduction_form",
        "reference_date": "2024-12-31",
    }
    added = api.call("POST", "/retention/items", M, json=item)
    assert added.status_code == 201, added.text
    assert added.json()["retention_until"] == "2032-01-10"
    assert api.call("POST", "/retention/items", P, json=item).status_code == 409
    items = api.call("GET", f"/retention/items?record_id={records[1]}", U).json()
    assert [i["document"] for i in items] == ["dependants_deduction_form"]
    assert api.call("GET", "/retention/items", UNDESIGNATED).json() == []
    rules = {r["document"]: r for r in api.call("GET", "/retention/rules", U).json()}
    assert rules["dependants_deduction_form"]["years"] == 7
    overdue = api.call("GET", "/schedule?status=overdue", P).json()
    assert [row["record_id"] for row in overdue] == [records[0]]
    assert overdue[0]["reason"].startswith("R-MN-7: the affairs ended 2024-06-30")
    assert api.call("GET", "/schedule", UNDESIGNATED).json() == []
    summary = api.call("GET", "/schedule/summary", U).json()
    assert (summary["overdue"], summary["continuing"]) == (1, 1)
    assert api.call("POST", "/schedule/dispose-due", P, json={}).status_code == 422
    disposed = api.call("POST", "/schedule/dispose-due", P, json={"confirm": True})
    assert disposed.status_code == 200, disposed.text
    assert [r["id"] for r in disposed.json()] == [records[0]]
    assert disposed.json()[0]["status"] == "disposed"
    assert api.call("GET", "/schedule?status=overdue", P).json() == []


def test_status_register(api: Api, database: Database, cipher: FieldCipher, vault: Vault) -> None:
    register(vault, make_payee(database, cipher), NUMBERS[0], actor=api.label(M))
    assert api.call("GET", "/status-register", M).status_code == 403
    assert api.call("GET", "/status-register", H).status_code == 403
    rows = api.call("GET", "/status-register", U).json()
    remuneration = next(r for r in rows if r["file_id"] == f"records:{REMUNERATION}")
    assert remuneration["active"] == 1
    assert remuneration["access_holders"] == [api.label(M)]
    assert remuneration["responsible_department"] == "経理部"
    assert any(r["file_id"] == f"records:{USAGE}" for r in rows)
    csv_file = api.call("GET", "/status-register.csv", A)
    assert csv_file.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_file.content.startswith("\ufefffile_id,file_type,".encode())
