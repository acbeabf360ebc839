"""What staff see: the queue with its clocks, a request in full, its documents, the dashboard.

Opening a request or a document is itself recorded in the audit chain (``request.viewed``,
``request.document_viewed``), so these run in a write unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.audit.checkpoints import read_checkpoints
from kojin.audit.models import AuditEntry, AuditHead
from kojin.audit.service import append_entry
from kojin.audit.signing import PublicKey
from kojin.crypto.cipher import FieldCipher
from kojin.errors import IntegrityError, NotFoundError
from kojin.policy.model import Policy
from kojin.policy.model_base import RefusalGround
from kojin.registry.ledger.service import entries_due_for_review
from kojin.registry.subjects.scope import SubjectScope
from kojin.registry.subjects.service import visible_subject
from kojin.requests import records
from kojin.requests.clock import BusinessCalendar, suit_possible_from, tokyo_date
from kojin.requests.grounds import stop_ground_of
from kojin.requests.kinds import (
    STOP_KINDS,
    AgentRelation,
    DisclosureMethod,
    DocumentPurpose,
    RequestKind,
)
from kojin.requests.models import DataRequest, RequestDocument, RequestEvent
from kojin.requests.records import get
from kojin.requests.schemas import (
    ApplicantOut,
    DashboardFigures,
    DocumentOut,
    EventOut,
    QueueFilter,
    QueueRow,
    RequestDetail,
)
from kojin.requests.states import OPEN_STATES, RequestState, allowed_actions
from kojin.requests.status import has_package

#: open states in which the clock runs (the request has arrived)
RUNNING: Final = OPEN_STATES - {RequestState.EMAIL_UNVERIFIED}
#: the dashboard's days-left buckets: (label, lowest, highest) business days left
BUCKETS: Final = (
    ("overdue", None, -1),
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-10", 6, 10),
    ("11+", 11, None),
)
QUEUE_LIMIT: Final = 1000


def _clock(
    row: DataRequest, calendar: BusinessCalendar, today: date
) -> tuple[int | None, date | None, bool]:
    """(business days left, first day a suit may be brought, overdue) of a request."""
    suit_from = None if row.received_at is None else suit_possible_from(tokyo_date(row.received_at))
    if RequestState(row.state) not in RUNNING or row.due_on is None:
        return None, suit_from, False
    return calendar.business_days_left(today, row.due_on), suit_from, today > row.due_on


def list_queue(
    *, session: Session, filters: QueueFilter, policy: Policy, today: date
) -> list[QueueRow]:
    """Requests for staff, the earliest due first. Open only (by default) means arrived and
    not closed: a request whose e-mail is unverified shows only when its state is asked for.
    With an incident reference, only the requests that name that incident (R-BR-8)."""
    query = select(DataRequest)
    if filters.state is not None:
        query = query.where(DataRequest.state == filters.state.value)
    elif filters.open_only or filters.overdue_only:
        query = query.where(DataRequest.state.in_(sorted(s.value for s in RUNNING)))
    else:
        query = query.where(DataRequest.state != RequestState.EMAIL_UNVERIFIED.value)
    if filters.kind is not None:
        query = query.where(DataRequest.kind == filters.kind.value)
    if filters.incident_reference is not None:
        query = query.where(DataRequest.incident_reference == filters.incident_reference)
    if filters.overdue_only:
        query = query.where(DataRequest.due_on < today)
    query = query.order_by(
        DataRequest.due_on.is_(None), DataRequest.due_on, DataRequest.submitted_at, DataRequest.id
    ).limit(QUEUE_LIMIT)
    calendar = BusinessCalendar.from_policy(policy)
    rows: list[QueueRow] = []
    for row in session.execute(query).scalars():
        days_left, suit_from, overdue = _clock(row, calendar, today)
        if filters.overdue_only and not overdue:
            continue
        rows.append(
            QueueRow(
                id=row.id,
                short_id=records.short_id(row.id),
                kind=RequestKind(row.kind),
                state=RequestState(row.state),
                received_at=row.received_at,
                due_on=row.due_on,
                days_left=days_left,
                suit_from=suit_from,
                overdue=overdue,
                stop_ground=stop_ground_of(row.stop_ground),
                incident_reference=row.incident_reference,
            )
        )
    return rows


def _documents(session: Session, request_id: str) -> list[DocumentOut]:
    query = (
        select(RequestDocument)
        .where(RequestDocument.request_id == request_id)
        .order_by(RequestDocument.uploaded_at, RequestDocument.id)
    )
    return [
        DocumentOut(
            id=doc.id,
            purpose=DocumentPurpose(doc.purpose),
            media_type=doc.media_type,
            size=doc.size,
            uploaded_at=doc.uploaded_at,
            deleted=doc.deleted_at is not None,
        )
        for doc in session.execute(query).scalars()
    ]


def _history(session: Session, cipher: FieldCipher, request_id: str) -> list[EventOut]:
    query = (
        select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.seq)
    )
    return [
        EventOut(
            at=event.at,
            actor=event.actor,
            action=event.action,
            from_state=None if event.from_state is None else RequestState(event.from_state),
            to_state=None if event.to_state is None else RequestState(event.to_state),
            note=(
                None
                if event.note_enc is None
                else cipher.decrypt(
                    event.note_enc, context=records.context("request_events", "note", event.id)
                )
            ),
        )
        for event in session.execute(query).scalars()
    ]


def detail_of(
    session: Session, cipher: FieldCipher, policy: Policy, row: DataRequest, today: date
) -> RequestDetail:
    """`row` in full, decrypted (no audit entry: callers record the view)."""
    days_left, suit_from, _ = _clock(row, BusinessCalendar.from_policy(policy), today)
    needs_identity, needs_fee = records.needs(row)
    state = RequestState(row.state)
    return RequestDetail(
        id=row.id,
        short_id=records.short_id(row.id),
        kind=RequestKind(row.kind),
        state=state,
        lang=records.lang_of(row),
        applicant=ApplicantOut(
            name=get(cipher, row, "name"),
            furigana=get(cipher, row, "furigana"),
            email=get(cipher, row, "email"),
            phone=get(cipher, row, "phone"),
            postal_code=get(cipher, row, "postal_code"),
            address=get(cipher, row, "address"),
            is_agent=row.is_agent,
            agent_name=get(cipher, row, "agent_name"),
            agent_relation=(
                None if row.agent_relation is None else AgentRelation(row.agent_relation)
            ),
        ),
        category=row.category,
        details=get(cipher, row, "details") or "",
        disclosure_method=(
            None if row.disclosure_method is None else DisclosureMethod(row.disclosure_method)
        ),
        include_third_party_records=row.include_third_party_records,
        stop_ground=stop_ground_of(row.stop_ground),
        incident_reference=row.incident_reference,
        fee_yen=row.fee_yen,
        fee_reference=get(cipher, row, "fee_reference"),
        subject_id=row.subject_id,
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        due_on=row.due_on,
        suit_from=suit_from,
        days_left=days_left,
        documents=_documents(session, row.id),
        history=_history(session, cipher, row.id),
        allowed_actions=allowed_actions(
            state,
            needs_identity=needs_identity,
            needs_fee=needs_fee,
            stop_kind=RequestKind(row.kind) in STOP_KINDS,
        ),
        refusal_ground=None if row.refusal_ground is None else RefusalGround(row.refusal_ground),
        refusal_explanation=get(cipher, row, "refusal_explanation"),
        outcome=get(cipher, row, "outcome"),
        has_package=has_package(row),
        purged=row.purged_at is not None,
    )


def request_detail(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    request_id: str,
    actor: str,
    today: date,
    scope: SubjectScope | None = None,
) -> RequestDetail:
    """A request in full for staff; the view is chained as ``request.viewed``.

    With `scope` (the staff member's role), a linked subject the role may not see (My Number,
    R-MN-9) is not shown: no subject id, no package, no action (``subject_restricted``).
    """
    row = records.load(session, request_id)
    detail = detail_of(session, cipher, policy, row, today)
    if row.subject_id is not None and scope is not None and not _sees(session, row, scope):
        detail = detail.model_copy(
            update={
                "subject_id": None,
                "allowed_actions": [],
                "has_package": False,
                "subject_restricted": True,
            }
        )
    append_entry(
        session=session,
        actor=actor,
        action="request.viewed",
        object_type="data_request",
        object_id=row.id,
        details={"kind": row.kind, "state": row.state},
    )
    return detail


def _sees(session: Session, row: DataRequest, scope: SubjectScope) -> bool:
    """Whether `scope` sees the subject linked to `row`."""
    if row.subject_id is None:
        return True
    try:
        visible_subject(session=session, subject_id=row.subject_id, scope=scope)
    except NotFoundError:
        return False
    return True


def read_document(
    *, session: Session, cipher: FieldCipher, request_id: str, document_id: str, actor: str
) -> tuple[str, bytes]:
    """(media type, content) of a document of the request, decrypted; chained as
    ``request.document_viewed``. NotFoundError for an unknown or deleted document."""
    row = records.load(session, request_id)
    doc = session.get(RequestDocument, document_id) if len(document_id) == 32 else None
    if doc is None or doc.request_id != row.id or doc.deleted_at is not None:
        raise NotFoundError("document not found")
    where = records.context("request_documents", "content", doc.id)
    content = records.open_bytes(cipher, doc.content_enc, where=where)
    append_entry(
        session=session,
        actor=actor,
        action="request.document_viewed",
        object_type="data_request",
        object_id=row.id,
        details={"document_id": doc.id, "purpose": doc.purpose, "sha256": doc.sha256},
    )
    return doc.media_type, content


def _bucket(days_left: int) -> str:
    for label, low, high in BUCKETS:
        if (low is None or days_left >= low) and (high is None or days_left <= high):
            return label
    raise AssertionError("the buckets cover every integer")  # pragma: no cover


def _checkpoint(
    session: Session, path: Path | None, trusted: PublicKey | None
) -> tuple[datetime | None, bool | None]:
    """(when the newest checkpoint was signed, whether the chain still holds its hash)."""
    if path is None or trusted is None or not path.exists():
        return None, None
    try:
        checkpoints = read_checkpoints(path, trusted=trusted)
    except IntegrityError:
        return None, False
    if not checkpoints:
        return None, None
    newest = max(checkpoints, key=lambda c: c.seq)
    signed_at = datetime.fromisoformat(newest.ts.replace("Z", "+00:00"))
    stored = session.execute(
        select(AuditEntry.hash).where(AuditEntry.seq == newest.seq)
    ).scalar_one_or_none()
    return signed_at, stored == newest.hash


def dashboard(
    *,
    session: Session,
    policy: Policy,
    today: date,
    checkpoints_path: Path | None = None,
    trusted_key: PublicKey | None = None,
) -> DashboardFigures:
    """The admin home's figures: requests by state and by business days left, ledger rows due
    for review, the chain head, and (given the checkpoints file and the trusted key) the newest
    signed checkpoint and whether the chain still holds it."""
    counts = dict(
        session.execute(select(DataRequest.state, func.count()).group_by(DataRequest.state)).all()
    )
    by_state = {state: int(counts.get(state.value, 0)) for state in RequestState}
    calendar = BusinessCalendar.from_policy(policy)
    buckets = {label: 0 for label, _, _ in BUCKETS}
    overdue = 0
    running: Iterable[DataRequest] = session.execute(
        select(DataRequest).where(DataRequest.state.in_(sorted(s.value for s in RUNNING)))
    ).scalars()
    for row in running:
        days_left, _, late = _clock(row, calendar, today)
        if days_left is not None:
            buckets[_bucket(days_left)] += 1
        overdue += late
    head = session.execute(select(AuditHead.seq)).scalar_one_or_none()
    signed_at, matches = _checkpoint(session, checkpoints_path, trusted_key)
    return DashboardFigures(
        by_state=by_state,
        by_days_left=list(buckets.items()),
        open_total=sum(by_state[s] for s in RUNNING),
        overdue_total=overdue,
        ledger_due_for_review=len(entries_due_for_review(session=session, today=today)),
        chain_head_seq=int(head or 0),
        last_checkpoint_at=signed_at,
        checkpoint_matches=matches,
    )
