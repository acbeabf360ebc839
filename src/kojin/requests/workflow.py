"""Staff actions on a request: the state machine plus what each step does in the registry.

Every step is kept in the request's history and chained as ``request.<action>`` with ids,
the kind, the states and digests of what staff typed; then the person is mailed, in their
language, that the request moved. Approving a cessation of use or of provision sets the
subject's stop flags, which every later decision reads (Art. 35; R-RT-6); approving an erasure
sets both and erases the subject's identifiers in the registry (erasure in the company's own
databases is the fulfilment's job).

Staff may set or change the ground of Art. 35 and the incident a stop request names (a request
made by post or telephone: :attr:`StaffAction.SET_STOP_GROUND`, in any open state, chained with
the ground's value and the reference, neither personal data; no mail). Refusing a stop request
that rests on a ground of Art. 35(5) needs the special circumstances that outweigh the person's
interest (R-RT-6): they are added to the reasons the person reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError
from kojin.law.policy_facts import PolicyFacts
from kojin.policy.model import Policy
from kojin.registry.subjects.schemas import FlagsUpdate
from kojin.registry.subjects.scope import SubjectScope
from kojin.registry.subjects.service import erase_identifiers, set_flags, visible_subject
from kojin.requests import records
from kojin.requests.clock import tokyo_date
from kojin.requests.grounds import (
    GroundMismatchError,
    needs_special_circumstances,
    settled_ground,
    special_circumstances_paragraph,
    stop_ground_of,
)
from kojin.requests.kinds import STOP_KINDS, RequestKind
from kojin.requests.mails import send_moved
from kojin.requests.models import DataRequest
from kojin.requests.queue import detail_of
from kojin.requests.records import get, put
from kojin.requests.schemas import ActionIn, RequestDetail
from kojin.requests.states import (
    CLOSED_STATES,
    IN_PLACE,
    IllegalTransition,
    RequestState,
    StaffAction,
    next_state,
)
from kojin.settings import Settings

#: kinds whose approval needs the registry subject: the flags or identifiers to change, or the
#: data to disclose
SUBJECT_KINDS: Final = frozenset(
    {
        RequestKind.STOP_USE,
        RequestKind.STOP_PROVISION,
        RequestKind.ERASURE,
        RequestKind.DISCLOSURE,
        RequestKind.PURPOSE_NOTIFICATION,
    }
)
#: kinds whose partial fulfilment still discloses something (needs the subject too)
PARTLY_SUBJECT_KINDS: Final = frozenset({RequestKind.DISCLOSURE, RequestKind.PURPOSE_NOTIFICATION})


def _required(value: str | None, field: str) -> str:
    if value is None:
        raise InputError("is required for this action", field=field)
    return value


def _subject(
    session: Session,
    row: DataRequest,
    action: ActionIn,
    kind: RequestKind,
    scope: SubjectScope | None,
) -> str | None:
    """The subject the action is about: the one given, or the one linked before; checked to
    exist and, with `scope`, to be one the caller may see (NotFoundError "subject not found"
    alike). A request linked before to a subject out of `scope` cannot be moved or relinked by
    this caller (R-MN-9). Required where the approval acts on it."""
    if row.subject_id is not None and scope is not None:
        visible_subject(session=session, subject_id=row.subject_id, scope=scope)
    subject_id = action.subject_id or row.subject_id
    needed = (action.action is StaffAction.APPROVE and kind in SUBJECT_KINDS) or (
        action.action is StaffAction.FULFIL_PARTLY and kind in PARTLY_SUBJECT_KINDS
    )
    if subject_id is None:
        if needed:
            raise InputError("choose the registry subject the request is about", field="subject_id")
        return None
    return visible_subject(session=session, subject_id=subject_id, scope=scope).id


def _apply_to_registry(
    session: Session,
    row: DataRequest,
    kind: RequestKind,
    subject_id: str,
    actor: str,
    scope: SubjectScope | None,
) -> list[str]:
    """Carry out an approval in the registry; the names of what was done."""
    stop_use = kind in (RequestKind.STOP_USE, RequestKind.ERASURE)
    stop_provision = kind in (RequestKind.STOP_PROVISION, RequestKind.ERASURE)
    done: list[str] = []
    if stop_use or stop_provision:
        flags = FlagsUpdate(
            stop_use=True if stop_use else None,
            stop_provision=True if stop_provision else None,
            reference=row.id,
        )
        set_flags(session=session, subject_id=subject_id, flags=flags, actor=actor, scope=scope)
        done += [
            name for name, on in (("stop_use", stop_use), ("stop_provision", stop_provision)) if on
        ]
    if kind is RequestKind.ERASURE:
        erase_identifiers(
            session=session, subject_id=subject_id, actor=actor, reference=row.id, scope=scope
        )
        done.append("identifiers_erased")
    return done


def _set_stop_ground(row: DataRequest, action: ActionIn) -> dict[str, Any]:
    """Store the ground and the incident reference staff gave; the chain's details (the values
    before and after: neither is personal data)."""
    kind = RequestKind(row.kind)
    if kind not in STOP_KINDS:
        raise IllegalTransition(RequestState(row.state), action.action)
    ground = settled_ground(kind, action.stop_ground, action.incident_reference)
    if ground is None:
        raise InputError("choose the ground of Art. 35", field="stop_ground")
    details: dict[str, Any] = {
        "stop_ground": ground.value,
        "incident_reference": action.incident_reference,
        "previous_stop_ground": row.stop_ground,
        "previous_incident_reference": row.incident_reference,
    }
    row.stop_ground = ground.value
    row.incident_reference = action.incident_reference
    return details


def _refusal_reasons(row: DataRequest, action: ActionIn) -> tuple[str, dict[str, Any]]:
    """The reasons given to the person for a refusal, and the chain's details about them: a
    refusal on the merits of a request on a ground of Art. 35(5) needs the special circumstances,
    added to the reasons (a procedural refusal takes none)."""
    explanation = _required(action.explanation, "explanation")
    ground = stop_ground_of(row.stop_ground)
    if not needs_special_circumstances(RequestKind(row.kind), ground, action.refusal_ground):
        if action.special_circumstances is not None:
            raise GroundMismatchError(
                "applies only to a refusal on the merits of a request on a ground of Art. 35(5)",
                field="special_circumstances",
            )
        return explanation, {}
    assert ground is not None
    special = _required(action.special_circumstances, "special_circumstances")
    paragraph = special_circumstances_paragraph(special, records.lang_of(row))
    details = {
        "stop_ground": ground.value,
        "special_circumstances_sha256": records.text_digest(row.id, special),
    }
    return f"{explanation}\n\n{paragraph}", details


def _record_inputs(
    cipher: FieldCipher, row: DataRequest, action: ActionIn, policy: Policy
) -> dict[str, Any]:
    """Check and store what the action carries; the chain's details about it (digests)."""
    details: dict[str, Any] = {}
    if action.action is StaffAction.SET_STOP_GROUND:
        return _set_stop_ground(row, action)
    if action.action is StaffAction.RECORD_FEE:
        reference = _required(action.fee_reference, "fee_reference")
        put(cipher, row, "fee_reference", reference)
        details["fee_reference_sha256"] = records.text_digest(row.id, reference)
    if action.action is StaffAction.REFUSE:
        ground = action.refusal_ground
        listed = {clause.ground for clause in records.inquiries_for(policy, row).refusal_grounds}
        if ground is None or ground not in listed:
            raise InputError("choose one of the policy's refusal grounds", field="refusal_ground")
        explanation, special = _refusal_reasons(row, action)
        row.refusal_ground = ground.value
        put(cipher, row, "refusal_explanation", explanation)
        details["refusal_ground"] = ground.value
        details["explanation_sha256"] = records.text_digest(row.id, explanation)
        details.update(special)
    elif action.action is StaffAction.FULFIL_PARTLY:
        explanation = _required(action.explanation, "explanation")
        put(cipher, row, "outcome", explanation)
        details["explanation_sha256"] = records.text_digest(row.id, explanation)
    elif action.explanation is not None:  # a message to the person with any other step
        put(cipher, row, "outcome", action.explanation)
        details["explanation_sha256"] = records.text_digest(row.id, action.explanation)
    return details


def act(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    facts: PolicyFacts,
    request_id: str,
    action: ActionIn,
    actor: str,
    now: datetime | None = None,
    scope: SubjectScope | None = None,
) -> RequestDetail:
    """Move a request by a staff action and carry out what it means.

    IllegalTransition (a ConflictError) for a move the state machine does not allow; InputError
    naming the field when the action lacks what it needs: RECORD_FEE a fee reference, REFUSE one
    of the policy's refusal grounds and an explanation (Art. 36; R-RT-7) and, declining a stop
    request on a ground of Art. 35(5) on its merits, the special circumstances (R-RT-6; given
    with any other refusal they are a GroundMismatchError), FULFIL_PARTLY an
    explanation, APPROVE of stop use / stop provision / erasure / disclosure / purpose
    notification the registry subject (unless linked before), SET_STOP_GROUND a ground (or an
    incident reference, which implies the reportable breach). SET_STOP_GROUND is refused
    (IllegalTransition) for a request that is not a stop request or is closed, and mails no one.

    With `scope` (the staff member's role), the subject given or linked before must be one the
    role may see: a staff member who is not a My Number handler cannot link, flag, erase or
    disclose a My Number subject, nor move a request linked to one (R-MN-9); it is answered as
    an unknown subject.
    """
    del facts  # part of the interface; the role's reach comes in as `scope`
    now = now or utcnow()
    row = records.load(session, request_id, for_update=True)
    state = RequestState(row.state)
    kind = RequestKind(row.kind)
    needs_identity, needs_fee = records.needs(row)
    target = next_state(state, action.action, needs_identity=needs_identity, needs_fee=needs_fee)
    subject_id = _subject(session, row, action, kind, scope)
    details = _record_inputs(cipher, row, action, policy)
    if subject_id is not None:
        row.subject_id = subject_id
        details["subject_id"] = subject_id
    if action.action is StaffAction.APPROVE and subject_id is not None:
        done = _apply_to_registry(session, row, kind, subject_id, actor, scope)
        if done:
            details["registry"] = done
    row.state = target.value
    if target in CLOSED_STATES:
        row.closed_at = now
    records.record_step(
        session=session,
        cipher=cipher,
        row=row,
        actor=actor,
        action=action.action.value,
        from_state=state,
        to_state=target,
        now=now,
        note=action.note,
        details=details,
    )
    email, reference = get(cipher, row, "email"), get(cipher, row, "reference")
    if email is not None and reference is not None and action.action not in IN_PLACE:
        send_moved(
            session=session,
            cipher=cipher,
            settings=settings,
            to=email,
            lang=records.lang_of(row),
            state=target,
            reference=reference,
            fee_yen=row.fee_yen,
            now=now,
        )
    return detail_of(session, cipher, policy, row, tokyo_date(now))
