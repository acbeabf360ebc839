"""Deleting what requests brought in once it has served (the policy's holding periods).

- Identity and authority documents: ``document_holding_days`` after the request closed, the
  encrypted content is replaced by nothing and ``deleted_at`` set; the row stays (purpose,
  type, size, digest) as the record that a document was checked.
- Complaints and inquiries: ``inquiry_retention_days`` after closing, every personal field is
  cleared (the seed's promise: what was learned only to answer an inquiry is used for nothing
  else), and ``purged_at`` set.
- Requests never verified: after ``document_holding_days`` from submission, both of the above
  (no request ever arrived).

Each purge is chained with ids and counts only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.policy.model import Policy
from kojin.requests import records
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest, RequestDocument, RequestEvent, VerificationCode
from kojin.requests.states import RequestState

PURGE_ACTOR: Final = "kojin:purge"
INQUIRY_KINDS: Final = frozenset({RequestKind.COMPLAINT, RequestKind.INQUIRY})
#: the columns cleared besides :data:`records.PERSONAL_COLUMNS` (``<name>_enc``)
_ALSO_CLEARED: Final = ("fee_reference", "refusal_explanation", "outcome", "reference")


def _purge_documents(session: Session, request_id: str, now: datetime, actor: str) -> int:
    docs = list(
        session.execute(
            select(RequestDocument).where(
                RequestDocument.request_id == request_id, RequestDocument.deleted_at.is_(None)
            )
        ).scalars()
    )
    for doc in docs:
        doc.content_enc = b""
        doc.deleted_at = now
    if docs:
        append_entry(
            session=session,
            actor=actor,
            action="request.documents_purged",
            object_type="data_request",
            object_id=request_id,
            details={"document_ids": sorted(doc.id for doc in docs)},
        )
    return len(docs)


def _purge_personal(session: Session, row: DataRequest, now: datetime, actor: str) -> None:
    cleared = sorted(
        column
        for column in (*records.PERSONAL_COLUMNS, *_ALSO_CLEARED)
        if getattr(row, f"{column}_enc") is not None
    )
    for column in (*records.PERSONAL_COLUMNS, *_ALSO_CLEARED):
        setattr(row, f"{column}_enc", None)
    row.email_bidx = None
    row.purged_at = now
    for event in (
        session.execute(
            select(RequestEvent).where(
                RequestEvent.request_id == row.id, RequestEvent.note_enc.is_not(None)
            )
        )
        .scalars()
        .all()
    ):
        event.note_enc = None
    for code in (
        session.execute(select(VerificationCode).where(VerificationCode.request_id == row.id))
        .scalars()
        .all()
    ):
        session.delete(code)
    append_entry(
        session=session,
        actor=actor,
        action="request.personal_data_purged",
        object_type="data_request",
        object_id=row.id,
        details={"kind": row.kind, "fields": cleared},
    )


def purge_closed(
    *, session: Session, policy: Policy, now: datetime | None = None, actor: str = PURGE_ACTOR
) -> int:
    """Purge what is past its holding period; returns how many documents and requests were
    purged."""
    now = now or utcnow()
    handling = policy.general.inquiries.handling
    doc_cutoff = now - timedelta(days=handling.document_holding_days)
    inquiry_cutoff = now - timedelta(days=handling.inquiry_retention_days)
    purged = 0

    closed = select(DataRequest).where(
        DataRequest.closed_at.is_not(None), DataRequest.closed_at <= doc_cutoff
    )
    for row in session.execute(closed).scalars().all():
        purged += _purge_documents(session, row.id, now, actor)

    unverified = select(DataRequest).where(
        DataRequest.state == RequestState.EMAIL_UNVERIFIED.value,
        DataRequest.submitted_at <= doc_cutoff,
        DataRequest.purged_at.is_(None),
    )
    for row in session.execute(unverified).scalars().all():
        purged += _purge_documents(session, row.id, now, actor)
        _purge_personal(session, row, now, actor)
        purged += 1

    inquiries = select(DataRequest).where(
        DataRequest.kind.in_(sorted(kind.value for kind in INQUIRY_KINDS)),
        DataRequest.closed_at.is_not(None),
        DataRequest.closed_at <= inquiry_cutoff,
        DataRequest.purged_at.is_(None),
    )
    for row in session.execute(inquiries).scalars().all():
        _purge_personal(session, row, now, actor)
        purged += 1
    return purged
