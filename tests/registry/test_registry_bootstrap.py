"""Policy versions in the audit chain: recorded at init, and again only when they change."""

from __future__ import annotations

import threading

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.auth.service import list_tokens
from kojin.db.uow import Database
from kojin.errors import ConflictError
from kojin.policy import load_policy
from kojin.registry.bootstrap import (
    POLICY_RECORDED,
    InitResult,
    initialise,
    policy_digest,
    record_policy_if_changed,
)
from kojin.settings import Settings


def _recorded(database: Database) -> list[str]:
    with database.read() as session:
        rows = session.execute(
            select(AuditEntry.details)
            .where(AuditEntry.action == POLICY_RECORDED)
            .order_by(AuditEntry.seq)
        ).scalars()
        return [row["sha256"] for row in rows]


def test_policy_recorded_once_per_change(database: Database) -> None:
    digest = policy_digest(load_policy(None))
    assert len(digest) == 64
    for expected in (True, False, False):
        with database.uow() as session:
            assert (
                record_policy_if_changed(
                    session=session, policy_sha256=digest, source="default", actor="serve"
                )
                is expected
            )
    changed = "f" * 64
    with database.uow() as session:
        assert record_policy_if_changed(
            session=session, policy_sha256=changed, source="edited.yaml", actor="serve"
        )
        assert record_policy_if_changed(
            session=session, policy_sha256=digest, source="default", actor="serve"
        )
    assert _recorded(database) == [digest, changed, digest]
    with database.read() as session:
        assert verify_chain(session=session).ok


def test_concurrent_inits_initialise_once(settings: Settings, database: Database) -> None:
    outcomes: list[object] = []

    def init() -> None:
        try:
            outcomes.append(initialise(settings=settings, actor="racer"))
        except ConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=init) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, InitResult) for o in outcomes) == 1
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 2
    with database.read() as session:
        assert len(list_tokens(session=session)) == 1
        assert verify_chain(session=session).ok
