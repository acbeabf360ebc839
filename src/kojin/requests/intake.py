"""What the person does: submit a request, prove the e-mail address, look at the status, add
documents.

A request arrives when the person enters the code mailed to them (the arrival of Art. 39(1)):
from then the clock runs, and the due date is the policy's target in business days after the
arrival's Tokyo date.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError
from kojin.policy.model import Policy
from kojin.policy.model_base import RefusalGround
from kojin.requests import codes, records
from kojin.requests.clock import BusinessCalendar, tokyo_date
from kojin.requests.kinds import RIGHTS_KINDS, DocumentPurpose, RequestKind, fee_for
from kojin.requests.mails import CODE_MINUTES, send_code
from kojin.requests.models import DataRequest, RequestDocument, VerificationCode
from kojin.requests.records import REQUESTER, get, put
from kojin.requests.schemas import (
    Awaited,
    RequestForm,
    RequestStatus,
    SubmitResult,
    UploadIn,
)
from kojin.requests.states import RequesterEvent, RequestState, requester_next
from kojin.settings import Settings

if TYPE_CHECKING:
    from kojin.requests.documents import CheckedUpload

#: wrong codes a person may enter before the code is spent
MAX_CODE_ATTEMPTS: Final = 5
CODE_LIFETIME: Final = timedelta(minutes=CODE_MINUTES)
#: documents one request may carry in all
MAX_DOCUMENTS: Final = 10
#: states in which the person may add documents
UPLOAD_STATES: Final = frozenset({RequestState.RECEIVED, RequestState.AWAITING_DOCUMENTS})
PACKAGE_KINDS: Final = frozenset({RequestKind.DISCLOSURE, RequestKind.PURPOSE_NOTIFICATION})
PACKAGE_STATES: Final = frozenset({RequestState.COMPLETED, RequestState.PARTLY_COMPLETED})


class VerificationFailed(InputError):  # noqa: N818 - the contract's name
    """The code is wrong, expired, used up or for no pending request: one answer for all."""

    def __init__(self) -> None:
        super().__init__("the code is wrong or has expired", field="code")


@dataclass(frozen=True)
class _Checked:
    upload: UploadIn
    checked: CheckedUpload


def _check_uploads(uploads: Sequence[UploadIn], settings: Settings) -> list[_Checked]:
    """Every upload checked by its bytes (nothing is stored when one fails)."""
    from kojin.requests.documents import check_upload

    return [
        _Checked(
            upload,
            check_upload(
                filename=upload.filename,
                declared_type=upload.declared_type,
                data=upload.data,
                max_bytes=settings.max_upload_bytes,
            ),
        )
        for upload in uploads
    ]


def _store_documents(
    session: Session,
    cipher: FieldCipher,
    row: DataRequest,
    checked: Sequence[_Checked],
    now: datetime,
) -> list[dict[str, Any]]:
    """Encrypt and add the documents; what the chain may hold about them (ids, digests)."""
    chained: list[dict[str, Any]] = []
    # ids in ascending order, so that (uploaded_at, id) lists a batch in the order it came
    ids = sorted(records.new_id() for _ in checked)
    for doc_id, item in zip(ids, checked, strict=True):
        where = records.context("request_documents", "content", doc_id)
        session.add(
            RequestDocument(
                id=doc_id,
                request_id=row.id,
                purpose=item.upload.purpose.value,
                media_type=item.checked.media_type,
                size=item.checked.size,
                sha256=item.checked.sha256,
                content_enc=records.seal_bytes(
                    cipher, item.upload.data, where=where, key_id=row.key_id
                ),
                key_id=row.key_id,
                uploaded_at=now,
            )
        )
        chained.append(
            {"id": doc_id, "purpose": item.upload.purpose.value, "sha256": item.checked.sha256}
        )
    return chained


def _require_documents(form: RequestForm, uploads: Sequence[UploadIn]) -> None:
    purposes = {upload.purpose for upload in uploads}
    if form.kind in RIGHTS_KINDS and DocumentPurpose.IDENTITY not in purposes:
        raise InputError("an identity document is required", field="identity_document")
    if form.is_agent and DocumentPurpose.AUTHORITY not in purposes:
        raise InputError(
            "a document showing the agent's authority is required", field="authority_document"
        )
    if len(uploads) > MAX_DOCUMENTS:
        raise InputError(f"at most {MAX_DOCUMENTS} documents", field="document")


def _issue_code(
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    row: DataRequest,
    *,
    reference: str,
    now: datetime,
) -> None:
    code = codes.new_code()
    session.add(
        VerificationCode(
            id=records.new_id(),
            request_id=row.id,
            code_digest=codes.code_digest(cipher, request_id=row.id, code=code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            attempts=0,
        )
    )
    email = get(cipher, row, "email")
    assert email is not None
    lang = records.lang_of(row)
    send_code(
        session=session,
        cipher=cipher,
        settings=settings,
        to=email,
        lang=lang,
        code=code,
        reference=reference,
        now=now,
    )


def _earlier(session: Session, cipher: FieldCipher, key_hash: str, email: str) -> SubmitResult:
    """The request a form with this key already made, for the same e-mail address."""
    row = session.execute(
        select(DataRequest).where(DataRequest.submission_key_hash == key_hash)
    ).scalar_one()
    same = row.email_bidx is not None and row.email_bidx == codes.email_index(cipher, email)
    reference = get(cipher, row, "reference")
    if not same or reference is None:
        raise ConflictError("this form was already submitted: please reload it")
    return SubmitResult(request_id=row.id, reference=reference, created=False)


def submit_request(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    form: RequestForm,
    uploads: Sequence[UploadIn],
    now: datetime | None = None,
) -> SubmitResult:
    """Store a request (everything the person typed encrypted) in EMAIL_UNVERIFIED and mail
    the person a six-digit code with the reference, in their language.

    The rights requests need an identity document, an agent an authority document (Art. 37;
    R-RT-8); each upload is checked by its bytes first, so a refused one stores nothing. The
    same form submitted again (same ``submission_key`` and e-mail) returns the first request
    with ``created=False`` and sends no second mail.
    """
    now = now or utcnow()
    if form.category is not None and policy.category(form.category) is None:
        raise InputError("is not a category of the policy", field="category")
    key_hash = hashlib.sha256(form.submission_key.encode()).hexdigest()
    exists = select(DataRequest.id).where(DataRequest.submission_key_hash == key_hash)
    if session.execute(exists).first() is not None:
        return _earlier(session, cipher, key_hash, form.email)
    _require_documents(form, uploads)
    checked = _check_uploads(uploads, settings)

    reference = codes.new_reference()
    row = DataRequest(
        id=records.new_id(),
        reference_bidx=codes.reference_index(cipher, reference),
        kind=form.kind.value,
        state=RequestState.EMAIL_UNVERIFIED.value,
        lang=form.lang,
        category=form.category,
        email_bidx=codes.email_index(cipher, form.email),
        is_agent=form.is_agent,
        agent_relation=None if form.agent_relation is None else form.agent_relation.value,
        disclosure_method=(
            None if form.disclosure_method is None else form.disclosure_method.value
        ),
        include_third_party_records=form.include_third_party_records,
        fee_yen=fee_for(form.kind, policy),
        submission_key_hash=key_hash,
        submitted_at=now,
        key_id=cipher.current_key_id,
    )
    put(cipher, row, "reference", reference)
    for column in records.PERSONAL_COLUMNS:
        value = getattr(form, column)
        put(cipher, row, column, value or None)
    try:
        with session.begin_nested():  # a concurrent submission of the same form loses here
            session.add(row)
            session.flush()
    except DatabaseIntegrityError:
        return _earlier(session, cipher, key_hash, form.email)

    documents = _store_documents(session, cipher, row, checked, now)
    records.record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=REQUESTER,
        action="submitted",
        from_state=None,
        to_state=RequestState.EMAIL_UNVERIFIED,
        now=now,
        details={"documents": documents, "fee_yen": row.fee_yen, "key_id": row.key_id},
    )
    _issue_code(session, cipher, settings, row, reference=reference, now=now)
    return SubmitResult(request_id=row.id, reference=reference, created=True)


def verify_email(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: Policy,
    reference: str,
    code: str,
    now: datetime | None = None,
) -> None:
    """Accept the code mailed for `reference`: the request arrives (RECEIVED, ``received_at``)
    and is due the policy's target in business days after the arrival's Tokyo date.

    VerificationFailed, one message for all, when the code is wrong, expired, spent (five wrong
    attempts, or used) or the reference opens no request awaiting a code. A wrong attempt is
    counted in `session` before the error is raised: catch VerificationFailed inside the unit
    of work so that the count is committed (an exception leaving ``Database.uow()`` rolls it
    back).
    """
    now = now or utcnow()
    row = records.by_reference(session, cipher, reference)
    typed = codes.normalize_code(code)
    if row is None or row.state != RequestState.EMAIL_UNVERIFIED.value or typed is None:
        raise VerificationFailed
    pending = session.execute(
        select(VerificationCode)
        .where(VerificationCode.request_id == row.id)
        .order_by(VerificationCode.created_at.desc(), VerificationCode.id)
        .limit(1)
    ).scalar_one_or_none()
    if (
        pending is None
        or pending.consumed_at is not None
        or pending.expires_at <= now
        or pending.attempts >= MAX_CODE_ATTEMPTS
    ):
        raise VerificationFailed
    pending.attempts += 1
    expected = codes.code_digest(cipher, request_id=row.id, code=typed)
    if not hmac.compare_digest(pending.code_digest, expected):
        session.flush()
        raise VerificationFailed
    pending.consumed_at = now
    state = requester_next(RequestState(row.state), RequesterEvent.EMAIL_VERIFIED)
    handling = policy.general.inquiries.handling
    arrival = tokyo_date(now)
    row.state = state.value
    row.received_at = now
    row.due_on = BusinessCalendar.from_policy(policy).add_business_days(
        arrival, handling.target_business_days
    )
    records.record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=REQUESTER,
        action="email_verified",
        from_state=RequestState.EMAIL_UNVERIFIED,
        to_state=state,
        now=now,
        details={"due_on": row.due_on.isoformat()},
    )


def resend_code(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    reference: str,
    email: str,
    now: datetime | None = None,
) -> None:
    """Mail a new code (the earlier ones stop working). NotFoundError alike for a wrong
    reference or e-mail; ConflictError when the address is already verified."""
    now = now or utcnow()
    row = records.for_requester(session, cipher, reference=reference, email=email)
    if row.state != RequestState.EMAIL_UNVERIFIED.value:
        raise ConflictError("the e-mail address of this request is already verified")
    canonical = get(cipher, row, "reference")
    assert canonical is not None
    for old in session.execute(
        select(VerificationCode).where(
            VerificationCode.request_id == row.id, VerificationCode.consumed_at.is_(None)
        )
    ).scalars():
        old.consumed_at = now
    _issue_code(session, cipher, settings, row, reference=canonical, now=now)
    records.record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=REQUESTER,
        action="code_resent",
        from_state=None,
        to_state=None,
        now=now,
    )


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


def add_documents(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    reference: str,
    email: str,
    uploads: Sequence[UploadIn],
    now: datetime | None = None,
) -> RequestStatus:
    """Add documents (checked by their bytes); a request awaiting documents moves back to
    RECEIVED for staff to look again."""
    now = now or utcnow()
    row = records.for_requester(session, cipher, reference=reference, email=email)
    state = RequestState(row.state)
    if state not in UPLOAD_STATES:
        raise ConflictError(f"documents cannot be added in state {state.value}")
    if not uploads:
        raise InputError("choose a document to upload", field="document")
    held = session.execute(
        select(RequestDocument.id).where(RequestDocument.request_id == row.id)
    ).all()
    if len(held) + len(uploads) > MAX_DOCUMENTS:
        raise InputError(f"at most {MAX_DOCUMENTS} documents", field="document")
    checked = _check_uploads(uploads, settings)
    documents = _store_documents(session, cipher, row, checked, now)
    target = (
        requester_next(state, RequesterEvent.DOCUMENTS_ADDED)
        if state is RequestState.AWAITING_DOCUMENTS
        else state
    )
    row.state = target.value
    records.record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=REQUESTER,
        action="documents_added",
        from_state=state,
        to_state=target,
        now=now,
        details={"documents": documents},
    )
    return status_of(cipher, row)
