"""Consent services: record, withdraw, list, and the facts a decision takes from them."""

from __future__ import annotations

import uuid

from sqlalchemy import String, and_, bindparam, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConflictError, NotFoundError
from kojin.law.decision_schemas import DecisionRequest, Facts
from kojin.registry.consents.matching import ConsentView, facts_from_records
from kojin.registry.consents.models import Consent, ConsentWithdrawal
from kojin.registry.consents.schemas import (
    ConsentCreate,
    ConsentMethod,
    ConsentOut,
    ForeignInformation,
    WithdrawalCreate,
)
from kojin.registry.subjects.models import Subject


def _out(row: Consent) -> ConsentOut:
    withdrawal = row.withdrawal
    return ConsentOut(
        id=row.id,
        subject_id=row.subject_id,
        category=row.category,
        purpose=row.purpose,
        recipient=row.recipient,
        country=row.country,
        notice_version=row.notice_version,
        foreign_information=(
            None
            if row.foreign_information is None
            else ForeignInformation.model_validate(row.foreign_information)
        ),
        method=ConsentMethod(row.method),
        by_representative=row.by_representative,
        given_at=row.given_at,
        recorded_by=row.recorded_by,
        withdrawn_at=None if withdrawal is None else withdrawal.withdrawn_at,
        withdrawal_method=None if withdrawal is None else ConsentMethod(withdrawal.method),
    )


def record_consent(*, session: Session, consent_in: ConsentCreate, actor: str) -> ConsentOut:
    """Store a consent as given (R-CH-6); audited with ids and scope codes only."""
    if session.get(Subject, consent_in.subject_id) is None:
        raise NotFoundError(f"subject {consent_in.subject_id} does not exist")
    now = utcnow()
    info = consent_in.foreign_information
    row = Consent(
        id=uuid.uuid4().hex,
        subject_id=consent_in.subject_id,
        category=consent_in.category,
        purpose=consent_in.purpose,
        recipient=consent_in.recipient,
        country=consent_in.country,
        notice_version=consent_in.notice_version,
        foreign_information=None if info is None else info.model_dump(),
        method=consent_in.method.value,
        by_representative=consent_in.by_representative,
        given_at=consent_in.given_at or now,
        recorded_at=now,
        recorded_by=actor,
    )
    session.add(row)
    append_entry(
        session=session,
        actor=actor,
        action="consent.recorded",
        object_type="consent",
        object_id=row.id,
        details={
            "subject_id": row.subject_id,
            "category": row.category,
            "purpose": row.purpose,
            "country": row.country,
            "notice_version": row.notice_version,
            "foreign_information": info is not None,
        },
    )
    return _out(row)


def withdraw_consent(
    *, session: Session, consent_id: str, withdrawal_in: WithdrawalCreate, actor: str
) -> ConsentOut:
    """Record the withdrawal of a consent; the consent row itself stays as it was."""
    row = session.get(Consent, consent_id)
    if row is None:
        raise NotFoundError(f"consent {consent_id} does not exist")
    if row.withdrawal is not None:
        raise ConflictError(f"consent {consent_id} was already withdrawn")
    withdrawn_at = withdrawal_in.withdrawn_at or utcnow()
    row.withdrawal = ConsentWithdrawal(
        id=uuid.uuid4().hex,
        consent_id=row.id,
        method=withdrawal_in.method.value,
        withdrawn_at=withdrawn_at,
        recorded_at=utcnow(),
        recorded_by=actor,
    )
    append_entry(
        session=session,
        actor=actor,
        action="consent.withdrawn",
        object_type="consent",
        object_id=row.id,
        details={"subject_id": row.subject_id, "withdrawal_id": row.withdrawal.id},
    )
    return _out(row)


def list_consents(*, session: Session, subject_id: str) -> list[ConsentOut]:
    """Every consent of a subject, withdrawn ones included, oldest first (the history)."""
    rows = (
        session.execute(
            select(Consent)
            .where(Consent.subject_id == subject_id)
            .order_by(Consent.given_at, Consent.id)
        )
        .unique()
        .scalars()
    )
    return [_out(row) for row in rows]


_FACT_ROWS = (
    select(
        Subject.stop_use,
        Subject.stop_provision,
        Consent.category,
        Consent.purpose,
        Consent.recipient,
        Consent.country,
        Consent.foreign_information,
        Consent.given_at,
        ConsentWithdrawal.withdrawn_at,
    )
    .select_from(Subject)
    .outerjoin(
        Consent,
        and_(
            Consent.subject_id == Subject.id,
            Consent.category == bindparam("category", type_=String()),
        ),
    )
    .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
    .where(Subject.id == bindparam("subject_id", type_=String()))
)


def consent_facts(*, session: Session, subject_id: str, request: DecisionRequest) -> Facts:
    """The facts a decision about `subject_id` takes from the registry: consents and
    withdrawals covering the request's scope, and the stop-use / stop-provision flags.

    NotFoundError when the subject does not exist. One indexed query (subject left-joined
    with its consents of the request's category and their withdrawals).
    """
    rows = (
        session.connection()
        .execute(_FACT_ROWS, {"subject_id": subject_id, "category": request.category})
        .all()
    )
    if not rows:
        raise NotFoundError(f"subject {subject_id} does not exist")
    views = (
        ConsentView(
            category=r.category,
            purpose=r.purpose,
            recipient=r.recipient,
            country=r.country,
            foreign_information=r.foreign_information,
            given_at=r.given_at,
            withdrawn_at=r.withdrawn_at,
        )
        for r in rows
        if r.category is not None
    )
    return facts_from_records(
        views,
        request=request,
        stop_use=bool(rows[0].stop_use),
        stop_provision=bool(rows[0].stop_provision),
    )
