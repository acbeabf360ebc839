"""Status callbacks: staff move a request, the agent's server on 127.0.0.1 hears of it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from drp_support import BASE, Agent, CallbackServer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.drp.callbacks import (
    BACKOFF,
    MAX_ATTEMPTS,
    PeriodicCallbacks,
    notify_status_change,
    send_pending_callbacks,
)
from kojin.drp.models import DrpRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.policy.model import Policy
from kojin.policy.model_base import RefusalGround
from kojin.requests.purge import purge_closed
from kojin.requests.schemas import ActionIn
from kojin.requests.states import StaffAction
from kojin.requests.workflow import act
from kojin.settings import Settings


class Staff:
    """A staff member moving requests as the admin pages do."""

    def __init__(
        self,
        database: Database,
        cipher: FieldCipher,
        settings: Settings,
        policy: Policy,
        facts: PolicyFacts,
    ) -> None:
        self.database, self.cipher, self.settings = database, cipher, settings
        self.policy, self.facts = policy, facts

    def act(self, request_id: str, action: StaffAction, *, notify: bool = True, **kw: Any) -> None:
        internal = uuid.UUID(request_id).hex
        with self.database.uow() as session:
            act(
                session=session,
                cipher=self.cipher,
                settings=self.settings,
                policy=self.policy,
                facts=self.facts,
                request_id=internal,
                action=ActionIn(action=action, **kw),
                actor="staff:tester",
            )
            if notify:
                assert notify_status_change(
                    session=session, settings=self.settings, request_id=internal
                )


@pytest.fixture
def staff(
    database: Database,
    cipher: FieldCipher,
    drp_settings: Settings,
    policy: Policy,
    facts: PolicyFacts,
) -> Staff:
    return Staff(database, cipher, drp_settings, policy, facts)


def _send(database: Database, cipher: FieldCipher, settings: Settings, **kw: Any) -> Any:
    return send_pending_callbacks(database=database, cipher=cipher, settings=settings, **kw)


def _drp(database: Database, request_id: str) -> DrpRequest:
    with database.read() as session:
        row = session.get(DrpRequest, uuid.UUID(request_id).hex)
    assert row is not None
    return row


def _actions(database: Database, prefix: str) -> list[str]:
    with database.read() as session:
        return list(
            session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.action.startswith(prefix))
                .order_by(AuditEntry.seq)
            ).scalars()
        )


def test_each_move_reaches_the_agents_callback(
    client: TestClient,
    registered: tuple[Agent, Agent],
    callback_server: CallbackServer,
    staff: Staff,
    database: Database,
    cipher: FieldCipher,
    drp_settings: Settings,
) -> None:
    agent_a, _ = registered
    claims = agent_a.request("deletion", status_callback=callback_server.url("/cb/42?k=v"))
    request_id = agent_a.submit(client, claims).json()["request_id"]
    # the answer told the agent where the request stands: nothing to call back yet
    assert _send(database, cipher, drp_settings).total == 0
    assert callback_server.received == []

    staff.act(request_id, StaffAction.VERIFY_IDENTITY)  # erasure: no fee, straight to review
    report = _send(database, cipher, drp_settings)
    assert (report.delivered, report.retrying, report.abandoned) == (1, 0, 0)
    [first] = callback_server.received
    assert first.path == "/cb/42?k=v"
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["Host"] == f"127.0.0.1:{callback_server.port}"
    assert first.body["request_id"] == request_id
    assert (first.body["status"], first.body["processing_details"]) == (
        "in_progress",
        "under review",
    )
    assert (
        first.body
        == client.get(f"{BASE}/data-rights-request/{request_id}", headers=agent_a.auth).json()
    )

    # a move nobody announced is found all the same
    staff.act(request_id, StaffAction.FULFIL_PARTLY, notify=False, explanation="kept the invoices")
    assert _send(database, cipher, drp_settings).delivered == 1
    last = callback_server.received[-1].body
    assert last["status"] == "fulfilled"
    assert "kept the invoices" not in str(last)  # what staff wrote is for the person
    row = _drp(database, request_id)
    assert (row.notified_state, row.notified_status) == ("partly_completed", "fulfilled")
    assert row.status_callback_enc is None  # final: the URL is erased
    assert _send(database, cipher, drp_settings).total == 0
    assert _actions(database, "drp.callback") == ["drp.callback_delivered"] * 2


def test_failed_callbacks_are_retried_then_given_up(
    client: TestClient,
    registered: tuple[Agent, Agent],
    callback_server: CallbackServer,
    staff: Staff,
    database: Database,
    cipher: FieldCipher,
    drp_settings: Settings,
) -> None:
    agent_a, _ = registered
    claims = agent_a.request("deletion", status_callback=callback_server.url())
    request_id = agent_a.submit(client, claims).json()["request_id"]
    callback_server.status = 500
    staff.act(request_id, StaffAction.VERIFY_IDENTITY)
    moment = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = _send(database, cipher, drp_settings, now=moment)
        row = _drp(database, request_id)
        assert row.callback_last_error == "http_500"
        if attempt < MAX_ATTEMPTS:
            assert report.retrying == 1
            assert row.callback_attempts == attempt
            assert row.callback_due_at == moment + BACKOFF[attempt - 1]
            # not due again before its wait is over
            assert _send(database, cipher, drp_settings, now=moment).total == 0
            moment += BACKOFF[attempt - 1]
        else:
            assert report.abandoned == 1
            assert (row.callback_due_at, row.notified_state) == (None, "in_review")
    assert len(callback_server.received) == MAX_ATTEMPTS
    assert _actions(database, "drp.callback") == ["drp.callback_abandoned"]

    # the next move is tried afresh
    callback_server.status = 200
    staff.act(
        request_id,
        StaffAction.REFUSE,
        refusal_ground=RefusalGround.NOT_HELD,
        explanation="no such customer",
    )
    assert _send(database, cipher, drp_settings, now=moment).delivered == 1
    body = callback_server.received[-1].body
    assert (body["status"], body["reason"]) == ("denied", "no_match")
    assert "not_held" in body["processing_details"]


def test_private_addresses_are_refused_unless_allowed(
    build_app: Callable[[Settings], FastAPI],
    drp_settings: Settings,
    agent_a: Agent,
    callback_server: CallbackServer,
    staff: Staff,
    database: Database,
    cipher: FieldCipher,
) -> None:
    public_only = drp_settings.model_copy(update={"drp_callback_private_hosts": False})
    with TestClient(build_app(public_only)) as client:
        agent_a.register(client)
        for url in (
            callback_server.url(),
            f"http://[::1]:{callback_server.port}/cb",
            "http://10.1.2.3/cb",
            "http://169.254.169.254/latest/meta-data",
            "https://user:secret@agent.example/cb",
        ):
            refused = agent_a.submit(client, agent_a.request(status_callback=url))
            assert refused.status_code == 400, url
            assert "status_callback" in refused.json()["message"]
            assert url not in refused.text
        # a name is judged by what it resolves to, when the callback is sent
        name = callback_server.url(host="localhost")
        accepted = agent_a.submit(client, agent_a.request("deletion", status_callback=name))
        assert accepted.status_code == 200
        request_id = accepted.json()["request_id"]

    staff.act(request_id, StaffAction.VERIFY_IDENTITY)
    report = _send(database, cipher, public_only)
    assert report.abandoned == 1
    assert callback_server.received == []
    assert _drp(database, request_id).callback_last_error == "address_refused"

    staff.act(request_id, StaffAction.WITHDRAW)
    assert _send(database, cipher, drp_settings).delivered == 1  # allowed: it goes through
    assert callback_server.received[-1].body["status"] == "revoked"


def test_a_request_never_confirmed_expires_when_purged(
    client: TestClient,
    registered: tuple[Agent, Agent],
    callback_server: CallbackServer,
    database: Database,
    cipher: FieldCipher,
    drp_settings: Settings,
    policy: Policy,
) -> None:
    agent_a, _ = registered
    claims = agent_a.request(
        "deletion", email_verified=False, status_callback=callback_server.url()
    )
    request_id = agent_a.submit(client, claims).json()["request_id"]
    url = f"{BASE}/data-rights-request/{request_id}"
    assert client.get(url, headers=agent_a.auth).json()["status"] == "open"
    with database.uow() as session:
        assert purge_closed(session=session, policy=policy, now=utcnow() + timedelta(days=31))
    assert client.get(url, headers=agent_a.auth).json()["status"] == "expired"
    assert _send(database, cipher, drp_settings).delivered == 1
    assert callback_server.received[-1].body["status"] == "expired"
    assert _drp(database, request_id).status_callback_enc is None
    assert _send(database, cipher, drp_settings).total == 0


def test_the_server_sends_callbacks_at_intervals(
    client: TestClient,
    registered: tuple[Agent, Agent],
    callback_server: CallbackServer,
    staff: Staff,
    database: Database,
    cipher: FieldCipher,
    drp_settings: Settings,
) -> None:
    agent_a, _ = registered
    claims = agent_a.request("deletion", status_callback=callback_server.url())
    request_id = agent_a.submit(client, claims).json()["request_id"]
    staff.act(request_id, StaffAction.WITHDRAW)
    periodic = PeriodicCallbacks(
        database=database, cipher=lambda: cipher, settings=drp_settings, interval=0.05
    )
    assert PeriodicCallbacks.from_settings(drp_settings, database, lambda: cipher).interval == 30.0
    periodic.start()
    try:
        deadline = time.monotonic() + 10
        while not callback_server.received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        periodic.stop()
    assert [r.body["status"] for r in callback_server.received] == ["revoked"]
