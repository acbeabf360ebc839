"""Subjects of specific personal information (My Number) are handled only by designated
handlers (R-MN-9): for every other role they do not exist, and no lookup works as a membership
test. A mynumber_handler, in turn, sees only those subjects."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.registry.subjects.models import Subject

SPECIFIC = "specific_personal"
MN_PURPOSE = "remuneration_payment_records"
#: the customer number of a subject of specific personal information (the individual number
#: itself is kept in the vault; the registry refuses one, even as a customer number)
CUSTOMER_NUMBER = "C-0420-7781"
MN_EMAIL = "mn.person@example.jp"
OTHERS = (Role.PRIVACY_OFFICER, Role.ADMIN, Role.HANDLER)


def _create(client: TestClient, headers: dict[str, str], **body: str) -> str:
    created = client.post("/api/v1/subjects", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@pytest.fixture
def specific_id(client: TestClient, auth: dict[Role, dict[str, str]]) -> str:
    return _create(
        client,
        auth[Role.MYNUMBER_HANDLER],
        category=SPECIFIC,
        email=MN_EMAIL,
        customer_number=CUSTOMER_NUMBER,
    )


@pytest.fixture
def customer_id(client: TestClient, auth: dict[Role, dict[str, str]]) -> str:
    return _create(client, auth[Role.PRIVACY_OFFICER], category="customer", email="cust@example.jp")


@pytest.mark.parametrize("role", OTHERS)
def test_a_specific_subject_is_not_found_like_an_unknown_one(
    client: TestClient, auth: dict[Role, dict[str, str]], specific_id: str, role: Role
) -> None:
    for params in ({}, {"reveal": "true"}):
        hidden = client.get(f"/api/v1/subjects/{specific_id}", params=params, headers=auth[role])
        unknown = client.get(f"/api/v1/subjects/{'f' * 32}", params=params, headers=auth[role])
        if role is Role.HANDLER and params:
            assert hidden.status_code == unknown.status_code == 403  # handlers never reveal
            continue
        assert hidden.status_code == 404
        assert hidden.json() == unknown.json()
        assert hidden.json()["error"]["message"] == "subject not found"


@pytest.mark.parametrize("role", OTHERS)
def test_listing_by_a_specific_category_is_refused_whether_or_not_any_exist(
    client: TestClient, auth: dict[Role, dict[str, str]], role: Role
) -> None:
    url = "/api/v1/subjects"
    before = client.get(url, params={"category": SPECIFIC}, headers=auth[role])
    _create(client, auth[Role.MYNUMBER_HANDLER], category=SPECIFIC)
    after = client.get(url, params={"category": SPECIFIC}, headers=auth[role])
    assert before.status_code == after.status_code == 403
    assert before.json() == after.json()


def test_unfiltered_listings_leave_the_other_side_out(
    client: TestClient, auth: dict[Role, dict[str, str]], specific_id: str, customer_id: str
) -> None:
    for role in OTHERS:
        listed = client.get("/api/v1/subjects", headers=auth[role]).json()
        assert [s["id"] for s in listed] == [customer_id]
    designated = client.get("/api/v1/subjects", headers=auth[Role.MYNUMBER_HANDLER]).json()
    assert [s["id"] for s in designated] == [specific_id]
    by_category = client.get(
        "/api/v1/subjects", params={"category": SPECIFIC}, headers=auth[Role.MYNUMBER_HANDLER]
    )
    assert [s["id"] for s in by_category.json()] == [specific_id]


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize(
    "query",
    [{"customer_number": CUSTOMER_NUMBER}, {"email": MN_EMAIL}, {"email": MN_EMAIL.upper()}],
)
def test_a_search_is_no_membership_test_for_a_my_number(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    specific_id: str,
    role: Role,
    query: dict[str, str],
) -> None:
    url = "/api/v1/subjects/search"
    matching = client.post(url, json=query, headers=auth[role])
    nobody = client.post(url, json=dict.fromkeys(query, "nobody-000"), headers=auth[role])
    assert matching.status_code == nobody.status_code == 200
    assert matching.content == nobody.content == b"[]"
    designated = client.post(url, json=query, headers=auth[Role.MYNUMBER_HANDLER])
    assert [s["id"] for s in designated.json()] == [specific_id]


def test_a_search_matching_both_sides_returns_only_the_visible_one(
    client: TestClient, auth: dict[Role, dict[str, str]], specific_id: str, customer_id: str
) -> None:
    query = {"email": "cust@example.jp", "customer_number": CUSTOMER_NUMBER}
    found = client.post("/api/v1/subjects/search", json=query, headers=auth[Role.HANDLER])
    assert [s["id"] for s in found.json()] == [customer_id]
    designated = client.post(
        "/api/v1/subjects/search", json=query, headers=auth[Role.MYNUMBER_HANDLER]
    )
    assert [s["id"] for s in designated.json()] == [specific_id]


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMIN])
def test_flags_of_a_specific_subject_are_not_found_for_other_roles(
    client: TestClient,
    auth: dict[Role, dict[str, str]],
    database: Database,
    specific_id: str,
    role: Role,
) -> None:
    hidden = client.patch(
        f"/api/v1/subjects/{specific_id}/flags", json={"stop_use": True}, headers=auth[role]
    )
    unknown = client.patch(
        f"/api/v1/subjects/{'e' * 32}/flags", json={"stop_use": True}, headers=auth[role]
    )
    assert hidden.status_code == 404
    assert hidden.json() == unknown.json()
    with database.read() as session:
        row = session.execute(select(Subject).where(Subject.id == specific_id)).scalar_one()
    assert row.stop_use is False
    designated = client.patch(
        f"/api/v1/subjects/{specific_id}/flags",
        json={"stop_use": True},
        headers=auth[Role.MYNUMBER_HANDLER],
    )
    assert designated.status_code == 200
    assert designated.json()["stop_use"] is True


def test_consents_about_a_specific_subject_are_not_found_for_other_roles(
    client: TestClient, auth: dict[Role, dict[str, str]], specific_id: str
) -> None:
    designated = auth[Role.MYNUMBER_HANDLER]
    consent = client.post(
        "/api/v1/consents",
        json={
            "subject_id": specific_id,
            "category": SPECIFIC,
            "purpose": MN_PURPOSE,
            "notice_version": "2026-04",
            "method": "written",
        },
        headers=designated,
    )
    assert consent.status_code == 201, consent.text
    consent_id = consent.json()["id"]
    listed = client.get("/api/v1/consents", params={"subject_id": specific_id}, headers=designated)
    assert [c["id"] for c in listed.json()] == [consent_id]

    for role in (*OTHERS, Role.AUDITOR):
        hidden = client.get(
            "/api/v1/consents", params={"subject_id": specific_id}, headers=auth[role]
        )
        unknown = client.get(
            "/api/v1/consents", params={"subject_id": "d" * 32}, headers=auth[role]
        )
        assert hidden.status_code == 404, role
        assert hidden.json() == unknown.json()
        assert hidden.json()["error"]["message"] == "subject not found"
    for role in OTHERS:
        recorded = client.post(
            "/api/v1/consents",
            json={
                "subject_id": specific_id,
                "category": "customer",
                "notice_version": "1",
                "method": "oral",
            },
            headers=auth[role],
        )
        assert recorded.status_code == 404, role
        assert recorded.json()["error"]["message"] == "subject not found"
        withdrawn = client.post(
            f"/api/v1/consents/{consent_id}/withdraw", json={"method": "oral"}, headers=auth[role]
        )
        unknown = client.post(
            f"/api/v1/consents/{'c' * 32}/withdraw", json={"method": "oral"}, headers=auth[role]
        )
        assert withdrawn.status_code == 404, role
        assert withdrawn.json() == unknown.json()
        assert withdrawn.json()["error"]["message"] == "consent not found"


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_record_nothing_of_a_specific_category(
    client: TestClient, auth: dict[Role, dict[str, str]], customer_id: str, role: Role
) -> None:
    subject = client.post("/api/v1/subjects", json={"category": SPECIFIC}, headers=auth[role])
    consent = client.post(
        "/api/v1/consents",
        json={
            "subject_id": customer_id,
            "category": SPECIFIC,
            "purpose": MN_PURPOSE,
            "notice_version": "1",
            "method": "oral",
        },
        headers=auth[role],
    )
    assert subject.status_code == 403  # handlers create no subjects at all, the others none
    assert consent.status_code == 403  # of specific personal information
    assert "mynumber_handler" in consent.json()["error"]["message"]
    if role is not Role.HANDLER:
        assert "mynumber_handler" in subject.json()["error"]["message"]


def test_a_mynumber_handler_sees_no_other_subject(
    client: TestClient, auth: dict[Role, dict[str, str]], customer_id: str
) -> None:
    designated = auth[Role.MYNUMBER_HANDLER]
    one = client.get(f"/api/v1/subjects/{customer_id}", headers=designated)
    assert one.status_code == 404
    assert one.json()["error"]["message"] == "subject not found"
    by_category = client.get(
        "/api/v1/subjects", params={"category": "customer"}, headers=designated
    )
    assert by_category.status_code == 403
    created = client.post("/api/v1/subjects", json={"category": "customer"}, headers=designated)
    assert created.status_code == 403
    found = client.post(
        "/api/v1/subjects/search", json={"email": "cust@example.jp"}, headers=designated
    )
    assert found.json() == []
    flags = client.patch(
        f"/api/v1/subjects/{customer_id}/flags", json={"stop_use": True}, headers=designated
    )
    assert flags.status_code == 404
    consents = client.get(
        "/api/v1/consents", params={"subject_id": customer_id}, headers=designated
    )
    assert consents.status_code == 404


def test_a_mynumber_handler_reveals_its_subjects_and_the_reveal_is_audited(
    client: TestClient, auth: dict[Role, dict[str, str]], specific_id: str
) -> None:
    revealed = client.get(
        f"/api/v1/subjects/{specific_id}",
        params={"reveal": "true"},
        headers=auth[Role.MYNUMBER_HANDLER],
    )
    assert revealed.status_code == 200
    assert revealed.json()["identifiers"]["customer_number"] == CUSTOMER_NUMBER
    exported = client.get("/api/v1/audit/export", headers=auth[Role.AUDITOR]).text
    assert '"subject.revealed"' in exported
    assert CUSTOMER_NUMBER not in exported
