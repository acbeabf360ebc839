"""A key rotation re-encrypts the tasks' owners, documents and reasons, which read back the
same under the new key."""

from __future__ import annotations

from datetime import date

from obligations_support import ACTOR, decide, entrust
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.management.task_evidence import close_task_with_evidence
from kojin.management.task_rotation import TASKS_STORE
from kojin.registry.keys import rotate_keys
from kojin.registry.obligations.models import ObligationTask, ObligationTaskEvent
from kojin.registry.obligations.schemas import AssignTask, Evidence, EvidenceKind, Owner, OwnerKind
from kojin.registry.obligations.service import assign_task, get_task
from kojin.settings import Settings


def test_rotation_reaches_the_tasks(
    settings: Settings, database: Database, cipher: FieldCipher
) -> None:
    decide(database, entrust("A KK"), entrust("B KK"))
    with database.read() as session:
        a, b = session.execute(
            select(ObligationTask.id).order_by(ObligationTask.recipient_name)
        ).scalars()
    with database.uow() as session:
        assign_task(
            session,
            cipher=cipher,
            task_id=a,
            change=AssignTask(
                owner=Owner(kind=OwnerKind.PERSON, name="山田太郎"),
                due_on=date(2030, 1, 1),
                reason="担当 佐藤花子の復帰待ち",
            ),
            actor=ACTOR,
        )
        close_task_with_evidence(
            session,
            cipher=cipher,
            task_id=b,
            evidence=Evidence(kind=EvidenceKind.DOCUMENT, description="評価", reference="X-1"),
            actor=ACTOR,
        )
    old = cipher.current_key_id
    result = rotate_keys(
        settings=settings, database=database, actor="t", batch_size=1, stores=(TASKS_STORE,)
    )
    # A's owner, B's evidence and the reason of A's due-date change
    assert result.stores["obligation_tasks"] == 3
    new = FieldCipher(Keyring.read(keyring_path(settings)))
    assert new.current_key_id != old
    with database.read() as session:
        for model in (ObligationTask, ObligationTaskEvent):
            keys = set(session.execute(select(model.key_id)).scalars()) - {None}
            assert keys == {new.current_key_id}
        task = get_task(session, cipher=new, task_id=a)
        assert task.owner is not None
        assert task.owner.name == "山田太郎"
        assert task.history[-1].note == "担当 佐藤花子の復帰待ち"
        done = get_task(session, cipher=new, task_id=b)
        assert done.evidence is not None
        assert done.evidence.reference == "X-1"
