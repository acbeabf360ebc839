"""Nothing the agent sent about the person leaves the encrypted columns: not the logs, not the
audit chain, not the protocol's own tables, not an error."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from drp_support import BASE, PERSONAL_VALUES, Agent, CallbackServer
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.drp.callbacks import notify_status_change, send_pending_callbacks
from kojin.drp.models import DrpAgent, DrpRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.policy.model import Policy
from kojin.requests.schemas import ActionIn
from kojin.requests.states import StaffAction
from kojin.requests.workflow import act
from kojin.settings import Settings

#: the callback path names the user, as agents' URLs sometimes do
CALLBACK_PATH = "/users/hanako-4711/drp-status"


def _columns(row: object) -> dict[str, Any]:
    return {key: value for key, value in vars(row).items() if not key.startswith("_")}


def test_no_personal_value_reaches_logs_chain_or_plain_columns(
    client: TestClient,
    registered: tuple[Agent, Agent],
    callback_server: CallbackServer,
    database: Database,
    cipher: FieldCipher,
    drp_settings: Settings,
    policy: Policy,
    facts: PolicyFacts,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    agent_a, agent_b = registered
    callback = callback_server.url(CALLBACK_PATH)
    answers: list[str] = []
    access = agent_a.submit(
        client, agent_a.request(status_callback=callback, **{"agent-request-id": "hanako-1"})
    )
    deletion = agent_a.submit(client, agent_a.request("deletion", email_verified=False))
    answers += [access.text, deletion.text]
    request_id = access.json()["request_id"]
    # refusals of every kind, each carrying the person's claims
    answers += [
        client.post(
            f"{BASE}/data-rights-request",
            content=agent_a.sign(agent_a.request(), key=SigningKey.generate()),
            headers=agent_a.auth,
        ).text,
        agent_a.submit(client, agent_a.request(**{"agent-request-id": "hanako-1"})).text,
        agent_a.submit(client, agent_a.request(phone_number="Yamada's phone")).text,
        agent_a.submit(client, agent_a.request(email="hanako.yamada at example")).text,
        agent_a.submit(client, agent_a.request(status_callback="gopher://hanako.yamada/")).text,
        agent_a.submit(client, agent_a.request("sale:opt-in")).text,
        client.get(f"{BASE}/data-rights-request/{request_id}", headers=agent_b.auth).text,
    ]
    with database.uow() as session:
        act(
            session=session,
            cipher=cipher,
            settings=drp_settings,
            policy=policy,
            facts=facts,
            request_id=uuid.UUID(request_id).hex,
            action=ActionIn(action=StaffAction.VERIFY_IDENTITY),
            actor="staff:tester",
        )
        notify_status_change(
            session=session, settings=drp_settings, request_id=uuid.UUID(request_id).hex
        )
    callback_server.status = 503
    send_pending_callbacks(database=database, cipher=cipher, settings=drp_settings)
    answers.append(
        client.request(
            "DELETE",
            f"{BASE}/data-rights-request/{request_id}",
            content=agent_a.sign({"reason": "Hanako Yamada moved away"}),
            headers=agent_a.auth,
        ).text
    )
    assert callback_server.received  # the flow did reach the agent

    secrets = (*PERSONAL_VALUES, "moved away", CALLBACK_PATH, "hanako-4711", "hanako-1")
    with database.read() as session:
        chain = [
            json.dumps([e.actor, e.action, e.object_id, e.details], ensure_ascii=False)
            for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
        ]
        assert verify_chain(session=session).ok
        plain = [
            repr(_columns(row))
            for model in (DrpRequest, DrpAgent)
            for row in session.execute(select(model)).scalars()
        ]
    assert any("drp.request_received" in entry for entry in chain)
    assert any("drp.callback" in entry for entry in chain) is False  # still retrying
    haystacks = {"logs": caplog.text, "chain": "\n".join(chain), "answers": "\n".join(answers)}
    # the protocol's tables: only the agent's request id may be in clear there
    haystacks["tables"] = "\n".join(plain).replace("'hanako-1'", "")
    # the status objects answer the agent's own request id, as the protocol says
    haystacks["answers"] = haystacks["answers"].replace('"agent_request_id":"hanako-1"', "")
    for where, text in haystacks.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} found in the {where}"
    assert "drp callback" in caplog.text  # the retry was logged, by id
