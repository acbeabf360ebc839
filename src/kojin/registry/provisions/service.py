"""Provision records: built from a decision's obligations, listed, and purged once expired."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.errors import InputError
from kojin.law.decision_schemas import Decision, DecisionRequest, Facts
from kojin.law.vocabulary import ObligationCode, Relation
from kojin.registry.dates import add_years_dt
from kojin.registry.provisions.models import ProvisionRecord
from kojin.registry.provisions.schemas import (
    ProvisionDetails,
    ProvisionKind,
    ProvisionOut,
    RecordForm,
)

_RECORD_OBLIGATIONS = {
    ObligationCode.RECORD_PROVISION: None,
    ObligationCode.RECORD_PRI_PROVISION: ProvisionKind.PERSON_RELATED,
}
#: the times a purge may be run as of
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, 23, 59, 59, tzinfo=UTC)
#: ids listed per purge audit entry
_PURGE_CHUNK = 500


def retention_years(form: RecordForm) -> int:
    """R-TP-REC-4 / R-PRI-3: contract substitute 1 year; batch and per provision 3 years."""
    return 1 if form is RecordForm.CONTRACT_SUBSTITUTE else 3


def build_provision_rows(
    *,
    decision_id: str,
    request: DecisionRequest,
    decision: Decision,
    facts: Facts,
    details: ProvisionDetails | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """Rows for the records `decision` obliges (record_provision / record_pri_provision).

    Pure: returns insert parameters; an allowed decision without those obligations gives none.
    """
    if not decision.allowed:
        return []
    recipient = request.recipient
    details = details or ProvisionDetails()
    rows = []
    for obligation in decision.obligations:
        if obligation.code not in _RECORD_OBLIGATIONS:
            continue
        kind = _RECORD_OBLIGATIONS[obligation.code]
        country = recipient.country if recipient is not None else "JP"
        if kind is None:
            kind = (
                ProvisionKind.THIRD_PARTY if country == "JP" else ProvisionKind.FOREIGN_THIRD_PARTY
            )
        years = retention_years(details.record_form)
        rows.append(
            {
                "id": uuid.uuid4().hex,
                "decision_id": decision_id,
                "kind": kind.value,
                "basis": decision.basis,
                "provided_at": now,
                "subject_id": request.subject_id,
                "category": request.category,
                "purpose": request.purpose,
                "recipient_name": None if recipient is None else recipient.name,
                "recipient_country": country,
                "recipient_relation": (
                    Relation.THIRD_PARTY if recipient is None else recipient.relation
                ).value,
                "items": list(details.items),
                "consent_confirmed": facts.consent_given,
                "foreign_information_provided": facts.foreign_information_provided,
                "record_form": details.record_form.value,
                "contract_reference": details.contract_reference,
                "retention_years": years,
                "purge_after": add_years_dt(now, years),
                "citations": [obligation.citation],
            }
        )
    return rows


def list_provisions(
    *,
    session: Session,
    subject_id: str | None = None,
    decision_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ProvisionOut]:
    """Provision records, oldest first, optionally for one subject or one decision."""
    query = select(ProvisionRecord).order_by(ProvisionRecord.provided_at, ProvisionRecord.id)
    if subject_id is not None:
        query = query.where(ProvisionRecord.subject_id == subject_id)
    if decision_id is not None:
        query = query.where(ProvisionRecord.decision_id == decision_id)
    rows = session.execute(query.limit(limit).offset(offset)).scalars()
    return [ProvisionOut.model_validate(row) for row in rows]


def purge_expired(*, session: Session, now: datetime, actor: str = "system") -> list[str]:
    """Delete the records whose retention ended (purge_after <= `now`); returns their ids.

    Nothing else is touched; the purge is audited with the ids removed (the entries' details
    ``ids``: what :mod:`kojin.registry.integrity` accepts as gone). `now` carries a time zone
    and lies in years 1900 to 9998 (UTC), else InputError (field ``now``).
    """
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    try:
        in_range = EARLIEST <= now.astimezone(UTC) <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise InputError("must be a time between 1900 and 9998 (UTC)", field="now")
    ids = list(
        session.execute(
            select(ProvisionRecord.id)
            .where(ProvisionRecord.purge_after <= now)
            .order_by(ProvisionRecord.purge_after, ProvisionRecord.id)
        ).scalars()
    )
    if not ids:
        return []
    events: list[AuditEvent] = []
    for start in range(0, len(ids), _PURGE_CHUNK):
        chunk: Sequence[str] = ids[start : start + _PURGE_CHUNK]
        session.execute(delete(ProvisionRecord).where(ProvisionRecord.id.in_(chunk)))
        events.append(
            AuditEvent(
                actor=actor,
                action="provisions.purged",
                object_type="provision_record",
                object_id=chunk[0],
                details={"ids": list(chunk), "count": len(chunk), "now": now.isoformat()},
            )
        )
    append_entries(session=session, events=events)
    return ids
