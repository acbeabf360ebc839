"""Nothing free-form reaches the permanent audit chain through subjects and consents: categories
and purposes are the policy's, countries ISO 3166 codes, and the free text that must be kept (a
flag's reference, a consent's notice version and recipient) stays in registry rows while the
chain holds only digests. A 422 names the field and never repeats the value."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.registry.consents.models import Consent
from kojin.registry.subjects.models import SubjectChange

#: personal data a careless client might type into a free-text or code field
PERSONAL = "山田花子 hanako@example.jp 090-1234-5678"


def _subject(client: TestClient, auth: dict[Role, dict[str, str]]) -> str:
    created = client.post(
        "/api/v1/subjects", json={"category": "customer"}, headers=auth[Role.ADMIN]
    )
    return str(created.json()["id"])


def _consent(subject_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "category": "customer",
        "purpose": "provide_services",
        "notice_version": "2026-04",
        "method": "checkbox",
        **overrides,
    }


def _assert_refused(response: Any, field: str, *values: str) -> None:
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["fields"]]
    assert field in fields
    for value in values:
        assert value not in response.text


@pytest.mark.parametrize("category", ["vip_customer", "staff_member", "prospects"])
def test_a_subject_of_an_undeclared_category_is_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], category: str
) -> None:
    refused = client.post("/api/v1/subjects", json={"category": category}, headers=auth[Role.ADMIN])
    _assert_refused(refused, "category", category)
    assert "customer" in refused.json()["error"]["message"]  # the policy's own ids are named


@pytest.mark.parametrize("category", [PERSONAL, "Customer", "", "customer\n"])
def test_a_category_that_is_not_a_policy_id_is_refused(
    client: TestClient, auth: dict[Role, dict[str, str]], category: str
) -> None:
    refused = client.post("/api/v1/subjects", json={"category": category}, headers=auth[Role.ADMIN])
    _assert_refused(refused, "body.category", *PERSONAL.split())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "vip_customer"}, "category"),
        ({"purpose": "marketing_calls"}, "purpose"),
        # declared, but for specific personal information, not for customers
        ({"purpose": "remuneration_payment_records"}, "purpose"),
        ({"purpose": PERSONAL}, "body.purpose"),
        ({"category": PERSONAL}, "body.category"),
        ({"country": "Japan"}, "body.country"),
        ({"country": "XX"}, "body.country"),
        ({"country": "日本"}, "body.country"),
    ],
)
def test_consent_codes_are_the_policys_and_iso_3166(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    overrides: dict[str, str],
    field: str,
) -> None:
    subject_id = _subject(client, auth)
    refused = client.post(
        "/api/v1/consents", json=_consent(subject_id, **overrides), headers=auth[Role.HANDLER]
    )
    _assert_refused(refused, field, *overrides.values(), *PERSONAL.split())


def test_a_country_is_stored_as_its_iso_code(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    subject_id = _subject(client, auth)
    recorded = client.post(
        "/api/v1/consents",
        json=_consent(subject_id, purpose=None, country=" us "),
        headers=auth[Role.HANDLER],
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["country"] == "US"


def test_free_text_stays_in_rows_and_only_digests_are_chained(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    subject_id = _subject(client, auth)
    notice = f"notice shown to {PERSONAL}"
    recipient = f"Acme for {PERSONAL}"
    reference = f"call from {PERSONAL}"[:100]
    consent = client.post(
        "/api/v1/consents",
        json=_consent(subject_id, notice_version=notice[:100], recipient=recipient),
        headers=auth[Role.HANDLER],
    )
    assert consent.status_code == 201, consent.text
    flags = client.patch(
        f"/api/v1/subjects/{subject_id}/flags",
        json={"stop_provision": True, "reference": reference},
        headers=auth[Role.PRIVACY_OFFICER],
    )
    assert flags.status_code == 200, flags.text

    exported = client.get("/api/v1/audit/export", headers=auth[Role.AUDITOR]).text
    for word in PERSONAL.split():
        assert word not in exported
    with database.read() as session:
        entries = {e.action: e.details for e in session.execute(select(AuditEntry)).scalars().all()}
        kept = session.execute(select(SubjectChange)).scalar_one()
        row = session.execute(select(Consent)).unique().scalar_one()
    assert "notice_version_sha256" in entries["consent.recorded"]
    assert "notice_version" not in entries["consent.recorded"]
    assert "reference_sha256" in entries["subject.flags_set"]
    assert "reference" not in entries["subject.flags_set"]
    # the texts themselves are kept where they can be corrected or erased
    assert kept.reference == reference
    assert kept.stop_provision is True
    assert kept.subject_id == subject_id
    assert (row.notice_version, row.recipient) == (notice[:100], recipient)
