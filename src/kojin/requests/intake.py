"""What the person sends: a request with its documents, and documents asked for later.

Everything the person typed is stored encrypted; each upload is checked by its bytes before
anything is stored. The e-mail code that follows is in :mod:`~kojin.requests.verification`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError
from kojin.policy.model import Policy
from kojin.requests import codes, records
from kojin.requests.documents import CheckedUpload, check_upload
from kojin.requests.grounds import grounds_details
from kojin.requests.kinds import RIGHTS_KINDS, DocumentPurpose, fee_for
from kojin.requests.models import DataRequest, RequestDocument
from kojin.requests.records import REQUESTER, get, put
from kojin.requests.schemas import RequestForm, RequestStatus, SubmitResult, UploadIn
from kojin.requests.states import RequesterEvent, RequestState, requester_next
from kojin.requests.status import UPLOAD_STATES, status_of
from kojin.requests.verification import issue_code
from kojin.settings import Settings

#: documents one request may carry in all
MAX_DOCUMENTS: Final = 10


@dataclass(frozen=True)
class _Checked:
    upload: UploadIn
    checked: CheckedUpload


def _check_uploads(uploads: Sequence[UploadIn], settings: Settings) -> list[_Checked]:
    """Every upload checked by its bytes (nothing is stored when one fails)."""
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
    with ``created=False`` and sends no second mail. A stop request keeps the ground of Art. 35
    and the incident reference it names in clear (they are not personal data; R-RT-6, R-BR-8).
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
        stop_ground=None if form.stop_ground is None else form.stop_ground.value,
        incident_reference=form.incident_reference,
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
        details={
            "documents": documents,
            "fee_yen": row.fee_yen,
            "key_id": row.key_id,
            **grounds_details(row),
        },
    )
    issue_code(session, cipher, settings, row, reference=reference, now=now)
    return SubmitResult(request_id=row.id, reference=reference, created=True)


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
