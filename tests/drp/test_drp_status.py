"""The status an agent reads follows what staff do; the migration builds the models' tables;
a key rotation reaches the callback URLs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from drp_support import BASE, Agent
from fastapi.testclient import TestClient

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.base import Base
from kojin.db.engine import make_engine
from kojin.db.uow import Database
from kojin.drp.callbacks import url_context
from kojin.drp.models import DrpRequest
from kojin.drp.rotation import DRP_STORE, count_stale_drp_requests
from kojin.law.policy_facts import PolicyFacts
from kojin.migrations.metadata import include_name
from kojin.policy.model import Policy
from kojin.policy.model_base import RefusalGround
from kojin.registry.keys import rotate_keys
from kojin.requests.schemas import ActionIn
from kojin.requests.states import StaffAction
from kojin.requests.workflow import act
from kojin.settings import Settings


@pytest.fixture
def move(
    database: Database,
    cipher: FieldCipher,
    drp_settings: Settings,
    policy: Policy,
    facts: PolicyFacts,
) -> Any:
    def run(request_id: str, action: StaffAction, **kw: Any) -> None:
        with database.uow() as session:
            act(
                session=session,
                cipher=cipher,
                settings=drp_settings,
                policy=policy,
                facts=facts,
                request_id=uuid.UUID(request_id).hex,
                action=ActionIn(action=action, **kw),
                actor="staff:tester",
            )

    return run


def test_the_status_follows_the_staff_workflow(
    client: TestClient, registered: tuple[Agent, Agent], move: Any, drp_settings: Settings
) -> None:
    agent_a, _ = registered

    def status(request_id: str) -> dict[str, Any]:
        response = client.get(f"{BASE}/data-rights-request/{request_id}", headers=agent_a.auth)
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    portal = drp_settings.public_url.rstrip("/") + "/portal/status"
    access = agent_a.submit(client, agent_a.request("access")).json()["request_id"]
    move(access, StaffAction.REJECT_IDENTITY)
    seen = status(access)
    assert (seen["status"], seen["reason"]) == ("in_progress", "need_user_verification")
    assert seen["user_verification_url"] == portal
    assert "expected_by" in seen

    fee = agent_a.submit(client, agent_a.request("access")).json()["request_id"]
    move(fee, StaffAction.VERIFY_IDENTITY)  # the seed policy charges for a disclosure
    seen = status(fee)
    assert seen["status"] == "in_progress"
    assert "1,000 yen" in seen["processing_details"]
    move(
        fee,
        StaffAction.REFUSE,
        refusal_ground=RefusalGround.DEFICIENT_PROCEDURE,
        explanation="the fee was not paid",
    )
    seen = status(fee)
    assert (seen["status"], seen["reason"]) == ("denied", "insuf_verification")
    assert "expected_by" not in seen

    withdrawn = agent_a.submit(client, agent_a.request("deletion")).json()["request_id"]
    move(withdrawn, StaffAction.WITHDRAW)  # the person called the office
    assert status(withdrawn)["status"] == "revoked"
    closed = client.request(
        "DELETE",
        f"{BASE}/data-rights-request/{fee}",
        content=agent_a.sign({"reason": "too late"}),
        headers=agent_a.auth,
    )
    assert closed.status_code == 409
    assert "refused" in closed.json()["message"]


def test_the_migration_builds_the_models_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    ours = [item for item in diff if "drp_" in repr(item)]
    assert ours == []


def test_key_rotation_reaches_the_callback_urls(
    client: TestClient,
    registered: tuple[Agent, Agent],
    database: Database,
    drp_settings: Settings,
) -> None:
    agent_a, _ = registered
    url = "https://agent.example/drp/cb/7"
    request_id = agent_a.submit(client, agent_a.request(status_callback=url)).json()["request_id"]
    result = rotate_keys(settings=drp_settings, database=database, actor="t", stores=(DRP_STORE,))
    assert result.stores == {"drp_requests": 1}
    keyring = Keyring.read(keyring_path(drp_settings))
    new_only = FieldCipher(
        Keyring(
            current=result.key_id,
            keys={result.key_id: keyring.keys[result.key_id]},
            index_key=keyring.index_key,
        )
    )
    with database.read() as session:
        row = session.get(DrpRequest, uuid.UUID(request_id).hex)
        assert row is not None
        assert row.key_id == result.key_id
        stored = row.status_callback_enc or ""
        assert new_only.decrypt(stored, context=url_context(row.id)) == url
        assert count_stale_drp_requests(session=session, cipher=new_only) == 0
