"""Consent services: record, withdraw, list, and the facts a decision takes from them."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
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
        Subject.id.label("subject_id"),
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
            Consent.category.in_(bindparam("categories", expanding=True)),
        ),
    )
    .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
    .where(Subject.id.in_(bindparam("subject_ids", expanding=True)))
)


@dataclass(frozen=True, slots=True)
class SubjectConsents:
    """A subject's stop flags and its consents (with their withdrawals) of the categories read."""

    stop_use: bool
    stop_provision: bool
    consents: tuple[ConsentView, ...]

    def facts(self, request: DecisionRequest) -> Facts:
        """The facts for `request` (its category must be among those read)."""
        return facts_from_records(
            (consent for consent in self.consents if consent.category == request.category),
            request=request,
            stop_use=self.stop_use,
            stop_provision=self.stop_provision,
        )


def subject_consents(
    *, session: Session, subject_ids: Collection[str], categories: Collection[str]
) -> dict[str, SubjectConsents]:
    """Flags and consents of `categories` for each known subject of `subject_ids`, in one
    indexed query; an unknown id is absent from the result."""
    rows = (
        session.connection()
        .execute(_FACT_ROWS, {"subject_ids": list(subject_ids), "categories": list(categories)})
        .all()
    )
    flags: dict[str, tuple[bool, bool]] = {}
    consents: dict[str, list[ConsentView]] = {}
    for r in rows:
        flags[r.subject_id] = (bool(r.stop_use), bool(r.stop_provision))
        found = consents.setdefault(r.subject_id, [])
        if r.category is not None:
            found.append(
                ConsentView(
                    category=r.category,
                    purpose=r.purpose,
                    recipient=r.recipient,
                    country=r.country,
                    foreign_information=r.foreign_information,
                    given_at=r.given_at,
                    withdrawn_at=r.withdrawn_at,
                )
            )
    return {
        subject_id: SubjectConsents(
            stop_use=stop_use, stop_provision=stop_provision, consents=tuple(consents[subject_id])
        )
        for subject_id, (stop_use, stop_provision) in flags.items()
    }


def consent_facts(*, session: Session, subject_id: str, request: DecisionRequest) -> Facts:
    """The facts a decision about `subject_id` takes from the registry: consents and
    withdrawals covering the request's scope, and the stop-use / stop-provision flags.

    NotFoundError when the subject does not exist. One indexed query (subject left-joined
    with its consents of the request's category and their withdrawals).
    """
    found = subject_consents(
        session=session, subject_ids=[subject_id], categories=[request.category]
    ).get(subject_id)
    if found is None:
        raise NotFoundError(f"subject {subject_id} does not exist")
    return found.facts(request)
