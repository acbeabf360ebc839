"""The API server signs the audit chain's head at intervals and once more when it stops, so an
auditor's copy of the checkpoints file pins what the chain held while the server ran."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from kojin.api import create_app
from kojin.audit.checkpoints import default_checkpoints_path, read_checkpoints
from kojin.audit.service import verify_chain
from kojin.audit.signing import PublicKey, trusted_public_key
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.settings import Settings

_DECISION = {"action": "use", "category": "customer", "purpose": "provide_services"}


def _trusted(settings: Settings) -> PublicKey:
    key = trusted_public_key(settings.resolved_keys_dir())
    assert key is not None, "the server made no signing key"
    return key


def _head(database: Database) -> tuple[int | None, str | None]:
    with database.read() as session:
        result = verify_chain(session=session)
    return result.head_seq, result.head_hash


def test_the_server_writes_signed_checkpoints_while_it_runs_and_when_it_stops(
    settings: Settings, database: Database, tokens: dict[Role, str]
) -> None:
    configured = settings.model_copy(update={"checkpoint_interval": 0.2})
    path = default_checkpoints_path(configured)
    headers = {"Authorization": f"Bearer {tokens[Role.SYSTEM]}"}
    with TestClient(create_app(configured, database=database)) as client:
        assert client.post("/api/v1/decisions", json=_DECISION, headers=headers).status_code == 200
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.exists(), "no checkpoint within the interval"
        assert client.post("/api/v1/decisions", json=_DECISION, headers=headers).status_code == 200
    signed = read_checkpoints(path, trusted=_trusted(configured))
    seq, digest = _head(database)
    assert signed[-1].seq == seq  # the last one, signed on shutdown
    assert signed[-1].hash == digest


def test_no_checkpoints_when_the_interval_is_zero(
    settings: Settings, database: Database, tokens: dict[Role, str]
) -> None:
    configured = settings.model_copy(update={"checkpoint_interval": 0.0})
    headers = {"Authorization": f"Bearer {tokens[Role.SYSTEM]}"}
    with TestClient(create_app(configured, database=database)) as client:
        assert client.post("/api/v1/decisions", json=_DECISION, headers=headers).status_code == 200
    assert not default_checkpoints_path(configured).exists()
