"""What the person sees of their request: where it stands and what it waits for."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.policy.model import Policy
from kojin.policy.model_base import RefusalGround
from kojin.requests import records
from kojin.requests.grounds import stop_ground_of
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.records import get
from kojin.requests.schemas import Awaited, RequestStatus
from kojin.requests.states import RequestState

#: states in which the person may add documents
UPLOAD_STATES: Final = frozenset({RequestState.RECEIVED, RequestState.AWAITING_DOCUMENTS})
#: a disclosure package exists for these kinds in these states (once the subject is linked)
PACKAGE_KINDS: Final = frozenset({RequestKind.DISCLOSURE, RequestKind.PURPOSE_NOTIFICATION})
PACKAGE_STATES: Final = frozenset({RequestState.COMPLETED, RequestState.PARTLY_COMPLETED})


def has_package(row: DataRequest) -> bool:
    return (
        RequestKind(row.kind) in PACKAGE_KINDS
        and RequestState(row.state) in PACKAGE_STATES
        and row.subject_id is not None
    )


def status_of(cipher: FieldCipher, row: DataRequest) -> RequestStatus:
    """What the person sees about `row`."""
    state = RequestState(row.state)
    awaiting = {
        RequestState.EMAIL_UNVERIFIED: [Awaited.EMAIL_CODE],
        RequestState.AWAITING_DOCUMENTS: [Awaited.DOCUMENTS],
        RequestState.AWAITING_FEE: [Awaited.FEE],
        RequestState.RECEIVED: [Awaited.STAFF],
        RequestState.IN_REVIEW: [Awaited.STAFF],
    }.get(state, [])
    lang = records.lang_of(row)
    return RequestStatus(
        kind=RequestKind(row.kind),
        state=state,
        lang=lang,
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        due_on=row.due_on,
        stop_ground=stop_ground_of(row.stop_ground),
        incident_reference=row.incident_reference,
        awaiting=awaiting,
        fee_yen=row.fee_yen,
        fee_recorded=row.fee_reference_enc is not None,
        outcome=get(cipher, row, "outcome"),
        refusal_ground=None if row.refusal_ground is None else RefusalGround(row.refusal_ground),
        refusal_text=get(cipher, row, "refusal_explanation"),
        has_package=has_package(row),
        has_refusal_notice=state is RequestState.REFUSED,
        can_upload=state in UPLOAD_STATES,
    )


def request_status(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    reference: str,
    email: str,
    now: datetime | None = None,
) -> RequestStatus:
    """Where the request stands; NotFoundError("request not found") alike for a wrong
    reference or a wrong e-mail."""
    return status_of(
        cipher, records.for_requester(session, cipher, reference=reference, email=email)
    )
