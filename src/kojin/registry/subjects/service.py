"""Subject services: create, read, find by blind index, list, set flags, correct, erase,
re-encrypt.

What the audit chain holds about a subject is ids, policy codes and digests: the category (which
the policy must declare), the names of fields, ``flags_sha256`` (the digest of the stop-flag
columns, :data:`FLAG_COLUMNS`, as stored) and a reference's digest; the reference itself is kept
in ``subject_changes``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError, NotFoundError
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.row_digest import row_digest
from kojin.registry.subjects.models import Subject, SubjectChange
from kojin.registry.subjects.schemas import (
    FlagsUpdate,
    SubjectCreate,
    SubjectIdentifiers,
    SubjectOut,
)
from kojin.registry.subjects.scope import SubjectScope, declared_category
from kojin.registry.subjects.text import is_row_id, storable

#: identifier fields, each stored encrypted in ``<field>_enc``
ENCRYPTED_FIELDS: Final = ("name", "email", "customer_number", "phone", "address")
#: identifier fields that also get a blind index ``<field>_bidx``
INDEXED_FIELDS: Final = ("email", "customer_number")
#: the subject columns ``flags_sha256`` covers (the chain's digest of the stop flags)
FLAG_COLUMNS: Final = ("id", "stop_use", "stop_provision", "flags_updated_at")
#: the one 404 message for a subject that is unknown or not visible to the caller
SUBJECT_NOT_FOUND: Final = "subject not found"
#: bounds of a listing page (offsets beyond them are refused, not sent to the database)
MAX_LIMIT: Final = 1000
MAX_OFFSET: Final = 1_000_000_000
REFERENCE_MAX_LENGTH: Final = 100


def _context(subject_id: str, field: str) -> str:
    return f"subjects.{field}:{subject_id}"


def _encrypt_into(row: Subject, values: SubjectIdentifiers, cipher: FieldCipher) -> None:
    kid = cipher.current_key_id  # one key for the whole row, even if the keyring reloads
    for field in ENCRYPTED_FIELDS:
        value = getattr(values, field)
        context = _context(row.id, field)
        enc = None if value is None else cipher.encrypt(value, context=context, key_id=kid)
        setattr(row, f"{field}_enc", enc)
        if field in INDEXED_FIELDS:
            bidx = None if value is None else cipher.blind_index(field=field, value=value)
            setattr(row, f"{field}_bidx", bidx)
    row.key_id = kid


def _decrypt(row: Subject, cipher: FieldCipher) -> SubjectIdentifiers:
    values: dict[str, str | None] = {}
    for field in ENCRYPTED_FIELDS:
        stored = getattr(row, f"{field}_enc")
        values[field] = (
            None if stored is None else cipher.decrypt(stored, context=_context(row.id, field))
        )
    return SubjectIdentifiers(**values)


def _out(row: Subject, cipher: FieldCipher | None = None) -> SubjectOut:
    return SubjectOut(
        id=row.id,
        category=row.category,
        created_at=row.created_at,
        stop_use=row.stop_use,
        stop_provision=row.stop_provision,
        flags_updated_at=row.flags_updated_at,
        identifiers=None if cipher is None else _decrypt(row, cipher),
    )


def flags_digest(row: Subject) -> str:
    """The digest the chain holds for a subject's stop flags (``flags_sha256``), computed from
    the row's values as stored (call after the flush)."""
    return row_digest({name: getattr(row, name) for name in FLAG_COLUMNS}, FLAG_COLUMNS)


def reference_digest(change: SubjectChange) -> str:
    """The digest the chain holds for a change's reference (``reference_sha256``): of the
    change row's id and reference, so a short reference cannot be guessed back from it."""
    return row_digest({"id": change.id, "reference": change.reference}, ("id", "reference"))


def _record_change(
    session: Session,
    row: Subject,
    *,
    action: str,
    actor: str,
    details: dict[str, Any],
    reference: str | None,
    now: datetime,
    flags: bool = False,
) -> None:
    """Keep the change (with its reference) in ``subject_changes`` and chain it by digest."""
    change = SubjectChange(
        id=uuid.uuid4().hex,
        subject_id=row.id,
        action=action,
        stop_use=details.get("stop_use"),
        stop_provision=details.get("stop_provision"),
        reference=reference,
        changed_at=now,
        changed_by=actor,
    )
    session.add(change)
    session.flush()
    chained = {**details, "change_id": change.id}
    if reference is not None:
        chained["reference_sha256"] = reference_digest(change)
    if flags:
        chained["flags_sha256"] = flags_digest(row)
    append_entry(
        session=session,
        actor=actor,
        action=action,
        object_type="subject",
        object_id=row.id,
        details=chained,
    )


def create_subject(
    *,
    session: Session,
    cipher: FieldCipher,
    subject_in: SubjectCreate,
    policy: PolicyFacts,
    actor: str,
    scope: SubjectScope | None = None,
) -> SubjectOut:
    """Store a new subject with its identifiers encrypted; the audit entry holds the id, the
    category (which the policy must declare), the key id and the flags' digest.

    With `scope`, the caller may create only subjects it will see (R-MN-9).
    """
    declared_category(policy, subject_in.category)
    if scope is not None:
        scope.require(subject_in.category)
    row = Subject(
        id=uuid.uuid4().hex,
        category=subject_in.category,
        created_at=utcnow(),
        stop_use=False,
        stop_provision=False,
        flags_updated_at=None,
    )
    _encrypt_into(row, subject_in, cipher)
    session.add(row)
    session.flush()
    append_entry(
        session=session,
        actor=actor,
        action="subject.created",
        object_type="subject",
        object_id=row.id,
        details={
            "category": row.category,
            "key_id": row.key_id,
            "flags_sha256": flags_digest(row),
        },
    )
    return _out(row)


def _load(session: Session, subject_id: str, scope: SubjectScope | None = None) -> Subject:
    """The subject `subject_id`; an unknown, malformed or (for `scope`) invisible id is
    answered alike, without the id."""
    row = session.get(Subject, subject_id) if is_row_id(subject_id) else None
    if row is None or (scope is not None and not scope.sees(row.category)):
        raise NotFoundError(SUBJECT_NOT_FOUND)
    return row


def visible_subject(*, session: Session, subject_id: str, scope: SubjectScope | None) -> Subject:
    """The subject row, if it exists and `scope` sees it; else NotFoundError ("subject not
    found"), the same for both cases. For services that record about a subject."""
    return _load(session, subject_id, scope)


def get_subject(
    *,
    session: Session,
    subject_id: str,
    cipher: FieldCipher | None = None,
    actor: str | None = None,
    scope: SubjectScope | None = None,
) -> SubjectOut:
    """The subject `subject_id`; its identifiers are decrypted only when `cipher` is given.

    With `actor` as well, the reveal is recorded in the audit chain (``subject.revealed``, with
    the names of the fields that held a value, never the values), so call it in a write unit of
    work then.
    """
    row = _load(session, subject_id, scope)
    out = _out(row, cipher)
    if cipher is not None and actor is not None:
        revealed = sorted(f for f in ENCRYPTED_FIELDS if getattr(row, f"{f}_enc") is not None)
        append_entry(
            session=session,
            actor=actor,
            action="subject.revealed",
            object_type="subject",
            object_id=row.id,
            details={"fields": revealed},
        )
    return out


def find_subject(
    *,
    session: Session,
    cipher: FieldCipher,
    email: str | None = None,
    customer_number: str | None = None,
    scope: SubjectScope | None = None,
) -> list[SubjectOut]:
    """Subjects whose e-mail or customer number matches (case and width insensitive).

    The lookup compares blind indexes: the table is not decrypted. Identifiers are not returned.
    With `scope`, subjects it does not see are left out in the query itself, so the answer is
    the same whether or not such a subject matches.
    """
    if email is None and customer_number is None:
        raise InputError("give an email or a customer_number to find a subject", field="email")
    conditions = []
    if email is not None:
        conditions.append(Subject.email_bidx == cipher.blind_index(field="email", value=email))
    if customer_number is not None:
        bidx = cipher.blind_index(field="customer_number", value=customer_number)
        conditions.append(Subject.customer_number_bidx == bidx)
    query = select(Subject).where(or_(*conditions))
    if scope is not None:
        query = query.where(scope.condition())
    rows = session.execute(query.order_by(Subject.created_at, Subject.id)).scalars()
    return [_out(row) for row in rows]


def list_subjects(
    *,
    session: Session,
    category: str | None = None,
    limit: int = 100,
    offset: int = 0,
    scope: SubjectScope | None = None,
) -> list[SubjectOut]:
    """Subjects, oldest first, optionally of one category (identifiers never included).

    With `scope`, only the subjects it sees; a category filter it may not see is refused
    (PermissionDeniedError, decided by the category alone, so the refusal says nothing about
    which subjects exist).
    """
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_OFFSET:
        raise InputError(
            f"limit must be 1 to {MAX_LIMIT} and offset 0 to {MAX_OFFSET}", field="limit"
        )
    query = select(Subject).order_by(Subject.created_at, Subject.id).limit(limit).offset(offset)
    if category is not None:
        if scope is not None:
            scope.require(category)
        query = query.where(Subject.category == category)
    if scope is not None:
        query = query.where(scope.condition())
    return [_out(row) for row in session.execute(query).scalars()]


def set_flags(
    *,
    session: Session,
    subject_id: str,
    flags: FlagsUpdate,
    actor: str,
    scope: SubjectScope | None = None,
) -> SubjectOut:
    """Set or clear stop-use / stop-provision (APPI Art. 35).

    A change is kept in ``subject_changes`` (with its reference) and chained as
    ``subject.flags_set`` with the flags set, the change id, ``flags_sha256`` and the
    reference's digest.
    """
    row = _load(session, subject_id, scope)
    changed: dict[str, Any] = {}
    if flags.stop_use is not None and flags.stop_use != row.stop_use:
        row.stop_use = changed["stop_use"] = flags.stop_use
    if flags.stop_provision is not None and flags.stop_provision != row.stop_provision:
        row.stop_provision = changed["stop_provision"] = flags.stop_provision
    if changed:
        now = row.flags_updated_at = utcnow()
        _record_change(
            session,
            row,
            action="subject.flags_set",
            actor=actor,
            details=changed,
            reference=flags.reference,
            now=now,
            flags=True,
        )
    return _out(row)


def update_identifiers(
    *,
    session: Session,
    cipher: FieldCipher,
    subject_id: str,
    changes: SubjectIdentifiers,
    actor: str,
    reference: str | None = None,
    scope: SubjectScope | None = None,
) -> SubjectOut:
    """Correct identifiers (APPI Art. 34): the fields set in `changes` replace the stored ones
    (an explicit None clears one). Audited with the names of the fields changed, not values;
    the reference is kept in ``subject_changes`` and chained by digest."""
    row = _load(session, subject_id, scope)
    current = _decrypt(row, cipher)
    updated = current.model_copy(update={f: getattr(changes, f) for f in changes.model_fields_set})
    changed = sorted(f for f in ENCRYPTED_FIELDS if getattr(updated, f) != getattr(current, f))
    if changed:
        _encrypt_into(row, updated, cipher)
        _record_change(
            session,
            row,
            action="subject.corrected",
            actor=actor,
            details={"fields": changed},
            reference=_checked_reference(reference),
            now=utcnow(),
        )
    return _out(row)


def erase_identifiers(
    *,
    session: Session,
    subject_id: str,
    actor: str,
    reference: str | None = None,
    scope: SubjectScope | None = None,
) -> SubjectOut:
    """Erase every identifier and blind index of a subject (deletion, APPI Art. 35).

    The id, category and flags stay, so consents, decisions and provision records that refer
    to the id keep their meaning and stop flags keep being honoured. The reference is kept in
    ``subject_changes`` and chained by digest.
    """
    row = _load(session, subject_id, scope)
    for field in ENCRYPTED_FIELDS:
        setattr(row, f"{field}_enc", None)
    for field in INDEXED_FIELDS:
        setattr(row, f"{field}_bidx", None)
    _record_change(
        session,
        row,
        action="subject.erased",
        actor=actor,
        details={},
        reference=_checked_reference(reference),
        now=utcnow(),
    )
    return _out(row)


def _checked_reference(reference: str | None) -> str | None:
    """`reference` when it fits ``subject_changes.reference``; InputError otherwise."""
    if reference is None:
        return None
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise InputError(f"must be at most {REFERENCE_MAX_LENGTH} characters", field="reference")
    try:
        return storable(reference)
    except ValueError as exc:
        raise InputError(str(exc), field="reference") from None


def reencrypt_subjects(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` subjects not yet under the current key; returns how many.

    Call repeatedly (one transaction each) until it returns 0; old keys must stay in the
    keyring until then. Blind indexes do not change (the index key is not rotated).
    """
    rows = session.execute(
        select(Subject)
        .where(Subject.key_id != cipher.current_key_id)
        .order_by(Subject.id)
        .limit(limit)
    ).scalars()
    count = 0
    for row in rows:
        _encrypt_into(row, _decrypt(row, cipher), cipher)
        count += 1
    session.flush()
    return count


def count_stale_subjects(*, session: Session, cipher: FieldCipher) -> int:
    """How many subjects are still encrypted under an older key."""
    query = select(func.count()).select_from(Subject).where(Subject.key_id != cipher.current_key_id)
    return int(session.execute(query).scalar_one())
