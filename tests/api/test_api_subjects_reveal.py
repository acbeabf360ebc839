"""Revealing a subject's decrypted identifiers is recorded in the audit chain (docs/registry.md):
who, which subject and the names of the fields revealed, never their values."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.auth.roles import Role
from kojin.db.uow import Database

IDENTIFIERS = {"name": "山田 花子", "email": "hanako@example.com", "phone": "03-1234-5678"}


def _entries(database: Database) -> list[AuditEntry]:
    with database.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def _token_id(client: TestClient, auth: dict[Role, dict[str, str]], role: Role) -> str:
    listed = client.get("/api/v1/tokens", headers=auth[Role.ADMIN]).json()
    return str(next(t["id"] for t in listed if t["role"] == role.value))


def test_a_reveal_writes_who_which_subject_and_which_fields(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    officer = auth[Role.PRIVACY_OFFICER]
    created = client.post(
        "/api/v1/subjects", json={"category": "customer", **IDENTIFIERS}, headers=officer
    )
    subject_id = created.json()["id"]
    before = len(_entries(database))

    revealed = client.get(f"/api/v1/subjects/{subject_id}?reveal=true", headers=officer)
    assert revealed.status_code == 200
    assert revealed.json()["identifiers"]["email"] == IDENTIFIERS["email"]

    entries = _entries(database)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.action == "subject.revealed"
    assert entry.actor == f"token:{_token_id(client, auth, Role.PRIVACY_OFFICER)}"
    assert (entry.object_type, entry.object_id) == ("subject", subject_id)
    assert entry.details == {"fields": ["email", "name", "phone"]}
    chained = str(entry.details)
    assert all(value not in chained for value in IDENTIFIERS.values())
    with database.read() as session:
        assert verify_chain(session=session).ok


def test_every_reveal_is_recorded_and_a_plain_read_is_not(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    admin = auth[Role.ADMIN]
    subject_id = client.post(
        "/api/v1/subjects", json={"category": "customer", "email": "a@example.jp"}, headers=admin
    ).json()["id"]
    url = f"/api/v1/subjects/{subject_id}"
    before = len(_entries(database))
    assert client.get(url, headers=admin).status_code == 200
    assert client.get(url, params={"reveal": "false"}, headers=admin).status_code == 200
    assert len(_entries(database)) == before
    for _ in range(2):
        assert client.get(url, params={"reveal": "true"}, headers=admin).status_code == 200
    actions = [e.action for e in _entries(database)[before:]]
    assert actions == ["subject.revealed", "subject.revealed"]


def test_refused_or_unknown_reveals_record_nothing(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    subject_id = client.post(
        "/api/v1/subjects",
        json={"category": "customer", "email": "b@example.jp"},
        headers=auth[Role.ADMIN],
    ).json()["id"]
    before = len(_entries(database))
    refused = client.get(f"/api/v1/subjects/{subject_id}?reveal=true", headers=auth[Role.HANDLER])
    assert refused.status_code == 403
    unknown = client.get(
        f"/api/v1/subjects/{'0' * 32}?reveal=true", headers=auth[Role.PRIVACY_OFFICER]
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "subject not found"
    assert len(_entries(database)) == before
