"""Proving the e-mail address: the six-digit code, its expiry and attempts, and the arrival.

A request arrives when the person enters the code mailed to them (the arrival of Art. 39(1)):
from then the clock runs, and the due date is the policy's target in business days after the
arrival's Tokyo date. Only a keyed digest of each code is stored.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError
from kojin.policy.model import Policy
from kojin.requests import codes, records
from kojin.requests.clock import BusinessCalendar, tokyo_date
from kojin.requests.mails import CODE_MINUTES, send_code
from kojin.requests.models import DataRequest, VerificationCode
from kojin.requests.records import REQUESTER, get
from kojin.requests.states import RequesterEvent, RequestState, requester_next
from kojin.settings import Settings

#: wrong codes a person may enter before the code is spent
MAX_CODE_ATTEMPTS: Final = 5
CODE_LIFETIME: Final = timedelta(minutes=CODE_MINUTES)


class VerificationFailed(InputError):  # noqa: N818 - the contract's name
    """The code is wrong, expired, used up or for no pending request: one answer for all."""

    def __init__(self) -> None:
        super().__init__("the code is wrong or has expired", field="code")


def issue_code(
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    row: DataRequest,
    *,
    reference: str,
    now: datetime,
) -> None:
    """Keep a new code's digest (valid for :data:`CODE_LIFETIME`) and mail the code."""
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
        .where(VerificationCode.request_id == row.id, VerificationCode.consumed_at.is_(None))
        .order_by(VerificationCode.created_at.desc(), VerificationCode.id)
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if pending is None or pending.expires_at <= now or pending.attempts >= MAX_CODE_ATTEMPTS:
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
    for old in (
        session.execute(
            select(VerificationCode).where(
                VerificationCode.request_id == row.id, VerificationCode.consumed_at.is_(None)
            )
        )
        .scalars()
        .all()
    ):
        old.consumed_at = now
    issue_code(session, cipher, settings, row, reference=canonical, now=now)
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
