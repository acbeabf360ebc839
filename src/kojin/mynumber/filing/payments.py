"""Payments behind the statutory payment records: add, list, delete, and the annual lines an
export reads.

A payment is checked against the policy (its affair prepares a payment record; the payee is a
subject of that affair's category) and its kind's fields
(:mod:`kojin.mynumber.filing.payment_fields`); only a designated person in charge whose scope covers
the affair and the payee may add, see or delete it (R-MN-9). The audit chain holds ids, the
affair and the digest of the row as stored, never amounts or fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, cast

import orjson
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries, append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError, NotFoundError, PermissionDeniedError
from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.policy_facts import PolicyFacts
from kojin.mynumber.filing.affairs import AffairScope, filing_affair, require_affair
from kojin.mynumber.filing.models import FilingPayment
from kojin.mynumber.filing.payment_fields import takes_withholding, validate_fields
from kojin.mynumber.filing.schemas import PaymentIn, PaymentOut
from kojin.registry.row_digest import row_digest, table_columns
from kojin.registry.subjects.models import Subject
from kojin.registry.subjects.text import is_row_id

#: the columns of a payment the chain holds a digest of (``row_sha256``)
PAYMENT_DIGEST_COLUMNS: Final = table_columns(cast(Table, FilingPayment.__table__))
#: the one message for a payment that is unknown or outside the caller's designation
PAYMENT_NOT_FOUND: Final = "payment not found"
MAX_LIMIT: Final = 1000


def payment_digest(row: FilingPayment) -> str:
    """The digest the chain holds for a payment row as stored (``row_sha256``)."""
    return row_digest({c: getattr(row, c) for c in PAYMENT_DIGEST_COLUMNS}, PAYMENT_DIGEST_COLUMNS)


def fields_context(payment_id: str) -> str:
    """The cipher context of a payment's fields."""
    return f"filing_payments.fields:{payment_id}"


@dataclass(frozen=True, slots=True)
class CheckedPayment:
    """A payment that passed the policy and kind checks, ready to store."""

    payment: PaymentIn
    kind: PaymentRecordKind
    category: str
    fields: dict[str, Any]


def check_payment(policy: PolicyFacts, payment: PaymentIn) -> CheckedPayment:
    """`payment` checked against the policy and its kind's fields; InputError naming the
    field (never the value) otherwise. The payee's category is checked by :func:`add_payments`,
    against the registry."""
    affair = filing_affair(policy, payment.affair)
    fields = validate_fields(affair.kind, payment.fields)
    if payment.withheld_yen and not takes_withholding(affair.kind):
        raise InputError(
            f"a {affair.kind.value} payment record has no tax withheld: leave it 0",
            field="withheld_yen",
        )
    if payment.withheld_yen > payment.amount_yen:
        raise InputError("must not exceed amount_yen", field="withheld_yen")
    return CheckedPayment(
        payment=payment,
        kind=affair.kind,
        category=affair.category,
        fields=fields,
    )


def subject_categories(session: Session, subject_ids: set[str]) -> dict[str, str]:
    """The category of each subject in `subject_ids` that exists."""
    if not subject_ids:
        return {}
    rows = session.execute(
        select(Subject.id, Subject.category).where(Subject.id.in_(sorted(subject_ids)))
    ).all()
    return {row.id: row.category for row in rows}


def payee_problem(
    checked: CheckedPayment, categories: dict[str, str], scope: AffairScope | None
) -> str | None:
    """Why the payee of `checked` cannot be paid for its affair by this caller, or None.

    An unknown subject, one of another category and one outside the caller's designation are
    answered alike, so the answer does not tell which subjects exist.
    """
    subject_id = checked.payment.subject_id
    if (
        categories.get(subject_id) != checked.category
        or scope is None
        or not scope.allows(affair=checked.payment.affair, subject_id=subject_id)
    ):
        return "not a person of this affair within the designation"
    return None


def store_payments(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    checked: Sequence[CheckedPayment],
    now: datetime | None = None,
) -> list[PaymentOut]:
    """Store payments already checked (fields encrypted) and chain one entry per payment."""
    ts = now or utcnow()
    kid = cipher.current_key_id
    rows: list[FilingPayment] = []
    for item in checked:
        payment_id = uuid.uuid4().hex
        text = orjson.dumps(item.fields, option=orjson.OPT_SORT_KEYS).decode()
        rows.append(
            FilingPayment(
                id=payment_id,
                subject_id=item.payment.subject_id,
                affair=item.payment.affair,
                kind=item.kind.value,
                paid_on=item.payment.paid_on,
                amount_yen=item.payment.amount_yen,
                withheld_yen=item.payment.withheld_yen,
                fields_enc=cipher.encrypt(text, context=fields_context(payment_id), key_id=kid),
                key_id=kid,
                created_at=ts,
                created_by=actor,
            )
        )
    session.add_all(rows)
    session.flush()
    append_entries(
        session=session,
        events=[
            AuditEvent(
                actor=actor,
                action="filing.payment_added",
                object_type="filing_payment",
                object_id=row.id,
                details={
                    "subject_id": row.subject_id,
                    "affair": row.affair,
                    "kind": row.kind,
                    "row_sha256": payment_digest(row),
                },
            )
            for row in rows
        ],
        now=ts,
    )
    return [
        _out(row, fields) for row, fields in zip(rows, (c.fields for c in checked), strict=True)
    ]


def add_payments(
    *,
    session: Session,
    cipher: FieldCipher,
    policy: PolicyFacts,
    actor: str,
    scope: AffairScope | None,
    payments: Sequence[PaymentIn],
    now: datetime | None = None,
) -> list[PaymentOut]:
    """Check and store `payments` (all or none); the first problem is an InputError naming the
    payment's position and field, an affair outside `scope` a PermissionDeniedError."""
    checked: list[CheckedPayment] = []
    for index, payment in enumerate(payments):
        try:
            item = check_payment(policy, payment)
        except InputError as exc:
            where = f"payments[{index}]." if len(payments) > 1 else ""
            raise InputError(exc.message, field=f"{where}{exc.field}") from None
        require_affair(scope, payment.affair)
        checked.append(item)
    categories = subject_categories(session, {p.subject_id for p in payments})
    for item in checked:
        problem = payee_problem(item, categories, scope)
        if problem is not None:
            raise NotFoundError(f"subject_id: {problem}")
    return store_payments(session=session, cipher=cipher, actor=actor, checked=checked, now=now)


def _decrypted(row: FilingPayment, cipher: FieldCipher) -> dict[str, Any]:
    text = cipher.decrypt(row.fields_enc, context=fields_context(row.id))
    value = orjson.loads(text)
    assert isinstance(value, dict)
    return value


def _out(row: FilingPayment, fields: dict[str, Any]) -> PaymentOut:
    return PaymentOut(
        id=row.id,
        subject_id=row.subject_id,
        affair=row.affair,
        kind=row.kind,
        paid_on=row.paid_on,
        amount_yen=row.amount_yen,
        withheld_yen=row.withheld_yen,
        fields=fields,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of `year` (InputError outside 1900..9998)."""
    if not 1900 <= year <= 9998:
        raise InputError("must be a year from 1900 to 9998", field="year")
    return date(year, 1, 1), date(year, 12, 31)


def list_payments(
    *,
    session: Session,
    cipher: FieldCipher,
    scope: AffairScope | None,
    affair: str | None = None,
    year: int | None = None,
    subject_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[PaymentOut]:
    """Payments of the affairs `scope` covers (and its persons), oldest payment first,
    optionally of one affair, year or payee."""
    if scope is None:
        raise PermissionDeniedError(
            "only a designated person in charge of specific personal information may read "
            "payments (R-MN-9)"
        )
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InputError(f"limit must be 1 to {MAX_LIMIT} and offset not negative", field="limit")
    query = select(FilingPayment).where(FilingPayment.affair.in_(sorted(scope.affairs)))
    if scope.subject_ids is not None:
        query = query.where(FilingPayment.subject_id.in_(sorted(scope.subject_ids)))
    if affair is not None:
        query = query.where(FilingPayment.affair == affair)
    if year is not None:
        first, last = year_bounds(year)
        query = query.where(FilingPayment.paid_on.between(first, last))
    if subject_id is not None:
        query = query.where(FilingPayment.subject_id == subject_id)
    query = query.order_by(FilingPayment.paid_on, FilingPayment.id).limit(limit).offset(offset)
    rows = session.execute(query).scalars().all()
    return [_out(row, _decrypted(row, cipher)) for row in rows]


def delete_payment(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    scope: AffairScope | None,
    payment_id: str,
) -> PaymentOut:
    """Delete a payment entered in error (before its year is exported, or to export again)
    and return it as it was; the deletion is chained with the digest the row had."""
    row = session.get(FilingPayment, payment_id) if is_row_id(payment_id) else None
    if (
        row is None
        or scope is None
        or not scope.allows(affair=row.affair, subject_id=row.subject_id)
    ):
        raise NotFoundError(PAYMENT_NOT_FOUND)
    deleted = _out(row, _decrypted(row, cipher))
    digest = payment_digest(row)
    session.execute(delete(FilingPayment).where(FilingPayment.id == row.id))
    append_entry(
        session=session,
        actor=actor,
        action="filing.payment_deleted",
        object_type="filing_payment",
        object_id=payment_id,
        details={"subject_id": row.subject_id, "affair": row.affair, "row_sha256": digest},
    )
    return deleted


def payments_of_year(
    *, session: Session, cipher: FieldCipher, affair: str, year: int
) -> list[tuple[FilingPayment, dict[str, Any]]]:
    """Every payment of `affair` paid in `year`, with its fields, in payee and date order
    (for the export, which checks the scope itself)."""
    first, last = year_bounds(year)
    rows = (
        session.execute(
            select(FilingPayment)
            .where(FilingPayment.affair == affair, FilingPayment.paid_on.between(first, last))
            .order_by(FilingPayment.subject_id, FilingPayment.paid_on, FilingPayment.id)
        )
        .scalars()
        .all()
    )
    return [(row, _decrypted(row, cipher)) for row in rows]
