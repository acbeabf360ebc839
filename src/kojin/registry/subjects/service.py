"""Subject services: create, read, find by blind index, list, set flags, re-encrypt."""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError, NotFoundError
from kojin.registry.subjects.models import Subject
from kojin.registry.subjects.schemas import (
    FlagsUpdate,
    SubjectCreate,
    SubjectIdentifiers,
    SubjectOut,
)

#: identifier fields, each stored encrypted in ``<field>_enc``
ENCRYPTED_FIELDS: Final = ("name", "email", "customer_number", "phone", "address")
#: identifier fields that also get a blind index ``<field>_bidx``
INDEXED_FIELDS: Final = ("email", "customer_number")


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


def create_subject(
    *, session: Session, cipher: FieldCipher, subject_in: SubjectCreate, actor: str
) -> SubjectOut:
    """Store a new subject with its identifiers encrypted; the audit entry holds the id only."""
    row = Subject(
        id=uuid.uuid4().hex,
        category=subject_in.category,
        created_at=utcnow(),
        stop_use=False,
        stop_provision=False,
    )
    _encrypt_into(row, subject_in, cipher)
    session.add(row)
    append_entry(
        session=session,
        actor=actor,
        action="subject.created",
        object_type="subject",
        object_id=row.id,
        details={"category": row.category, "key_id": row.key_id},
    )
    return _out(row)


def _load(session: Session, subject_id: str) -> Subject:
    row = session.get(Subject, subject_id)
    if row is None:
        raise NotFoundError(f"subject {subject_id} does not exist")
    return row


def get_subject(
    *,
    session: Session,
    subject_id: str,
    cipher: FieldCipher | None = None,
    actor: str | None = None,
) -> SubjectOut:
    """The subject `subject_id`; its identifiers are decrypted only when `cipher` is given.

    With `actor` as well, the reveal is recorded in the audit chain (``subject.revealed``), so
    call it in a write unit of work then.
    """
    row = _load(session, subject_id)
    out = _out(row, cipher)
    if cipher is not None and actor is not None:
        append_entry(
            session=session,
            actor=actor,
            action="subject.revealed",
            object_type="subject",
            object_id=row.id,
        )
    return out


def find_subject(
    *,
    session: Session,
    cipher: FieldCipher,
    email: str | None = None,
    customer_number: str | None = None,
) -> list[SubjectOut]:
    """Subjects whose e-mail or customer number matches (case and width insensitive).

    The lookup compares blind indexes: the table is not decrypted. Identifiers are not returned.
    """
    if email is None and customer_number is None:
        raise InputError("give an email or a customer_number to find a subject", field="email")
    conditions = []
    if email is not None:
        conditions.append(Subject.email_bidx == cipher.blind_index(field="email", value=email))
    if customer_number is not None:
        bidx = cipher.blind_index(field="customer_number", value=customer_number)
        conditions.append(Subject.customer_number_bidx == bidx)
    rows = session.execute(
        select(Subject).where(or_(*conditions)).order_by(Subject.created_at, Subject.id)
    ).scalars()
    return [_out(row) for row in rows]


def list_subjects(
    *, session: Session, category: str | None = None, limit: int = 100, offset: int = 0
) -> list[SubjectOut]:
    """Subjects, oldest first, optionally of one category (identifiers never included)."""
    if limit < 1 or offset < 0:
        raise InputError("limit must be positive and offset not negative", field="limit")
    query = select(Subject).order_by(Subject.created_at, Subject.id).limit(limit).offset(offset)
    if category is not None:
        query = query.where(Subject.category == category)
    return [_out(row) for row in session.execute(query).scalars()]


def set_flags(*, session: Session, subject_id: str, flags: FlagsUpdate, actor: str) -> SubjectOut:
    """Set or clear stop-use / stop-provision (APPI Art. 35); the change is audited."""
    row = _load(session, subject_id)
    changed: dict[str, bool] = {}
    if flags.stop_use is not None and flags.stop_use != row.stop_use:
        row.stop_use = changed["stop_use"] = flags.stop_use
    if flags.stop_provision is not None and flags.stop_provision != row.stop_provision:
        row.stop_provision = changed["stop_provision"] = flags.stop_provision
    if changed:
        row.flags_updated_at = utcnow()
        append_entry(
            session=session,
            actor=actor,
            action="subject.flags_set",
            object_type="subject",
            object_id=row.id,
            details=changed,
            reference=flags.reference,
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
) -> SubjectOut:
    """Correct identifiers (APPI Art. 34): the fields set in `changes` replace the stored ones
    (an explicit None clears one). Audited with the names of the fields changed, not values."""
    row = _load(session, subject_id)
    current = _decrypt(row, cipher)
    updated = current.model_copy(update={f: getattr(changes, f) for f in changes.model_fields_set})
    changed = sorted(f for f in ENCRYPTED_FIELDS if getattr(updated, f) != getattr(current, f))
    if changed:
        _encrypt_into(row, updated, cipher)
        append_entry(
            session=session,
            actor=actor,
            action="subject.corrected",
            object_type="subject",
            object_id=row.id,
            details={"fields": changed},
            reference=reference,
        )
    return _out(row)


def erase_identifiers(
    *, session: Session, subject_id: str, actor: str, reference: str | None = None
) -> SubjectOut:
    """Erase every identifier and blind index of a subject (deletion, APPI Art. 35).

    The id, category and flags stay, so consents, decisions and provision records that refer
    to the id keep their meaning and stop flags keep being honoured.
    """
    row = _load(session, subject_id)
    for field in ENCRYPTED_FIELDS:
        setattr(row, f"{field}_enc", None)
    for field in INDEXED_FIELDS:
        setattr(row, f"{field}_bidx", None)
    append_entry(
        session=session,
        actor=actor,
        action="subject.erased",
        object_type="subject",
        object_id=row.id,
        reference=reference,
    )
    return _out(row)


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
