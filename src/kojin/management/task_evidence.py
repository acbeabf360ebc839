"""The evidence that closes an obligation task, when it is a kojin record: a decision, a
provision record, a de-identified dataset, an incident or a data request, checked to exist.

The registry's task service cannot read those records itself (they belong to sibling domains and
to the incident and request registers above it); this module, above them all, resolves the link
and closes the task through :func:`kojin.registry.obligations.service.close_task`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import Base
from kojin.incidents.models import Incident
from kojin.registry.datasets.models import DeidentifiedDataset
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.obligations.schemas import Evidence, EvidenceKind, RecordKind, TaskDetail
from kojin.registry.obligations.service import close_task
from kojin.registry.provisions.models import ProvisionRecord
from kojin.registry.subjects.text import is_row_id
from kojin.requests.models import DataRequest

#: an incident's public reference
_INCIDENT_REFERENCE: Final = re.compile(r"INC-\d{4}-\d{4,}")
_MODELS: Final[dict[RecordKind, type[Base]]] = {
    RecordKind.DECISION: DecisionRecord,
    RecordKind.PROVISION: ProvisionRecord,
    RecordKind.DATASET: DeidentifiedDataset,
    RecordKind.INCIDENT: Incident,
    RecordKind.REQUEST: DataRequest,
}


def resolve_record(session: Session, kind: RecordKind, ref: str) -> str | None:
    """The id of the `kind` record `ref` names (its id; an incident also by its reference),
    or None when there is none."""
    if kind is RecordKind.INCIDENT and _INCIDENT_REFERENCE.fullmatch(ref):
        found = session.execute(
            select(Incident.id).where(Incident.reference == ref)
        ).scalar_one_or_none()
        return None if found is None else str(found)
    if not is_row_id(ref):
        return None
    return ref if session.get(_MODELS[kind], ref) is not None else None


def close_task_with_evidence(
    session: Session,
    *,
    cipher: FieldCipher,
    task_id: str,
    evidence: Evidence,
    actor: str,
    now: datetime | None = None,
) -> TaskDetail:
    """Close the task with a document, or with a kojin record that exists."""
    if (
        evidence.kind is EvidenceKind.RECORD
        and evidence.record_kind is not None
        and evidence.record_id
    ):
        resolved = resolve_record(session, evidence.record_kind, evidence.record_id)
        if resolved is not None:
            evidence = evidence.model_copy(update={"record_id": resolved})

    def exists(kind: RecordKind, ref: str) -> bool:
        return resolve_record(session, kind, ref) is not None

    return close_task(
        session,
        cipher=cipher,
        task_id=task_id,
        evidence=evidence,
        actor=actor,
        record_exists=exists,
        now=now,
    )
