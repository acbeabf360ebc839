"""Pair-wise key set-up (POST /v1/agent/{agent-id}) and the token check (GET /v1/agent/...)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from drp_support import BASE, Agent, Directory
from fastapi import FastAPI
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.db.uow import Database
from kojin.drp.agents import set_agent_active
from kojin.drp.directory import AgentDirectory
from kojin.drp.models import DrpAgent
from kojin.errors import ConfigurationError
from kojin.settings import Settings

TEXT = {"Content-Type": "text/plain"}


def _set_up(
    client: TestClient, agent: Agent, body: bytes, agent_id: str | None = None
) -> httpx.Response:
    url = f"{BASE}/agent/{agent_id or agent.agent_id}"
    response: httpx.Response = client.post(url, content=body, headers=TEXT)
    return response


def test_set_up_issues_a_token_kept_only_as_its_digest(
    client: TestClient, agent_a: Agent, database: Database
) -> None:
    response = client.post(
        f"{BASE}/agent/{agent_a.agent_id}", content=agent_a.sign(agent_a.envelope()), headers=TEXT
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["agent-id"] == "AGENT_A"
    token = body["token"]
    assert len(token) >= 40
    with database.read() as session:
        row = session.get(DrpAgent, "AGENT_A")
        assert row is not None
        assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
        assert row.verify_key == agent_a.trusted.verify_key
        assert token not in repr(vars(row))
        chained = session.execute(select(AuditEntry.action, AuditEntry.object_id)).all()
    assert ("drp.agent_registered", "AGENT_A") in [tuple(c) for c in chained]

    info = client.get(f"{BASE}/agent/AGENT_A", headers={"Authorization": f"Bearer {token}"})
    assert (info.status_code, info.json()) == (200, {})


def test_agent_information_refuses_another_agents_id(
    client: TestClient, registered: tuple[Agent, Agent]
) -> None:
    agent_a, _ = registered
    response = client.get(f"{BASE}/agent/AGENT_B", headers=agent_a.auth)
    assert response.status_code == 403
    assert response.json() == {
        "code": "403",
        "message": "the token was issued to another agent",
        "fatal": True,
    }


def test_refused_set_ups_answer_an_empty_403(client: TestClient, agent_a: Agent) -> None:
    stranger = Agent("NOT_IN_DIRECTORY")
    cases = {
        "unknown agent": _set_up(client, stranger, stranger.sign(stranger.envelope())),
        "signed with another key": _set_up(
            client, agent_a, agent_a.sign(agent_a.envelope(), key=SigningKey.generate())
        ),
        "path names another agent": _set_up(
            client, agent_a, agent_a.sign(agent_a.envelope()), agent_id="AGENT_B"
        ),
        "another business": _set_up(
            client, agent_a, agent_a.sign(agent_a.envelope(business_id="OTHER_CB"))
        ),
        "expired": _set_up(
            client,
            agent_a,
            agent_a.sign(agent_a.envelope(issued=datetime.now(UTC) - timedelta(minutes=30))),
        ),
        "not base64": _set_up(client, agent_a, b"{not signed}"),
        "wrong version": _set_up(
            client, agent_a, agent_a.sign({**agent_a.envelope(), "drp.version": "0.9"})
        ),
    }
    for case, response in cases.items():
        assert (response.status_code, response.content) == (403, b""), case


def test_a_replayed_set_up_message_is_refused_and_a_newer_one_replaces_the_token(
    client: TestClient, agent_a: Agent
) -> None:
    first = agent_a.sign(agent_a.envelope(issued=datetime.now(UTC) - timedelta(seconds=5)))
    assert _set_up(client, agent_a, first).status_code == 200
    old_token = client.post(f"{BASE}/agent/AGENT_A", content=first, headers=TEXT)
    assert (old_token.status_code, old_token.content) == (403, b"")

    agent_a.register(client)  # a newer message: a new token
    replaced = client.post(
        f"{BASE}/agent/AGENT_A",
        content=agent_a.sign(agent_a.envelope(issued=datetime.now(UTC) + timedelta(seconds=1))),
        headers=TEXT,
    )
    assert replaced.status_code == 200
    new_token = replaced.json()["token"]
    stale = client.get(
        f"{BASE}/agent/AGENT_A", headers={"Authorization": f"Bearer {agent_a.token}"}
    )
    assert stale.status_code == 401
    assert stale.headers["www-authenticate"] == "Bearer"
    fresh = client.get(f"{BASE}/agent/AGENT_A", headers={"Authorization": f"Bearer {new_token}"})
    assert fresh.status_code == 200


def test_tokens_stop_for_a_deactivated_agent_or_one_gone_from_the_directory(
    client: TestClient,
    registered: tuple[Agent, Agent],
    directory: Directory,
    database: Database,
) -> None:
    agent_a, agent_b = registered
    with database.uow() as session:
        assert set_agent_active(session=session, agent_id="AGENT_A", active=False, actor="t")
    refused = client.get(f"{BASE}/agent/AGENT_A", headers=agent_a.auth)
    assert refused.status_code == 401
    assert refused.json()["code"] == "401"
    again = client.post(
        f"{BASE}/agent/AGENT_A",
        content=agent_a.sign(agent_a.envelope(issued=datetime.now(UTC) + timedelta(seconds=1))),
        headers=TEXT,
    )
    assert again.status_code == 403  # the business's switch holds against a new set-up

    directory.agents.remove(agent_b)
    gone = client.get(f"{BASE}/agent/AGENT_B", headers=agent_b.auth)
    assert gone.status_code == 401
    assert "directory" in gone.json()["message"]


def test_missing_or_unknown_tokens_are_401(
    client: TestClient, registered: tuple[Agent, Agent]
) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get(f"{BASE}/agent/AGENT_A", headers=headers)
        assert response.status_code == 401
        assert set(response.json()) == {"code", "message"}  # retryable: no "fatal"


def test_set_ups_are_rate_limited_per_client_address(client: TestClient) -> None:
    stranger = Agent("NOT_IN_DIRECTORY")
    statuses = [
        _set_up(client, stranger, stranger.sign(stranger.envelope())).status_code for _ in range(21)
    ]
    assert statuses[:20] == [403] * 20
    assert statuses[20] == 429
    limited = _set_up(client, stranger, b"x")
    assert limited.json()["code"] == "429"
    assert limited.headers["retry-after"]


def test_an_unreadable_directory_is_a_logged_500(
    build_app: Callable[[Settings], FastAPI],
    drp_settings: Settings,
    agent_a: Agent,
    directory: Directory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> AgentDirectory:
        raise ConfigurationError("the agent directory agents.json is not readable JSON")

    directory.current = broken  # type: ignore[method-assign]
    with TestClient(build_app(drp_settings)) as client:
        response = _set_up(client, agent_a, agent_a.sign(agent_a.envelope()))
    assert response.status_code == 500
    assert response.json()["code"] == "500"
    assert "agents.json" not in response.text
    assert "agents.json is not readable JSON" in caplog.text
