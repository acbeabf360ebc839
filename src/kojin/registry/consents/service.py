"""Consent services: record, withdraw, list, and the facts a decision takes from them.

The audit chain holds ids, policy codes, a country code and digests of the rows as stored
(``row_sha256``, see :mod:`kojin.registry.row_digest`); free text (recipient, notice version,
the foreign information shown) stays in the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, cast

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConflictError, NotFoundError
from kojin.law.decision_schemas import DecisionRequest, Facts
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.consents.matching import ConsentView, facts_from_records
from kojin.registry.consents.models import Consent, ConsentWithdrawal
from kojin.registry.consents.schemas import (
    ConsentCreate,
    ConsentMethod,
    ConsentOut,
    ForeignInformation,
    WithdrawalCreate,
)
from kojin.registry.row_digest import row_digest, table_columns
from kojin.registry.subjects.models import Subject
from kojin.registry.subjects.scope import SubjectScope, check_purpose, declared_category
from kojin.registry.subjects.service import SUBJECT_NOT_FOUND, visible_subject
from kojin.registry.subjects.text import is_row_id

#: the columns ``row_sha256`` covers: every column of the row, in declaration order
CONSENT_COLUMNS: Final = table_columns(cast(Table, Consent.__table__))
WITHDRAWAL_COLUMNS: Final = table_columns(cast(Table, ConsentWithdrawal.__table__))
#: the one 404 message for a consent that is unknown or not visible to the caller
CONSENT_NOT_FOUND: Final = "consent not found"


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


def consent_digest(row: Consent) -> str:
    """``row_sha256`` of a consent as stored (call after the flush)."""
    return row_digest({name: getattr(row, name) for name in CONSENT_COLUMNS}, CONSENT_COLUMNS)


def withdrawal_digest(row: ConsentWithdrawal) -> str:
    """``row_sha256`` of a withdrawal as stored (call after the flush)."""
    return row_digest({name: getattr(row, name) for name in WITHDRAWAL_COLUMNS}, WITHDRAWAL_COLUMNS)


def notice_version_digest(row: Consent) -> str:
    """``notice_version_sha256``: of the consent's id and notice version, so a short version
    text cannot be guessed back from the chain."""
    return row_digest(
        {"id": row.id, "notice_version": row.notice_version}, ("id", "notice_version")
    )


def record_consent(
    *,
    session: Session,
    consent_in: ConsentCreate,
    policy: PolicyFacts,
    actor: str,
    scope: SubjectScope | None = None,
) -> ConsentOut:
    """Store a consent as given (R-CH-6).

    The category must be one the policy declares and the purpose one it declares for that
    category; with `scope`, the caller must see both the category and the subject (an invisible
    subject is "subject not found", like an unknown one). The audit entry holds ids, the
    policy codes, the country code and digests: ``row_sha256`` of the consent row and
    ``notice_version_sha256``; never the recipient or the notice text.
    """
    category = declared_category(policy, consent_in.category, field="category")
    if consent_in.purpose is not None:
        check_purpose(category, consent_in.purpose, field="purpose")
    if scope is not None:
        scope.require(consent_in.category)
    visible_subject(session=session, subject_id=consent_in.subject_id, scope=scope)
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
    session.flush()
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
            "foreign_information": info is not None,
            "notice_version_sha256": notice_version_digest(row),
            "row_sha256": consent_digest(row),
        },
    )
    return _out(row)


def _visible_consent(session: Session, consent_id: str, scope: SubjectScope | None) -> Consent:
    row = session.get(Consent, consent_id) if is_row_id(consent_id) else None
    if row is not None and scope is not None:
        subject = session.get(Subject, row.subject_id)
        if subject is None or not (scope.sees(subject.category) and scope.sees(row.category)):
            row = None
    if row is None:
        raise NotFoundError(CONSENT_NOT_FOUND)
    return row


def withdraw_consent(
    *,
    session: Session,
    consent_id: str,
    withdrawal_in: WithdrawalCreate,
    actor: str,
    scope: SubjectScope | None = None,
) -> ConsentOut:
    """Record the withdrawal of a consent; the consent row itself stays as it was.

    A consent `scope` does not see is "consent not found", like an unknown one. The audit entry
    holds the ids and ``row_sha256`` of the withdrawal row.
    """
    row = _visible_consent(session, consent_id, scope)
    if row.withdrawal is not None:
        raise ConflictError("the consent was already withdrawn")
    withdrawn_at = withdrawal_in.withdrawn_at or utcnow()
    withdrawal = ConsentWithdrawal(
        id=uuid.uuid4().hex,
        consent_id=row.id,
        method=withdrawal_in.method.value,
        withdrawn_at=withdrawn_at,
        recorded_at=utcnow(),
        recorded_by=actor,
    )
    row.withdrawal = withdrawal
    session.flush()
    append_entry(
        session=session,
        actor=actor,
        action="consent.withdrawn",
        object_type="consent",
        object_id=row.id,
        details={
            "subject_id": row.subject_id,
            "withdrawal_id": withdrawal.id,
            "row_sha256": withdrawal_digest(withdrawal),
        },
    )
    return _out(row)


def list_consents(
    *, session: Session, subject_id: str, scope: SubjectScope | None = None
) -> list[ConsentOut]:
    """Every consent of a subject, withdrawn ones included, oldest first (the history).

    An unknown subject, or one `scope` does not see, is "subject not found".
    """
    visible_subject(session=session, subject_id=subject_id, scope=scope)
    rows = (
        session.execute(
            select(Consent)
            .where(Consent.subject_id == subject_id)
            .order_by(Consent.given_at, Consent.id)
        )
        .unique()
        .scalars()
    )
    return [_out(row) for row in rows if scope is None or scope.sees(row.category)]


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
        raise NotFoundError(SUBJECT_NOT_FOUND)
    return found.facts(request)
