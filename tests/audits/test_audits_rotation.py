"""A key rotation re-encrypts internal audits: the auditor's name and texts, findings and
actions end under the new key and read back the same."""

from __future__ import annotations

import pytest
from audits_support import ACTOR, SECRET_AUDITOR, SECRET_FINDING, SECRET_OWNER, TODAY, plan
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.models import Audit, AuditAction, AuditFinding, AuditItem
from kojin.management.audits.rotation import AUDITS_STORE
from kojin.management.audits.schemas import ActionIn, FindingIn, FindingKind
from kojin.management.audits.service import add_action, add_finding, get_audit, plan_audit
from kojin.registry.keys import rotate_keys
from kojin.settings import Settings


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


def test_rotation_reaches_every_audit_table(
    settings: Settings, database: Database, cipher: FieldCipher, facts: PolicyFacts
) -> None:
    with database.uow() as session:
        ref = plan_audit(
            session=session, cipher=cipher, policy=facts, plan=plan(), actor=ACTOR
        ).reference
        finding = add_finding(
            session=session, cipher=cipher, audit_id=ref, control_id="R-SEC-4",
            finding=FindingIn(kind=FindingKind.NONCONFORMITY, description=SECRET_FINDING),
            actor=ACTOR,
        )  # fmt: skip
        add_action(
            session=session, cipher=cipher, finding_id=finding.id,
            action=ActionIn(
                action="契約締結", owner_department="営業部", owner_person=SECRET_OWNER,
                due_on=TODAY,
            ),
            actor=ACTOR,
        )  # fmt: skip
    with database.read() as session:
        rows = sum(
            len(session.execute(select(m.id)).all())
            for m in (Audit, AuditItem, AuditFinding, AuditAction)
        )
    old = cipher.current_key_id
    result = rotate_keys(
        settings=settings, database=database, actor="t", batch_size=50, stores=(AUDITS_STORE,)
    )
    assert result.stores == {"audits": rows}
    new = FieldCipher(Keyring.read(keyring_path(settings)))
    assert new.current_key_id != old
    with database.read() as session:
        for model in (Audit, AuditItem, AuditFinding, AuditAction):
            keys = set(session.execute(select(model.key_id)).scalars())
            assert keys == {new.current_key_id}
        view = get_audit(session=session, cipher=new, audit_id=ref, today=TODAY)
    assert view.lead_auditor == SECRET_AUDITOR
    assert view.findings[0].description == SECRET_FINDING
    assert view.findings[0].actions[0].owner_person == SECRET_OWNER
