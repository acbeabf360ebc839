"""Acquiring a number (MNA Arts. 15, 16, 20; R-MN-2..4, R-MN-6): who may register it, for which
affairs, with the purpose stated and the identity verified, through the decision engine.

The checks run before the number is even read, so an actor without the right to register
learns nothing about it; a number that is not valid is refused without being repeated. The
record keeps the route and the documents' types; the number is sealed under a fresh data key.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.mynumber_vocabulary import VerificationRoute
from kojin.law.vocabulary import Action
from kojin.mynumber.affairs import affairs_category, check_affairs
from kojin.mynumber.engine import decide_or_refuse
from kojin.mynumber.envelope import new_data_key, number_aad, seal
from kojin.mynumber.handlers import require_scope
from kojin.mynumber.models import ACTIVE, NumberRecord
from kojin.mynumber.numbers import normalize_number
from kojin.mynumber.records import day_in_japan, record_out
from kojin.mynumber.schemas import RegistrationIn, RegistrationOut
from kojin.mynumber.sealing import store_key
from kojin.mynumber.vault import Vault, VaultSessions
from kojin.mynumber.verification import check_verification
from kojin.registry.subjects.scope import SubjectScope
from kojin.registry.subjects.service import SUBJECT_NOT_FOUND, visible_subject

_INSERT_RECORD = insert(cast(Table, NumberRecord.__table__))
_TAKEN = select(NumberRecord.id).where(NumberRecord.active_subject == bindparam("subject"))
OUTSIDE_DESIGNATION = (
    "affairs: outside this handler's designation (R-MN-9); the values are not repeated here"
)


def register_number(
    *,
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    body: RegistrationIn,
    now: datetime | None = None,
) -> RegistrationOut:
    """Register the person's number for `body.affairs` and return the record, masked.

    In order: `actor` must be a designated handler whose designation covers every affair
    (PermissionDeniedError) and the person (else "subject not found", as for an unknown
    subject); the affairs must be purposes of the subject's specific-personal category; the
    purpose must have been stated and the identity verification be complete (InputError); the
    number must be valid (InputError, field ``number``, without the value); the person must
    have no active record (ConflictError). One ``acquire`` decision per affair is recorded; a
    denied one refuses the registration. Chained as ``mynumber.registered``.
    """
    moment = now or utcnow()
    scope = require_scope(vault=sessions.vault, actor=actor)
    check_affairs(vault.policy, body.affairs)
    if not all(affair in scope.affairs for affair in body.affairs):
        raise PermissionDeniedError(OUTSIDE_DESIGNATION)
    if not scope.covers(body.subject_id):
        raise NotFoundError(SUBJECT_NOT_FOUND)  # as for an unknown subject
    subject = visible_subject(
        session=sessions.registry,
        subject_id=body.subject_id,
        scope=SubjectScope.for_policy(vault.policy, mynumber_authority=True),
    )
    category = affairs_category(vault.policy, subject.category, body.affairs)
    if not body.purpose_stated:
        raise InputError(
            "the purpose of use must be stated to the person when the number is acquired "
            "(APPI Art. 21; R-MN-2)",
            field="purpose_stated",
        )
    if body.acquired_on > day_in_japan(moment):
        raise InputError("the acquisition cannot lie in the future", field="acquired_on")
    check_verification(body.route, body.document_types)
    number = normalize_number(body.number.get_secret_value())
    if sessions.vault.execute(_TAKEN, {"subject": subject.id}).first() is not None:
        raise ConflictError(
            "this person already has an active record: add affairs to it or dispose of it first"
        )
    verified = body.route is not VerificationRoute.FORMER_EMPLOYER
    decisions = [
        decide_or_refuse(
            vault=vault,
            sessions=sessions,
            actor=actor,
            request=DecisionRequest(
                action=Action.ACQUIRE,
                category=category.id,
                purpose=affair,
                subject_id=subject.id,
                identity_verified=verified,
                acquisition_method=body.acquisition_method,
            ),
            now=moment,
        )
        for affair in body.affairs
    ]
    record_id = uuid.uuid4().hex
    data_key = new_data_key()
    sealed = seal(data_key, number.encode("ascii"), aad=number_aad(record_id))
    values: dict[str, Any] = {
        "id": record_id,
        "subject_id": subject.id,
        "active_subject": subject.id,
        "category": category.id,
        "affairs": list(body.affairs),
        "status": ACTIVE,
        "route": body.route.value,
        "document_types": [d.value for d in body.document_types],
        "purpose_stated": True,
        "acquired_on": body.acquired_on,
        "registered_at": moment,
        "registered_by": actor,
        "number_ct": sealed.ciphertext,
        "nonce": sealed.nonce,
    }
    # Core statements: the record first, then its data key (which names it); no ORM flush
    sessions.vault.execute(_INSERT_RECORD, values)
    store_key(vault, sessions.vault, record_id, data_key)
    row = NumberRecord(**values)  # for the answer only; not added to the session
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.registered",
        object_type="mynumber_record",
        object_id=record_id,
        details={
            "subject_id": subject.id,
            "category": category.id,
            "affairs": row.affairs,
            "route": row.route,
            "document_types": row.document_types,
            "acquired_on": row.acquired_on.isoformat(),
            "decision_ids": [d.id for d in decisions],
        },
        now=moment,
    )
    return RegistrationOut(record=record_out(row), decision_ids=[d.id for d in decisions])
