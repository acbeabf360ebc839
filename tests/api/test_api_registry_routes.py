"""The registry over HTTP: ledger (CSV), subjects, consents, provisions, audit and tokens."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest
from fastapi.testclient import TestClient

from kojin.auth.roles import Role
from kojin.registry.bootstrap import sample_ledger_text

ENTRY = {
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


def test_ledger_rows_are_created_changed_listed_and_due_for_review(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    officer, handler = auth[Role.PRIVACY_OFFICER], auth[Role.HANDLER]
    created = client.post("/api/v1/ledger", json=ENTRY, headers=officer)
    assert created.status_code == 201
    entry_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/ledger/{entry_id}",
        json={"record_count": 150, "last_reviewed": "2026-04-01"},
        headers=officer,
    )
    assert changed.status_code == 200
    assert changed.json()["record_count"] == 150
    assert client.get(f"/api/v1/ledger/{entry_id}", headers=handler).json()["record_count"] == 150
    listed = client.get("/api/v1/ledger", params={"category": "customer"}, headers=handler)
    assert [row["id"] for row in listed.json()] == [entry_id]
    due_soon = client.get("/api/v1/ledger/due", params={"today": "2027-04-01"}, headers=handler)
    due_now = client.get("/api/v1/ledger/due", params={"today": "2026-11-29"}, headers=handler)
    assert [row["id"] for row in due_soon.json()] == [entry_id]
    assert due_now.json() == []


def test_ledger_csv_import_and_export_round_trip(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    officer = auth[Role.PRIVACY_OFFICER]
    sample = sample_ledger_text()
    imported = client.post(
        "/api/v1/ledger/import",
        content=sample.encode(),
        headers={**officer, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200
    rows = len(sample.strip().splitlines()) - 1
    assert imported.json() == {"created": rows, "updated": 0}
    exported = client.get("/api/v1/ledger/export", headers=auth[Role.AUDITOR])
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert len(exported.text.strip().splitlines()) == rows + 1
    again = client.post(
        "/api/v1/ledger/import",
        content=exported.content,
        headers={**officer, "Content-Type": "text/csv"},
    )
    assert again.status_code == 200
    assert again.json()["created"] == 0
    assert len(client.get("/api/v1/ledger", headers=officer).json()) == rows


def test_a_bad_ledger_csv_is_rejected_whole(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    header, first, *_ = sample_ledger_text().splitlines()
    broken = "\n".join([header, first, first.replace(",customer,", ",,")])
    response = client.post(
        "/api/v1/ledger/import",
        content=broken.encode(),
        headers={**auth[Role.ADMIN], "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert "line 3" in response.json()["error"]["message"]
    assert client.get("/api/v1/ledger", headers=auth[Role.ADMIN]).json() == []
    not_utf8 = client.post(
        "/api/v1/ledger/import",
        content="品目".encode("shift_jis"),
        headers={**auth[Role.ADMIN], "Content-Type": "text/csv; charset=utf-8"},
    )
    assert not_utf8.status_code == 422
    assert not_utf8.json()["error"]["fields"][0]["field"] == "body"
    assert "品目" not in not_utf8.text


@pytest.mark.parametrize(
    ("codec", "content_type"),
    [
        ("cp932", "text/csv"),
        ("cp932", "text/csv; charset=Shift_JIS"),
        ("utf-8-sig", "text/csv"),
        ("euc_jp", "text/csv; charset=EUC-JP"),
    ],
    ids=["shift-jis-detected", "shift-jis-named", "utf-8-bom", "euc-jp-named"],
)
def test_a_ledger_csv_is_read_as_excel_writes_it(
    client: TestClient, auth: dict[Role, dict[str, str]], codec: str, content_type: str
) -> None:
    text = sample_ledger_text().replace(
        "Customer inquiry and feedback history", "顧客からのお問い合わせ・ご意見の履歴"
    )
    response = client.post(
        "/api/v1/ledger/import",
        content=text.encode(codec),
        headers={**auth[Role.ADMIN], "Content-Type": content_type},
    )
    assert response.status_code == 200, response.text
    rows = client.get("/api/v1/ledger", headers=auth[Role.ADMIN]).json()
    assert len(rows) == len(text.splitlines()) - 1
    assert any("顧客" in json.dumps(row, ensure_ascii=False) for row in rows)


def test_subjects_show_identifiers_only_to_officers_who_ask(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    officer, handler = auth[Role.PRIVACY_OFFICER], auth[Role.HANDLER]
    created = client.post(
        "/api/v1/subjects",
        json={"category": "customer", "email": "hanako@example.com", "name": "Hanako"},
        headers=officer,
    )
    assert created.status_code == 201
    assert created.json()["identifiers"] is None
    subject_id = created.json()["id"]
    url = f"/api/v1/subjects/{subject_id}"

    revealed = client.get(url, params={"reveal": "true"}, headers=officer)
    assert revealed.json()["identifiers"]["email"] == "hanako@example.com"
    as_handler = client.get(url, headers=handler)
    assert as_handler.status_code == 200
    assert as_handler.json()["identifiers"] is None
    assert "hanako" not in as_handler.text
    refused = client.get(url, params={"reveal": "true"}, headers=handler)
    assert refused.status_code == 403

    found = client.post(
        "/api/v1/subjects/search", json={"email": "HANAKO@example.com"}, headers=handler
    )
    assert [s["id"] for s in found.json()] == [subject_id]
    assert "hanako" not in found.text.lower()

    flagged = client.patch(f"{url}/flags", json={"stop_use": True}, headers=officer)
    assert flagged.json()["stop_use"] is True
    decision = client.post(
        "/api/v1/decisions",
        json={
            "action": "use",
            "category": "customer",
            "purpose": "provide_services",
            "subject_id": subject_id,
        },
        headers=auth[Role.SYSTEM],
    )
    assert decision.status_code == 200
    assert decision.json()["decision"]["allowed"] is False


def test_consents_are_recorded_withdrawn_once_and_kept_as_history(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    subject = client.post(
        "/api/v1/subjects", json={"category": "customer"}, headers=auth[Role.ADMIN]
    ).json()
    consent = client.post(
        "/api/v1/consents",
        json={
            "subject_id": subject["id"],
            "category": "customer",
            "purpose": "satisfaction_surveys",
            "notice_version": "2026-04",
            "method": "checkbox",
        },
        headers=auth[Role.HANDLER],
    )
    assert consent.status_code == 201
    consent_id = consent.json()["id"]
    withdraw_url = f"/api/v1/consents/{consent_id}/withdraw"
    first = client.post(withdraw_url, json={"method": "email"}, headers=auth[Role.HANDLER])
    assert first.status_code == 200
    second = client.post(withdraw_url, json={"method": "email"}, headers=auth[Role.HANDLER])
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"
    history = client.get(
        "/api/v1/consents", params={"subject_id": subject["id"]}, headers=auth[Role.AUDITOR]
    )
    assert [c["id"] for c in history.json()] == [consent_id]
    assert history.json()[0]["withdrawal_method"] == "email"


def test_provision_purge_keeps_records_still_in_retention(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    decision = client.post(
        "/api/v1/decisions",
        json={
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": "Partner KK", "country": "JP"},
            "consent": {"given": True},
        },
        headers=auth[Role.SYSTEM],
    ).json()
    purged = client.post("/api/v1/provisions/purge", headers=auth[Role.PRIVACY_OFFICER])
    assert purged.status_code == 200
    assert purged.json() == {"purged": 0, "ids": []}
    listed = client.get("/api/v1/provisions", headers=auth[Role.AUDITOR]).json()
    assert [p["id"] for p in listed] == decision["provision_ids"]


def test_the_audit_export_recomputes_and_verifies(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    client.post("/api/v1/ledger", json=ENTRY, headers=auth[Role.ADMIN])
    verified = client.get("/api/v1/audit/verify", headers=auth[Role.AUDITOR]).json()
    assert verified["ok"] is True
    exported = client.get("/api/v1/audit/export", headers=auth[Role.AUDITOR])
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    entries = [json.loads(line) for line in exported.text.splitlines()]
    assert len(entries) == verified["checked"]
    assert entries[-1]["hash"] == verified["head_hash"]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    for previous, entry in itertools.pairwise(entries):
        assert entry["prev_hash"] == previous["hash"]
    assert all(len(e["hash"]) == len(hashlib.sha256().hexdigest()) for e in entries)


def test_token_plaintext_is_shown_once(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    created = client.post(
        "/api/v1/tokens", json={"role": "handler", "name": "crm"}, headers=auth[Role.ADMIN]
    )
    assert created.status_code == 201
    plaintext = created.json()["plaintext"]
    listed = client.get("/api/v1/tokens", headers=auth[Role.ADMIN])
    assert plaintext not in listed.text
    assert created.json()["token"]["id"] in {t["id"] for t in listed.json()}
    assert client.get("/api/v1/ledger", headers={"Authorization": f"Bearer {plaintext}"}).is_success


def test_health_and_openapi_need_no_token(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["policy_categories"] > 0
    document = client.get("/openapi.json").json()
    assert "/api/v1/decisions" in document["paths"]
