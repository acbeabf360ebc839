"""Data Rights Exercise, Status and Revoke through the API, with real keys and signatures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from drp_support import BASE, Agent
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import func, select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.drp.models import DrpRequest
from kojin.mail.service import list_outbox
from kojin.requests.models import DataRequest, RequestEvent
from kojin.requests.records import get

Json = dict[str, Any]


def _data_request(database: Database, request_id: str) -> DataRequest:
    with database.read() as session:
        row = session.get(DataRequest, uuid.UUID(request_id).hex)
    assert row is not None
    return row


def _count(database: Database, model: type[DataRequest] | type[DrpRequest]) -> int:
    with database.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_an_access_request_becomes_a_received_disclosure_request(
    client: TestClient, registered: tuple[Agent, Agent], database: Database, cipher: FieldCipher
) -> None:
    agent_a, _ = registered
    response = agent_a.submit(client, agent_a.request("access", **{"agent-request-id": "a-1"}))
    assert response.status_code == 200, response.text
    status: Json = response.json()
    assert status["status"] == "in_progress"
    assert "reason" not in status
    assert status["agent_request_id"] == "a-1"
    assert uuid.UUID(status["request_id"]).version == 4
    assert datetime.fromisoformat(status["received_at"]).tzinfo is not None
    assert datetime.fromisoformat(status["expected_by"]) > datetime.now(UTC)
    assert "identity" in status["processing_details"]

    row = _data_request(database, status["request_id"])
    assert (row.kind, row.state, row.disclosure_method) == ("disclosure", "received", "electronic")
    assert row.is_agent
    assert row.agent_relation == "authorised_agent"
    assert row.received_at is not None
    assert row.due_on is not None
    assert get(cipher, row, "name") == "Yamada Hanako"
    assert get(cipher, row, "email") == "hanako.yamada@example.jp"
    assert get(cipher, row, "phone") == "+819012345678"
    assert get(cipher, row, "postal_code") == "100-0001"
    assert get(cipher, row, "address") == "1-2-3 Chiyoda, Chiyoda-ku, Tokyo, JP"
    assert "AGENT_A" in (get(cipher, row, "agent_name") or "")
    details = get(cipher, row, "details") or ""
    assert "rights action: access; regime: ccpa" in details
    assert "claims verified by the agent: email, phone" in details
    assert "relationships: customer" in details

    with database.read() as session:
        drp = session.get(DrpRequest, row.id)
        assert drp is not None
        assert (drp.agent_id, drp.exercise, drp.regime) == ("AGENT_A", "access", "ccpa")
        assert (drp.email_verified, drp.phone_verified, drp.address_verified) == (True, True, False)
        event = session.execute(
            select(RequestEvent).where(RequestEvent.request_id == row.id)
        ).scalar_one()
        assert (event.actor, event.action, event.to_state) == (
            "drp-agent:AGENT_A",
            "submitted",
            "received",
        )
        mails = list_outbox(session=session, cipher=cipher)
    # the person is told of the request and its reference, in their language (ja by default)
    assert [m.to for m in mails] == ["hanako.yamada@example.jp"]
    assert "受付済み" in (mails[0].text or "")

    again = client.get(f"{BASE}/data-rights-request/{status['request_id']}", headers=agent_a.auth)
    assert again.status_code == 200
    assert again.json() == status
    bare = client.get(f"{BASE}/data-rights-request/{row.id}", headers=agent_a.auth)
    assert bare.json()["request_id"] == status["request_id"]


@pytest.mark.parametrize(
    ("exercise", "extra", "kind"),
    [
        ("deletion", {}, "erasure"),
        ("sale:opt-out", {}, "stop_provision"),
        ("kojin:purpose_notification", {"regime": "appi"}, "purpose_notification"),
        ("kojin:stop_use", {"regime": "appi"}, "stop_use"),
        ("kojin:stop_provision", {}, "stop_provision"),
        ("kojin:correction", {"kojin:details": "my phone number changed"}, "correction"),
        ("deletion", {"regime": None}, "erasure"),  # no regime: voluntary
    ],
)
def test_rights_actions_map_onto_kojin_kinds(
    client: TestClient,
    registered: tuple[Agent, Agent],
    database: Database,
    exercise: str,
    extra: Json,
    kind: str,
) -> None:
    agent_a, _ = registered
    claims = {k: v for k, v in {**agent_a.request(exercise), **extra}.items() if v is not None}
    response = agent_a.submit(client, claims)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_progress"
    assert _data_request(database, response.json()["request_id"]).kind == kind


def test_correction_needs_what_to_correct(
    client: TestClient, registered: tuple[Agent, Agent]
) -> None:
    agent_a, _ = registered
    response = agent_a.submit(client, agent_a.request("kojin:correction"))
    assert response.status_code == 400
    assert response.json()["message"].startswith("claim kojin:details")


@pytest.mark.parametrize(
    ("exercise", "regime", "reason"),
    [
        ("sale:opt-in", "ccpa", "claim_not_covered"),
        ("access:categories", "ccpa", "claim_not_covered"),
        ("kojin:complaint", "appi", "claim_not_covered"),
        ("teleport", "ccpa", "claim_not_covered"),
        ("access", "gdpr", "outside_jurisdiction"),
    ],
)
def test_actions_and_regimes_kojin_does_not_handle_are_denied(
    client: TestClient,
    registered: tuple[Agent, Agent],
    database: Database,
    exercise: str,
    regime: str,
    reason: str,
) -> None:
    agent_a, _ = registered
    response = agent_a.submit(client, agent_a.request(exercise, regime=regime))
    assert response.status_code == 200, response.text
    status = response.json()
    assert (status["status"], status["reason"]) == ("denied", reason)
    assert status["processing_details"]
    assert _count(database, DataRequest) == 0  # nothing personal was kept
    followed = client.get(
        f"{BASE}/data-rights-request/{status['request_id']}", headers=agent_a.auth
    )
    assert followed.json() == status
    revoked = client.request(
        "DELETE",
        f"{BASE}/data-rights-request/{status['request_id']}",
        content=agent_a.sign({"reason": "changed my mind"}),
        headers=agent_a.auth,
    )
    assert revoked.status_code == 409


def test_an_unverified_email_waits_for_the_persons_code(
    client: TestClient, registered: tuple[Agent, Agent], database: Database, cipher: FieldCipher
) -> None:
    agent_a, _ = registered
    response = agent_a.submit(client, agent_a.request("deletion", email_verified=False))
    status = response.json()
    assert status["status"] == "open"
    assert "expected_by" not in status
    row = _data_request(database, status["request_id"])
    assert (row.state, row.received_at) == ("email_unverified", None)
    with database.read() as session:
        mails = list_outbox(session=session, cipher=cipher)
    assert [m.purpose for m in mails] == ["request.email_code"]
    # the agent may revoke it before the person ever enters the code
    revoked = client.request(
        "DELETE",
        f"{BASE}/data-rights-request/{status['request_id']}",
        content=agent_a.sign({"reason": "changed my mind"}),
        headers=agent_a.auth,
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert _data_request(database, status["request_id"]).state == "withdrawn"


def test_another_agents_request_is_forbidden(
    client: TestClient, registered: tuple[Agent, Agent], database: Database
) -> None:
    agent_a, agent_b = registered
    request_id = agent_a.submit(client, agent_a.request()).json()["request_id"]
    seen = client.get(f"{BASE}/data-rights-request/{request_id}", headers=agent_b.auth)
    assert seen.status_code == 403
    assert seen.json() == {
        "code": "403",
        "message": "this request is managed by another agent",
        "fatal": True,
    }
    revoke = client.request(
        "DELETE",
        f"{BASE}/data-rights-request/{request_id}",
        content=agent_b.sign({"reason": "not mine"}),
        headers=agent_b.auth,
    )
    assert revoke.status_code == 403
    assert _data_request(database, request_id).state == "received"
    unknown = client.get(f"{BASE}/data-rights-request/{uuid.uuid4()}", headers=agent_b.auth)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "404")
    malformed = client.get(f"{BASE}/data-rights-request/not-an-id", headers=agent_b.auth)
    assert malformed.status_code == 404


def test_revoke_withdraws_the_request_and_tells_the_person(
    client: TestClient, registered: tuple[Agent, Agent], database: Database, cipher: FieldCipher
) -> None:
    agent_a, _ = registered
    request_id = agent_a.submit(client, agent_a.request("deletion")).json()["request_id"]
    body = agent_a.sign({**agent_a.envelope(), "reason": "I don't want my account deleted"})
    url = f"{BASE}/data-rights-request/{request_id}"
    response = client.request("DELETE", url, content=body, headers=agent_a.auth)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "revoked"
    row = _data_request(database, request_id)
    assert (row.state, row.closed_at is not None) == ("withdrawn", True)
    with database.read() as session:
        drp = session.get(DrpRequest, row.id)
        assert drp is not None
        assert drp.revoked_at is not None
        event = session.execute(
            select(RequestEvent).where(
                RequestEvent.request_id == row.id, RequestEvent.action == "withdraw"
            )
        ).scalar_one()
        assert event.actor == "drp-agent:AGENT_A"
        assert event.note_enc is not None
        assert "account" not in event.note_enc
        mails = list_outbox(session=session, cipher=cipher)
    assert "取下げ" in (mails[0].text or "")
    # revoking again answers the same status; the status endpoint agrees
    repeat = client.request("DELETE", url, content=agent_a.sign({}), headers=agent_a.auth)
    assert (repeat.status_code, repeat.json()["status"]) == (200, "revoked")
    assert client.get(url, headers=agent_a.auth).json()["status"] == "revoked"


def test_revoke_needs_the_agents_signature(
    client: TestClient, registered: tuple[Agent, Agent], database: Database
) -> None:
    agent_a, _ = registered
    request_id = agent_a.submit(client, agent_a.request()).json()["request_id"]
    forged = agent_a.sign({"reason": "x"}, key=SigningKey.generate())
    response = client.request(
        "DELETE", f"{BASE}/data-rights-request/{request_id}", content=forged, headers=agent_a.auth
    )
    assert response.status_code == 403
    stale = agent_a.sign(
        {**agent_a.envelope(issued=datetime.now(UTC) - timedelta(hours=1)), "reason": "x"}
    )
    response = client.request(
        "DELETE", f"{BASE}/data-rights-request/{request_id}", content=stale, headers=agent_a.auth
    )
    assert response.status_code == 400
    assert _data_request(database, request_id).state == "received"


def _refusal(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == str(status)
    assert body.get("fatal") is True
    return str(body["message"])


def test_refused_messages_make_no_request(
    client: TestClient, registered: tuple[Agent, Agent], database: Database
) -> None:
    agent_a, agent_b = registered
    now = datetime.now(UTC)
    url = f"{BASE}/data-rights-request"
    bad_signature = client.post(
        url,
        content=agent_a.sign(agent_a.request(), key=SigningKey.generate()),
        headers=agent_a.auth,
    )
    assert "signature" in _refusal(bad_signature, 403)
    # signed by B's own key but sent with A's token: B's key is not A's
    assert "signature" in _refusal(
        client.post(url, content=agent_b.sign(agent_b.request()), headers=agent_a.auth), 403
    )
    # A's claims say they come from B
    impostor = {**agent_a.request(), "agent-id": "AGENT_B"}
    assert "agent-id" in _refusal(agent_a.submit(client, impostor), 403)
    wrong_business = {**agent_a.request(), "business-id": "ANOTHER_CB"}
    assert "business-id" in _refusal(agent_a.submit(client, wrong_business), 403)
    expired = {
        **agent_a.request(),
        "issued-at": (now - timedelta(minutes=20)).isoformat(),
        "expires-at": (now - timedelta(minutes=10)).isoformat(),
    }
    assert "expired" in _refusal(agent_a.submit(client, expired), 400)
    future = {
        **agent_a.request(),
        "issued-at": (now + timedelta(minutes=5)).isoformat(),
        "expires-at": (now + timedelta(minutes=10)).isoformat(),
    }
    assert "future" in _refusal(agent_a.submit(client, future), 400)
    too_long = {**agent_a.request(), "expires-at": (now + timedelta(days=2)).isoformat()}
    assert "at most" in _refusal(agent_a.submit(client, too_long), 400)
    assert "drp.version" in _refusal(
        agent_a.submit(client, {**agent_a.request(), "drp.version": "0.5"}), 400
    )
    assert "base64" in _refusal(client.post(url, content=b"{}", headers=agent_a.auth), 400)
    assert "email" in _refusal(
        agent_a.submit(client, {k: v for k, v in agent_a.request().items() if k != "email"}), 400
    )
    assert "status_callback" in _refusal(
        agent_a.submit(client, agent_a.request(status_callback="ftp://agent.example/cb")), 400
    )
    assert _count(database, DataRequest) == 0
    assert _count(database, DrpRequest) == 0


def test_unknown_agents_and_tokens_are_refused(
    client: TestClient, registered: tuple[Agent, Agent], agent_a: Agent
) -> None:
    stranger = Agent("NOT_IN_DIRECTORY")
    url = f"{BASE}/data-rights-request"
    response = client.post(
        url,
        content=stranger.sign(stranger.request()),
        headers={"Authorization": "Bearer made-up", "Content-Type": "text/plain"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "401"
    no_token = client.post(url, content=agent_a.sign(agent_a.request()))
    assert no_token.status_code == 401


def test_replays_are_refused(
    client: TestClient, registered: tuple[Agent, Agent], database: Database
) -> None:
    agent_a, agent_b = registered
    claims = agent_a.request(**{"agent-request-id": "req-7"})
    body = agent_a.sign(claims)
    url = f"{BASE}/data-rights-request"
    assert client.post(url, content=body, headers=agent_a.auth).status_code == 200
    assert "replay" in _refusal(client.post(url, content=body, headers=agent_a.auth), 409)
    fresh_message_same_id = agent_a.request(**{"agent-request-id": "req-7"})
    fresh_message_same_id["issued-at"] = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    assert "agent-request-id" in _refusal(agent_a.submit(client, fresh_message_same_id), 409)
    # the id is the agent's own: another agent may use the same one
    assert (
        agent_b.submit(client, agent_b.request(**{"agent-request-id": "req-7"})).status_code == 200
    )
    assert _count(database, DataRequest) == 2


def test_bodies_past_the_limit_are_refused(
    client: TestClient, registered: tuple[Agent, Agent]
) -> None:
    agent_a, _ = registered
    huge = agent_a.request(**{"kojin:details": "x" * 2_000_000})
    response = agent_a.submit(client, huge)
    assert _refusal(response, 413).startswith("the request body is larger")
