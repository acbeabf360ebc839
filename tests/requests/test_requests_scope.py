"""Staff roles and My Number subjects (R-MN-9): only a designated handler may link, flag, erase
or disclose a subject of a specific-personal category, and a handler of My Number sees only
those. A subject out of the role's scope is answered as an unknown one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from requests_support import NOW, Requests, form
from sqlalchemy import select

from kojin.errors import NotFoundError
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.subjects import SubjectCreate, create_subject, get_subject
from kojin.registry.subjects.models import SubjectChange
from kojin.registry.subjects.scope import SubjectScope
from kojin.requests.kinds import DisclosureMethod, RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.schemas import ActionIn, Package, RequestDetail
from kojin.requests.service import act, request_detail, staff_package
from kojin.requests.states import RequestState, StaffAction

EMAIL = "taro.yamada@example.jp"


@dataclass
class Roles:
    requests: Requests
    facts: PolicyFacts

    @property
    def handler(self) -> SubjectScope:
        """A designated handler of specific personal information."""
        return SubjectScope.for_policy(self.facts, mynumber_authority=True)

    @property
    def officer(self) -> SubjectScope:
        """Any other staff member."""
        return SubjectScope.for_policy(self.facts, mynumber_authority=False)

    def subject(self, category: str) -> str:
        with self.requests.database.uow() as session:
            return create_subject(
                session=session,
                cipher=self.requests.cipher,
                subject_in=SubjectCreate(category=category, email=EMAIL, name="山田 太郎"),
                policy=self.facts,
                actor="t",
            ).id

    def act(
        self, scope: SubjectScope, request_id: str, action: StaffAction, **fields: object
    ) -> RequestDetail:
        with self.requests.database.uow() as session:
            return act(
                session=session,
                cipher=self.requests.cipher,
                settings=self.requests.settings,
                policy=self.requests.policy,
                facts=self.facts,
                request_id=request_id,
                action=ActionIn.model_validate({"action": action, **fields}),
                actor="staff:someone",
                now=NOW + timedelta(days=1),
                scope=scope,
            )

    def detail(self, scope: SubjectScope, request_id: str) -> RequestDetail:
        with self.requests.database.uow() as session:
            return request_detail(
                session=session,
                cipher=self.requests.cipher,
                policy=self.requests.policy,
                request_id=request_id,
                actor="staff:someone",
                today=date(2027, 4, 8),
                scope=scope,
            )

    def package(self, scope: SubjectScope, request_id: str) -> Package:
        with self.requests.database.uow() as session:
            return staff_package(
                session=session,
                cipher=self.requests.cipher,
                policy=self.requests.policy,
                request_id=request_id,
                actor="staff:someone",
                scope=scope,
            )

    def state(self, request_id: str) -> tuple[str, str | None]:
        with self.requests.database.read() as session:
            row = session.get(DataRequest, request_id)
            assert row is not None
            return row.state, row.subject_id


@pytest.fixture
def roles(requests: Requests, facts: PolicyFacts) -> Roles:
    return Roles(requests, facts)


def _flags(roles: Roles, subject_id: str) -> tuple[bool, bool]:
    with roles.requests.database.read() as session:
        out = get_subject(session=session, subject_id=subject_id)
    return out.stop_use, out.stop_provision


def test_only_a_handler_stops_the_use_of_a_my_number_subject(roles: Roles) -> None:
    mynumber = roles.subject("specific_personal")
    request_id = roles.requests.arrived(form(RequestKind.STOP_USE)).request_id
    roles.act(roles.officer, request_id, StaffAction.VERIFY_IDENTITY)

    with pytest.raises(NotFoundError, match="subject not found"):
        roles.act(roles.officer, request_id, StaffAction.APPROVE, subject_id=mynumber)
    assert roles.state(request_id) == (RequestState.IN_REVIEW.value, None)
    assert _flags(roles, mynumber) == (False, False)
    # the answer is the same as for a subject that does not exist
    with pytest.raises(NotFoundError, match="subject not found"):
        roles.act(roles.officer, request_id, StaffAction.APPROVE, subject_id="0" * 32)

    detail = roles.act(roles.handler, request_id, StaffAction.APPROVE, subject_id=mynumber)
    assert (detail.state, detail.subject_id) == (RequestState.COMPLETED, mynumber)
    assert _flags(roles, mynumber) == (True, False)
    with roles.requests.database.read() as session:
        change = session.execute(select(SubjectChange)).scalar_one()
    assert change.reference == request_id


def test_a_handler_does_not_reach_other_subjects(roles: Roles) -> None:
    customer = roles.subject("customer")
    request_id = roles.requests.arrived(form(RequestKind.ERASURE)).request_id
    with pytest.raises(NotFoundError, match="subject not found"):
        roles.act(roles.handler, request_id, StaffAction.VERIFY_IDENTITY, subject_id=customer)
    assert roles.state(request_id) == (RequestState.RECEIVED.value, None)
    roles.act(roles.officer, request_id, StaffAction.VERIFY_IDENTITY, subject_id=customer)
    detail = roles.act(roles.officer, request_id, StaffAction.APPROVE)
    assert detail.state is RequestState.COMPLETED
    with roles.requests.database.read() as session:
        erased = get_subject(session=session, subject_id=customer, cipher=roles.requests.cipher)
    assert erased.identifiers is not None
    assert erased.identifiers.email is None


def test_a_request_linked_to_a_my_number_subject_is_closed_to_others(roles: Roles) -> None:
    mynumber = roles.subject("specific_personal")
    customer = roles.subject("customer")
    request_id = roles.requests.arrived(
        form(RequestKind.DISCLOSURE, disclosure_method=DisclosureMethod.ELECTRONIC)
    ).request_id
    roles.act(roles.handler, request_id, StaffAction.VERIFY_IDENTITY, subject_id=mynumber)

    seen = roles.detail(roles.officer, request_id)
    assert (seen.subject_id, seen.allowed_actions, seen.subject_restricted) == (None, [], True)
    assert seen.applicant.name == "山田 太郎"  # the request itself stays readable
    own = roles.detail(roles.handler, request_id)
    assert (own.subject_id, own.subject_restricted) == (mynumber, False)
    assert own.allowed_actions == [
        StaffAction.RECORD_FEE,
        StaffAction.REFUSE,
        StaffAction.WITHDRAW,
    ]

    # neither moved nor relinked to a subject the officer does see
    for action, fields in (
        (StaffAction.WITHDRAW, {}),
        (StaffAction.RECORD_FEE, {"fee_reference": "P-1", "subject_id": customer}),
    ):
        with pytest.raises(NotFoundError, match="subject not found"):
            roles.act(roles.officer, request_id, action, **fields)
    assert roles.state(request_id) == (RequestState.AWAITING_FEE.value, mynumber)

    roles.act(roles.handler, request_id, StaffAction.RECORD_FEE, fee_reference="P-1")
    roles.act(roles.handler, request_id, StaffAction.APPROVE)
    assert roles.detail(roles.officer, request_id).has_package is False
    with pytest.raises(NotFoundError, match="subject not found"):
        roles.package(roles.officer, request_id)
    package = roles.package(roles.handler, request_id)
    assert package.media_type == "application/zip"
