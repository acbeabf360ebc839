"""Key rotation of the obligation tasks: :data:`TASKS_STORE` re-encrypts the owners' names, the
documents' descriptions and the reasons in the tasks' history under the current key (``kojin
keys rotate`` names it)."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.registry.keys import EncryptedStore
from kojin.registry.obligations.models import ObligationTask, ObligationTaskEvent
from kojin.registry.obligations.service import context

_TASK_COLUMNS: Final = ("owner", "evidence")


def count_stale_tasks(*, session: Session, cipher: FieldCipher) -> int:
    """How many tasks and history steps hold text under an older key."""
    current = cipher.current_key_id
    tasks = session.execute(
        select(func.count())
        .select_from(ObligationTask)
        .where(ObligationTask.key_id.is_not(None), ObligationTask.key_id != current)
    ).scalar_one()
    events = session.execute(
        select(func.count())
        .select_from(ObligationTaskEvent)
        .where(ObligationTaskEvent.key_id.is_not(None), ObligationTaskEvent.key_id != current)
    ).scalar_one()
    return int(tasks) + int(events)


def _reseal(cipher: FieldCipher, table: str, row_id: str, column: str, stored: str) -> str:
    where = context(table, column, row_id)
    return cipher.encrypt(cipher.decrypt(stored, context=where), context=where)


def reencrypt_tasks(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` tasks and history steps not yet under the current key; how
    many. Call repeatedly (one transaction each) until it returns 0."""
    current = cipher.current_key_id
    tasks = (
        session.execute(
            select(ObligationTask)
            .where(ObligationTask.key_id.is_not(None), ObligationTask.key_id != current)
            .order_by(ObligationTask.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for task in tasks:
        for column in _TASK_COLUMNS:
            stored: str | None = getattr(task, f"{column}_enc")
            if stored is not None:
                setattr(
                    task,
                    f"{column}_enc",
                    _reseal(cipher, "obligation_tasks", task.id, column, stored),
                )
        task.key_id = current
    left = limit - len(tasks)
    events = (
        session.execute(
            select(ObligationTaskEvent)
            .where(
                ObligationTaskEvent.key_id.is_not(None),
                ObligationTaskEvent.key_id != current,
            )
            .order_by(ObligationTaskEvent.id)
            .limit(max(left, 0))
            .with_for_update()
        )
        .scalars()
        .all()
        if left > 0
        else []
    )
    for event in events:
        if event.note_enc is not None:
            event.note_enc = _reseal(
                cipher, "obligation_task_events", event.id, "note", event.note_enc
            )
        event.key_id = current
    session.flush()
    return len(tasks) + len(events)


TASKS_STORE: Final = EncryptedStore("obligation_tasks", count_stale_tasks, reencrypt_tasks)
