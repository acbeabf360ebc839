"""Using and providing a number (MNA Arts. 9, 19; R-MN-1, R-MN-5, R-MN-9).

A reveal is a use: a designated handler, for an affair of the record within the designation,
after an allowed ``use`` decision, with a reason. The audit entry (who, which record and
person, which affair, the decision, the reason's digest) is written in the same transaction
as the decision, so the number leaves the vault only once both are committed; an interface
returns it after its unit of work has ended. A provision records a ``provide`` decision
(recipient, MNA Art. 19 item) and its audit entry and never returns the number: the person in
charge hands it over by the means the affair uses.
"""

from __future__ import annotations

from datetime import datetime

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import PermissionDeniedError
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.vocabulary import Action, LegalException
from kojin.mynumber.engine import decide_or_refuse
from kojin.mynumber.handlers import HandlerScope, require_scope, text_sha256
from kojin.mynumber.models import NumberRecord
from kojin.mynumber.records import load_record, require_active
from kojin.mynumber.schemas import ProvisionIn, ProvisionOut, RevealOut
from kojin.mynumber.sealing import open_number
from kojin.mynumber.vault import Vault, VaultSessions

AFFAIR_OUTSIDE = (
    "affair: not an affair of this record within this handler's designation (R-MN-1, R-MN-9); "
    "the value is not repeated here"
)


def _record_for(
    sessions: VaultSessions, actor: str, record_id: str, affair: str
) -> tuple[HandlerScope, NumberRecord]:
    scope = require_scope(vault=sessions.vault, actor=actor)
    row = load_record(sessions.vault, record_id, scope)
    require_active(row)
    if affair not in row.affairs or not scope.allows(affair=affair, subject_id=row.subject_id):
        raise PermissionDeniedError(AFFAIR_OUTSIDE)
    return scope, row


def reveal_number(
    *,
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    record_id: str,
    affair: str,
    reason: str,
    now: datetime | None = None,
) -> RevealOut:
    """The record's number, for `affair`, to its designated handler `actor`.

    Not designated: PermissionDeniedError; a record outside the designation: "record not
    found"; an affair not of the record or the designation: PermissionDeniedError; a disposed
    record: ConflictError; a denied ``use`` decision: DecisionRefusedError (recorded). Chained as
    ``mynumber.revealed`` with the reason's SHA-256, never the number.
    """
    moment = now or utcnow()
    _, row = _record_for(sessions, actor, record_id, affair)
    recorded = decide_or_refuse(
        vault=vault,
        sessions=sessions,
        actor=actor,
        request=DecisionRequest(
            action=Action.USE, category=row.category, purpose=affair, subject_id=row.subject_id
        ),
        now=moment,
    )
    number = open_number(vault, sessions.vault, row)
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.revealed",
        object_type="mynumber_record",
        object_id=row.id,
        details={
            "subject_id": row.subject_id,
            "affair": affair,
            "decision_id": recorded.id,
            "reason_sha256": text_sha256(reason),
        },
        now=moment,
    )
    return RevealOut(
        record_id=row.id,
        subject_id=row.subject_id,
        affair=affair,
        number=number,
        decision_id=recorded.id,
    )


def provide_number(
    *,
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    record_id: str,
    body: ProvisionIn,
    now: datetime | None = None,
) -> ProvisionOut:
    """Record the provision of the record's number to `body.recipient` for `body.affair`.

    The same designation checks as :func:`reveal_number`; the ``provide`` decision invokes
    MNA Art. 19 with `body.mna_19_item` when one is given (an entrustee or successor needs
    none); a group company is a third party. A denied decision refuses (and stays recorded).
    Chained as ``mynumber.provided``: the item, the recipient's relation, country and the
    digests of its name and of the reason.
    """
    moment = now or utcnow()
    _, row = _record_for(sessions, actor, record_id, body.affair)
    item = body.mna_19_item
    recorded = decide_or_refuse(
        vault=vault,
        sessions=sessions,
        actor=actor,
        request=DecisionRequest(
            action=Action.PROVIDE,
            category=row.category,
            purpose=body.affair,
            subject_id=row.subject_id,
            recipient=body.recipient,
            exception=None if item is None else LegalException.MNA_19,
            mna_19_item=item,
            consent_difficult=body.consent_difficult,
        ),
        now=moment,
    )
    recipient = body.recipient
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.provided",
        object_type="mynumber_record",
        object_id=row.id,
        details={
            "subject_id": row.subject_id,
            "affair": body.affair,
            "decision_id": recorded.id,
            "mna_19_item": None if item is None else item.value,
            "relation": recipient.relation.value,
            "country": recipient.country,
            "group_company": recipient.group_company,
            "recipient_sha256": None if recipient.name is None else text_sha256(recipient.name),
            "reason_sha256": text_sha256(body.reason),
        },
        now=moment,
    )
    decision = recorded.decision
    return ProvisionOut(
        record_id=row.id,
        subject_id=row.subject_id,
        affair=body.affair,
        decision_id=recorded.id,
        basis=decision.basis,
        citations=list(decision.citations),
    )
