"""The state machine: every (state, action) pair for every kind of request, legal or not."""

from __future__ import annotations

import itertools

import pytest

from kojin.errors import ConflictError
from kojin.requests.states import (
    CLOSED_STATES,
    OPEN_STATES,
    STOP_ONLY,
    IllegalTransition,
    RequesterEvent,
    RequestState,
    StaffAction,
    allowed_actions,
    next_state,
    requester_next,
)

S, A = RequestState, StaffAction
FLAGS = list(itertools.product([True, False], repeat=2))


def expected(
    state: RequestState, action: StaffAction, needs_identity: bool, needs_fee: bool
) -> RequestState | None:
    """The moves the contract lists, written out on their own (None: not allowed)."""
    after_identity = S.AWAITING_FEE if needs_fee else S.IN_REVIEW
    moves: dict[tuple[RequestState, StaffAction], RequestState] = {
        (S.AWAITING_FEE, A.RECORD_FEE): S.IN_REVIEW,
        (S.IN_REVIEW, A.APPROVE): S.COMPLETED,
        (S.IN_REVIEW, A.FULFIL_PARTLY): S.PARTLY_COMPLETED,
        (S.IN_REVIEW, A.REFUSE): S.REFUSED,
        (S.RECEIVED, A.REFUSE): S.REFUSED,
        (S.AWAITING_DOCUMENTS, A.REFUSE): S.REFUSED,
        (S.AWAITING_FEE, A.REFUSE): S.REFUSED,
    }
    for open_state in (S.RECEIVED, S.AWAITING_DOCUMENTS, S.AWAITING_FEE, S.IN_REVIEW):
        moves[(open_state, A.WITHDRAW)] = S.WITHDRAWN
        # the ground of a stop request is set where the request stands (the state stays)
        moves[(open_state, A.SET_STOP_GROUND)] = open_state
    if needs_identity:
        moves[(S.RECEIVED, A.VERIFY_IDENTITY)] = after_identity
        moves[(S.RECEIVED, A.REJECT_IDENTITY)] = S.AWAITING_DOCUMENTS
    else:
        moves[(S.RECEIVED, A.START_REVIEW)] = after_identity
    return moves.get((state, action))


ALL_PAIRS = [
    (state, action, needs_identity, needs_fee)
    for state in RequestState
    for action in StaffAction
    for needs_identity, needs_fee in FLAGS
]
LEGAL = [p for p in ALL_PAIRS if expected(*p) is not None]
ILLEGAL = [p for p in ALL_PAIRS if expected(*p) is None]


def test_the_table_is_not_empty_either_way() -> None:
    assert len(LEGAL) + len(ILLEGAL) == len(RequestState) * len(StaffAction) * 4
    assert len(LEGAL) > 20
    assert len(ILLEGAL) > 200


@pytest.mark.parametrize(("state", "action", "needs_identity", "needs_fee"), LEGAL)
def test_legal_moves(
    state: RequestState, action: StaffAction, needs_identity: bool, needs_fee: bool
) -> None:
    target = next_state(state, action, needs_identity=needs_identity, needs_fee=needs_fee)
    assert target == expected(state, action, needs_identity, needs_fee)
    assert action in allowed_actions(
        state, needs_identity=needs_identity, needs_fee=needs_fee, stop_kind=True
    )
    offered = allowed_actions(state, needs_identity=needs_identity, needs_fee=needs_fee)
    assert (action in offered) is (action not in STOP_ONLY)


@pytest.mark.parametrize(("state", "action", "needs_identity", "needs_fee"), ILLEGAL)
def test_every_illegal_move_raises(
    state: RequestState, action: StaffAction, needs_identity: bool, needs_fee: bool
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_state(state, action, needs_identity=needs_identity, needs_fee=needs_fee)
    assert isinstance(caught.value, ConflictError)
    assert state.value in caught.value.message
    assert action.value in caught.value.message
    assert action not in allowed_actions(
        state, needs_identity=needs_identity, needs_fee=needs_fee, stop_kind=True
    )


@pytest.mark.parametrize(("needs_identity", "needs_fee"), FLAGS)
def test_closed_and_unverified_requests_take_no_staff_action(
    needs_identity: bool, needs_fee: bool
) -> None:
    for state in [*CLOSED_STATES, S.EMAIL_UNVERIFIED]:
        for stop_kind in (False, True):
            assert (
                allowed_actions(
                    state, needs_identity=needs_identity, needs_fee=needs_fee, stop_kind=stop_kind
                )
                == []
            )


def test_no_state_is_skipped_on_the_way_to_completion() -> None:
    """From arrival, a fee-bearing rights request passes identity, fee and review in order."""
    state = S.RECEIVED
    path = [state]
    for action in (A.VERIFY_IDENTITY, A.RECORD_FEE, A.APPROVE):
        state = next_state(state, action, needs_identity=True, needs_fee=True)
        path.append(state)
    assert path == [S.RECEIVED, S.AWAITING_FEE, S.IN_REVIEW, S.COMPLETED]
    for shortcut in (A.APPROVE, A.RECORD_FEE, A.FULFIL_PARTLY):
        with pytest.raises(IllegalTransition):
            next_state(S.RECEIVED, shortcut, needs_identity=True, needs_fee=True)


def test_open_and_closed_states_partition_the_states() -> None:
    assert frozenset(RequestState) == OPEN_STATES | CLOSED_STATES
    assert not OPEN_STATES & CLOSED_STATES
    assert {s.value for s in RequestState} == {
        "email_unverified", "received", "awaiting_documents", "awaiting_fee", "in_review",
        "completed", "partly_completed", "refused", "withdrawn",
    }  # fmt: skip


@pytest.mark.parametrize("state", list(RequestState))
@pytest.mark.parametrize("event", list(RequesterEvent))
def test_the_persons_moves(state: RequestState, event: RequesterEvent) -> None:
    legal = {
        (S.EMAIL_UNVERIFIED, RequesterEvent.EMAIL_VERIFIED): S.RECEIVED,
        (S.AWAITING_DOCUMENTS, RequesterEvent.DOCUMENTS_ADDED): S.RECEIVED,
        # an authorized agent revokes a request whose e-mail was never confirmed
        (S.EMAIL_UNVERIFIED, RequesterEvent.WITHDRAWN): S.WITHDRAWN,
    }
    if (state, event) in legal:
        assert requester_next(state, event) == legal[(state, event)]
    else:
        with pytest.raises(IllegalTransition, match=state.value):
            requester_next(state, event)
