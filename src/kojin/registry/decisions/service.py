"""Decide and record: the hot path of the API, kept to one transaction and a few statements.

Per group: one indexed read for the flags and consents of every subject named; then the chain-head
lock, the audit insert, the head update, the decision insert and, when the decision obliges a
record, the provision insert. On PostgreSQL the writes of a batch go as one statement (see
:class:`~kojin.db.writes.WriteBatch`), after the lock's own round trip. Nothing is committed
here: the caller's unit of work commits, and the caller answers its client only after that.

Each decision's chain entry holds the SHA-256 of the decision row and of each provision record
exactly as inserted (``row_sha256``, ``provision_sha256``; see :mod:`kojin.registry.row_digest`),
so that :func:`kojin.registry.integrity.check_rows` can tell a row changed behind kojin's back.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from kojin.audit.canonical import format_ts, sha256_of
from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.db.base import utcnow
from kojin.db.writes import PreparedInsert, WriteBatch
from kojin.errors import NotFoundError
from kojin.law import decide
from kojin.law.decision_schemas import Decision, DecisionRequest, Facts
from kojin.law.policy_facts import PolicyFacts
from kojin.law.supervision import supervise
from kojin.law.vocabulary import Form
from kojin.registry.consents.service import SubjectConsents, subject_consents
from kojin.registry.datasets.service import get_dataset
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.decisions.schemas import DecisionOut, RecordedDecision
from kojin.registry.obligations.opening import open_tasks
from kojin.registry.provisions.models import ProvisionRecord
from kojin.registry.provisions.schemas import ProvisionDetails
from kojin.registry.provisions.service import build_provision_rows, list_provisions
from kojin.registry.recipients.lookup import supervision_for
from kojin.registry.row_digest import row_digest, table_columns

_INSERT_DECISION = PreparedInsert(cast(Table, DecisionRecord.__table__))
#: the columns of a decision row the chain holds a digest of (``row_sha256``): all but the
#: entry's own seq, which is known only once the entry is appended
DECISION_DIGEST_COLUMNS = table_columns(
    cast(Table, DecisionRecord.__table__), exclude=("audit_seq",)
)
#: the columns of a provision record the chain holds a digest of (``provision_sha256``)
PROVISION_DIGEST_COLUMNS = table_columns(cast(Table, ProvisionRecord.__table__))
#: the shape of a decision's id; anything else names no decision
DECISION_ID = re.compile(r"[0-9a-f]{32}")
_INSERT_PROVISION = insert(cast(Table, ProvisionRecord.__table__))
_INSERT_PROVISION_ROWS = PreparedInsert(cast(Table, ProvisionRecord.__table__))
#: the register's "today" (a check due on a day is overdue from the next day, Japan time)
TOKYO = ZoneInfo("Asia/Tokyo")


def _with_dataset(session: Session, request: DecisionRequest) -> DecisionRequest:
    """A request about a recorded de-identified dataset takes that dataset's form and category,
    so the Art. 41 / Art. 43 rules apply whatever the caller wrote (R-PS-3, R-AN-4)."""
    if request.dataset_id is None:
        return request
    dataset = get_dataset(session=session, dataset_id=request.dataset_id)
    return request.model_copy(update={"form": Form(dataset.form), "category": dataset.category})


def _resolved(
    session: Session, requests: Sequence[DecisionRequest]
) -> list[DecisionRequest | NotFoundError]:
    """Each request with its dataset's form and category, or the error naming its dataset."""
    resolved: list[DecisionRequest | NotFoundError] = []
    for request in requests:
        try:
            resolved.append(_with_dataset(session, request))
        except NotFoundError as exc:
            resolved.append(exc)
    return resolved


def _registry_facts(
    session: Session, requests: Sequence[DecisionRequest | NotFoundError]
) -> dict[str, SubjectConsents]:
    """The flags and consents of every subject the requests name, in one query."""
    asked = [r for r in requests if isinstance(r, DecisionRequest) and r.subject_id is not None]
    if not asked:
        return {}
    return subject_consents(
        session=session,
        subject_ids={r.subject_id for r in asked if r.subject_id is not None},
        categories={r.category for r in asked},
    )


def _facts(request: DecisionRequest, subjects: dict[str, SubjectConsents]) -> Facts:
    if request.subject_id is None:
        return Facts.from_request(request)
    found = subjects.get(request.subject_id)
    if found is None:
        raise NotFoundError("subject not found")
    return found.facts(request)


def _with_times_formatted(row: dict[str, Any], stamps: dict[datetime, str]) -> dict[str, Any]:
    """`row` with its timestamps as :func:`row_digest` formats them, each distinct time of a
    batch formatted once (every row of a batch shares its time; the digest is unchanged)."""
    plain = dict(row)
    for key, value in row.items():
        if isinstance(value, datetime):
            text = stamps.get(value)
            if text is None:
                text = stamps[value] = format_ts(value)
            plain[key] = text
    return plain


def decide_batch(
    *,
    session: Session,
    requests: Sequence[DecisionRequest],
    policy: PolicyFacts,
    actor: str,
    provisions: Sequence[ProvisionDetails | None] | None = None,
    now: datetime | None = None,
) -> list[RecordedDecision]:
    """Decide, store and chain several requests in the caller's transaction, in order.

    A request with a known ``subject_id`` takes its consents, withdrawals and stop flags from
    the registry (its own ``consent`` field is ignored); an unknown subject_id is NotFoundError.
    `provisions` (aligned with `requests`) gives the data items and record form for provision
    records; allowed decisions with record_provision / record_pri_provision get their records.
    """
    if provisions is not None and len(provisions) != len(requests):
        raise ValueError("provisions must be aligned with requests")
    ts = now or utcnow()
    resolved = _resolved(session, requests)
    subjects = _registry_facts(session, resolved)
    # the register of entrustees and foreign recipients (R-SEC-4, R-TP-FX-3): one query, and
    # only when some request provides to an entrustee or to a Rule 16 recipient
    supervision = supervision_for(
        session=session,
        requests=[r if isinstance(r, DecisionRequest) else None for r in resolved],
        today=ts.astimezone(TOKYO).date(),
    )
    decided: list[tuple[str, DecisionRequest, Facts, Decision, list[dict[str, Any]]]] = []
    for index, request in enumerate(resolved):
        if isinstance(request, NotFoundError):
            raise request  # the first failing request in order, as if each were read alone
        facts = _facts(request, subjects)
        decision = decide(request, policy, facts)
        supervised = supervision[index]
        if supervised is not None:
            decision = supervise(request, decision, supervised, policy=policy, facts=facts)
        decision_id = uuid.uuid4().hex
        rows = build_provision_rows(
            decision_id=decision_id,
            request=request,
            decision=decision,
            facts=facts,
            details=None if provisions is None else provisions[index],
            now=ts,
        )
        decided.append((decision_id, request, facts, decision, rows))

    decision_rows: list[dict[str, Any]] = []
    provision_rows: list[dict[str, Any]] = []
    events = []
    stamps: dict[datetime, str] = {}
    for decision_id, request, facts, decision, rows in decided:
        request_json = request.model_dump(mode="json", exclude_none=True)
        decision_json = decision.model_dump(mode="json")
        row = {
            "id": decision_id,
            "created_at": ts,
            "actor": actor,
            "subject_id": request.subject_id,
            "action": request.action.value,
            "category": request.category,
            "allowed": decision.allowed,
            "request": request_json,
            "facts": facts.model_dump(mode="json"),
            "decision": decision_json,
        }
        decision_rows.append(row)
        provision_rows.extend(rows)
        events.append(
            AuditEvent(
                actor=actor,
                action="decision.recorded",
                object_type="decision",
                object_id=decision_id,
                details={
                    "subject_id": request.subject_id,
                    "action": request.action.value,
                    "category": request.category,
                    "outcome": decision.outcome.value,
                    "rules": decision.rules,
                    "request_sha256": sha256_of(request_json),
                    "decision_sha256": sha256_of(decision_json),
                    "provision_ids": [r["id"] for r in rows],
                    "row_sha256": row_digest(
                        _with_times_formatted(row, stamps), DECISION_DIGEST_COLUMNS
                    ),
                    "provision_sha256": {
                        r["id"]: row_digest(
                            _with_times_formatted(r, stamps), PROVISION_DIGEST_COLUMNS
                        )
                        for r in rows
                    },
                },
            )
        )
    conn = session.connection()
    writes = WriteBatch(conn)
    appended = append_entries(session=session, events=events, now=ts, writes=writes)

    results = []
    for (decision_id, _, facts, decision, rows), row, entry in zip(
        decided, decision_rows, appended, strict=True
    ):
        row["audit_seq"] = entry.seq
        results.append(
            RecordedDecision(
                id=decision_id,
                decision=decision,
                facts=facts,
                audit_seq=entry.seq,
                provision_ids=[r["id"] for r in rows],
            )
        )
    writes.insert(_INSERT_DECISION, decision_rows)
    if provision_rows:
        if writes.combined:
            writes.insert(_INSERT_PROVISION_ROWS, provision_rows)
        else:
            conn.execute(_INSERT_PROVISION, provision_rows)
    writes.flush()
    # Obligation tasks: each duty an allowed decision creates, once per duty and scope (after
    # the decisions' own chain entries, in the same transaction; see kojin.registry.obligations)
    open_tasks(
        session=session,
        decided=[(d_id, req, dec) for d_id, req, _, dec, _ in decided],
        actor=actor,
        now=ts,
    )
    return results


def decide_and_record(
    *,
    session: Session,
    request: DecisionRequest,
    policy: PolicyFacts,
    actor: str,
    provision: ProvisionDetails | None = None,
    now: datetime | None = None,
) -> RecordedDecision:
    """Decide one request, store it, chain it and create its provision records.

    See :func:`decide_batch`; the returned decision is durable once the caller's unit of work
    has committed.
    """
    return decide_batch(
        session=session,
        requests=[request],
        policy=policy,
        actor=actor,
        provisions=None if provision is None else [provision],
        now=now,
    )[0]


def get_decision(*, session: Session, decision_id: str) -> DecisionOut:
    """A stored decision with its request, facts and audit position."""
    row = session.get(DecisionRecord, decision_id) if DECISION_ID.fullmatch(decision_id) else None
    if row is None:
        raise NotFoundError("decision not found")

    provisions = list_provisions(session=session, decision_id=decision_id)
    return DecisionOut(
        id=row.id,
        decision=Decision.model_validate(row.decision),
        facts=Facts.model_validate(row.facts),
        audit_seq=row.audit_seq,
        provision_ids=[p.id for p in provisions],
        created_at=row.created_at,
        actor=row.actor,
        request=DecisionRequest.model_validate(row.request),
    )
