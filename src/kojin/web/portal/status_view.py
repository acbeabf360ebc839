"""What the status page shows about a request: the steps (done, current, to come), what is
awaited from the person, the fee and how to pay it, and the result with its reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from kojin.policy.model_base import Lang
from kojin.web.portal.common import RIGHTS_KINDS, ContactShown, contact_shown

if TYPE_CHECKING:
    from kojin.policy.model import Policy
    from kojin.requests.schemas import RequestStatus

Mark = Literal["done", "current", "upcoming"]

#: the step each open state stands at ("result" for every closed state)
_CURRENT: dict[str, str] = {
    "email_unverified": "email",
    "awaiting_documents": "identity",
    "awaiting_fee": "fee",
    "in_review": "review",
}
_CLOSED_RESULT: frozenset[str] = frozenset(
    {"completed", "partly_completed", "refused", "withdrawn"}
)


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    mark: Mark


def steps(kind: str, state: str, *, has_fee: bool) -> list[Step]:
    """The steps of a request of `kind` and where `state` stands among them: the identity check
    for the rights requests, the fee when one is due."""
    rights = kind in RIGHTS_KINDS
    keys = ["submitted", "email"]
    if rights:
        keys.append("identity")
    if has_fee:
        keys.append("fee")
    keys += ["review", "result"]
    if state == "received":
        current = "identity" if rights else "review"
    elif state in _CLOSED_RESULT:
        current = "result"
    else:
        current = _CURRENT.get(state, "review")
    if current not in keys:
        current = "review"
    at = keys.index(current)
    marks: list[Mark] = [
        "done" if i < at else "current" if i == at else "upcoming" for i in range(len(keys))
    ]
    return [Step(key, mark) for key, mark in zip(keys, marks, strict=True)]


@dataclass(frozen=True, slots=True)
class StatusShown:
    """A :class:`~kojin.requests.schemas.RequestStatus` ready for the template."""

    kind: str
    state: str
    #: a stop request's ground of Art. 35 and the incident it names, or None
    stop_ground: str | None
    incident_reference: str | None
    steps: list[Step]
    awaiting: list[str]
    submitted_at: object
    received_at: object
    due_on: date | None
    fee_amount: str | None
    fee_recorded: bool
    outcome: str | None
    refusal_ground_text: str | None
    refusal_text: str | None
    has_package: bool
    has_refusal_notice: bool
    can_upload: bool
    closed: bool
    contact: ContactShown | None


def ground_text(policy: Policy, ground: str | None, lang: Lang) -> str | None:
    """The policy's words for a refusal ground (``inquiries.refusal_grounds``)."""
    if ground is None:
        return None
    sections = [policy.general.inquiries]
    if policy.specific_personal is not None:
        sections.append(policy.specific_personal.inquiries)
    for inquiries in sections:
        for clause in inquiries.refusal_grounds:
            if clause.ground.value == ground:
                return clause.text.get(lang)
    return None


def status_shown(status: RequestStatus, policy: Policy, lang: Lang) -> StatusShown:
    kind, state = status.kind.value, status.state.value
    ground = None if status.refusal_ground is None else status.refusal_ground.value
    return StatusShown(
        kind=kind,
        state=state,
        stop_ground=None if status.stop_ground is None else status.stop_ground.value,
        incident_reference=status.incident_reference,
        steps=steps(kind, state, has_fee=status.fee_yen is not None),
        awaiting=[item.value for item in status.awaiting],
        submitted_at=status.submitted_at,
        received_at=status.received_at,
        due_on=status.due_on,
        fee_amount=None if status.fee_yen is None else f"{status.fee_yen:,}",
        fee_recorded=status.fee_recorded,
        outcome=status.outcome,
        refusal_ground_text=ground_text(policy, ground, lang),
        refusal_text=status.refusal_text,
        has_package=status.has_package,
        has_refusal_notice=status.has_refusal_notice,
        can_upload=status.can_upload,
        closed=state in _CLOSED_RESULT,
        contact=contact_shown(policy, lang),
    )
