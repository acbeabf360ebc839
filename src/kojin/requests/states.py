"""The life of a request as a state machine: one table of what may follow what, nothing else.

Pure: no database, no clock. Staff move a request with :class:`StaffAction`; the person moves it
twice, by entering the e-mail code (:attr:`RequesterEvent.EMAIL_VERIFIED`) and by adding the
documents staff asked for (:attr:`RequesterEvent.DOCUMENTS_ADDED`). Whatever the table does not
list raises :class:`IllegalTransition`, so no state can be skipped: identity is checked before
the fee, the fee is recorded before review, review comes before the outcome.

A few staff actions change what a request carries, not where it stands (:data:`IN_PLACE`):
they are allowed in every open state after arrival and leave the state as it is (like every
staff action, not before the e-mail is confirmed).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from kojin.errors import ConflictError


class RequestState(StrEnum):
    """Where a request stands."""

    #: submitted; the person has not yet entered the code mailed to them
    EMAIL_UNVERIFIED = "email_unverified"
    #: arrived (the e-mail is verified); the clock runs from here
    RECEIVED = "received"
    #: staff asked for another identity or authority document
    AWAITING_DOCUMENTS = "awaiting_documents"
    #: identity verified; the fee is not yet paid (purpose notification, disclosure)
    AWAITING_FEE = "awaiting_fee"
    #: staff are working on it
    IN_REVIEW = "in_review"
    COMPLETED = "completed"
    #: done in part, or by an alternative measure, with the reasons (Art. 36; R-RT-7)
    PARTLY_COMPLETED = "partly_completed"
    #: refused on one of the policy's grounds, with the reasons (Art. 36; R-RT-7)
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATES: Final[frozenset[RequestState]] = frozenset(
    {
        RequestState.EMAIL_UNVERIFIED,
        RequestState.RECEIVED,
        RequestState.AWAITING_DOCUMENTS,
        RequestState.AWAITING_FEE,
        RequestState.IN_REVIEW,
    }
)
CLOSED_STATES: Final[frozenset[RequestState]] = frozenset(RequestState) - OPEN_STATES


class StaffAction(StrEnum):
    """What staff may do to a request."""

    VERIFY_IDENTITY = "verify_identity"
    REJECT_IDENTITY = "reject_identity"
    RECORD_FEE = "record_fee"
    START_REVIEW = "start_review"
    APPROVE = "approve"
    FULFIL_PARTLY = "fulfil_partly"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    #: set or change the ground of Art. 35 and the incident a stop request names (a request
    #: made by post or telephone; R-RT-6, R-BR-8): the state does not change
    SET_STOP_GROUND = "set_stop_ground"


class RequesterEvent(StrEnum):
    """What the person does that moves their request."""

    EMAIL_VERIFIED = "email_verified"
    DOCUMENTS_ADDED = "documents_added"
    #: the person (through their authorized agent) withdraws a request that never arrived
    WITHDRAWN = "withdrawn"


class IllegalTransition(ConflictError):  # noqa: N818 - the contract's name
    """The action is not allowed in the request's state (or for its kind)."""

    def __init__(self, state: RequestState, action: StaffAction | RequesterEvent) -> None:
        super().__init__(f"action {action.value} is not allowed in state {state.value}")
        self.state = state
        self.action = action


#: actions that leave the state as it is, allowed in every open state after arrival
IN_PLACE: Final[frozenset[StaffAction]] = frozenset({StaffAction.SET_STOP_GROUND})
#: in-place actions only stop requests carry (the caller says whether the request is one)
STOP_ONLY: Final[frozenset[StaffAction]] = frozenset({StaffAction.SET_STOP_GROUND})

#: a row of the table that holds whether or not the request needs identity documents
_ANY: Final = None
_S, _A = RequestState, StaffAction

#: (state, action) -> (needs_identity condition or None for any, target); a target of
#: AWAITING_FEE means "AWAITING_FEE when a fee is due, else IN_REVIEW"
_TABLE: Final[Mapping[tuple[RequestState, StaffAction], tuple[bool | None, RequestState]]] = (
    MappingProxyType(
        {
            (_S.RECEIVED, _A.VERIFY_IDENTITY): (True, _S.AWAITING_FEE),
            (_S.RECEIVED, _A.REJECT_IDENTITY): (True, _S.AWAITING_DOCUMENTS),
            (_S.RECEIVED, _A.START_REVIEW): (False, _S.AWAITING_FEE),
            (_S.AWAITING_FEE, _A.RECORD_FEE): (_ANY, _S.IN_REVIEW),
            (_S.IN_REVIEW, _A.APPROVE): (_ANY, _S.COMPLETED),
            (_S.IN_REVIEW, _A.FULFIL_PARTLY): (_ANY, _S.PARTLY_COMPLETED),
            (_S.IN_REVIEW, _A.REFUSE): (_ANY, _S.REFUSED),
            # a deficient procedure (no valid document, no fee) may be refused before review
            (_S.RECEIVED, _A.REFUSE): (_ANY, _S.REFUSED),
            (_S.AWAITING_DOCUMENTS, _A.REFUSE): (_ANY, _S.REFUSED),
            (_S.AWAITING_FEE, _A.REFUSE): (_ANY, _S.REFUSED),
            (_S.RECEIVED, _A.WITHDRAW): (_ANY, _S.WITHDRAWN),
            (_S.AWAITING_DOCUMENTS, _A.WITHDRAW): (_ANY, _S.WITHDRAWN),
            (_S.AWAITING_FEE, _A.WITHDRAW): (_ANY, _S.WITHDRAWN),
            (_S.IN_REVIEW, _A.WITHDRAW): (_ANY, _S.WITHDRAWN),
        }
    )
)

_REQUESTER: Final[Mapping[tuple[RequestState, RequesterEvent], RequestState]] = MappingProxyType(
    {
        (_S.EMAIL_UNVERIFIED, RequesterEvent.EMAIL_VERIFIED): _S.RECEIVED,
        (_S.AWAITING_DOCUMENTS, RequesterEvent.DOCUMENTS_ADDED): _S.RECEIVED,
        (_S.EMAIL_UNVERIFIED, RequesterEvent.WITHDRAWN): _S.WITHDRAWN,
    }
)


def next_state(
    state: RequestState, action: StaffAction, *, needs_identity: bool, needs_fee: bool
) -> RequestState:
    """The state `action` moves a request in `state` to; IllegalTransition when the table has
    no such move for a request that does (not) need identity documents.

    Identity verified (or review started for a request without documents) leads to the fee
    when one is due, else straight to review. An in-place action (:data:`IN_PLACE`) leaves an
    open, arrived request where it is.
    """
    if action in IN_PLACE:
        if state not in OPEN_STATES or state is RequestState.EMAIL_UNVERIFIED:
            raise IllegalTransition(state, action)
        return state
    row = _TABLE.get((state, action))
    if row is None:
        raise IllegalTransition(state, action)
    condition, target = row
    if condition is not None and condition != needs_identity:
        raise IllegalTransition(state, action)
    if target is RequestState.AWAITING_FEE and not needs_fee:
        return RequestState.IN_REVIEW
    return target


def requester_next(state: RequestState, event: RequesterEvent) -> RequestState:
    """The state the person's `event` moves a request in `state` to; IllegalTransition else."""
    target = _REQUESTER.get((state, event))
    if target is None:
        raise IllegalTransition(state, event)
    return target


def allowed_actions(
    state: RequestState, *, needs_identity: bool, needs_fee: bool, stop_kind: bool = False
) -> list[StaffAction]:
    """The staff actions legal in `state`, in the order of :class:`StaffAction`; the actions
    of :data:`STOP_ONLY` only for a stop request (`stop_kind`)."""
    allowed: list[StaffAction] = []
    for action in StaffAction:
        if action in STOP_ONLY and not stop_kind:
            continue
        try:
            next_state(state, action, needs_identity=needs_identity, needs_fee=needs_fee)
        except IllegalTransition:
            continue
        allowed.append(action)
    return allowed
