"""Staff actions: the state machine in the database, the registry effects, the chain, the mail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from requests_support import NOW, PDF, Requests, form, identity
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.errors import InputError, NotFoundError
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action
from kojin.policy.model import Policy
from kojin.policy.model_base import RefusalGround
from kojin.registry.decisions import decide_and_record
from kojin.registry.subjects import SubjectCreate, create_subject, get_subject
from kojin.registry.subjects.models import SubjectChange
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest, RequestEvent
from kojin.requests.schemas import ActionIn, RequestDetail
from kojin.requests.service import act, add_documents, request_status
from kojin.requests.states import IllegalTransition, RequestState, StaffAction

STAFF = "staff:officer"
EMAIL = "taro.yamada@example.jp"


@dataclass
class Staff:
    requests: Requests
    facts: PolicyFacts

    def act(self, request_id: str, action: StaffAction, **fields: object) -> RequestDetail:
        return self.act_as(self.requests.policy, request_id, action, **fields)

    def act_as(
        self, policy: Policy, request_id: str, action: StaffAction, **fields: object
    ) -> RequestDetail:
        with self.requests.database.uow() as session:
            return act(
                session=session,
                cipher=self.requests.cipher,
                settings=self.requests.settings,
                policy=policy,
                facts=self.facts,
                request_id=request_id,
                action=ActionIn.model_validate({"action": action, **fields}),
                actor=STAFF,
                now=NOW + timedelta(days=1),
            )

    def subject(self) -> str:
        with self.requests.database.uow() as session:
            return create_subject(
                session=session,
                cipher=self.requests.cipher,
                subject_in=SubjectCreate(category="customer", email=EMAIL, name="山田 太郎"),
                policy=self.facts,
                actor="t",
            ).id


@pytest.fixture
def staff(requests: Requests, facts: PolicyFacts) -> Staff:
    return Staff(requests, facts)


def test_a_disclosure_from_arrival_to_completion(requests: Requests, staff: Staff) -> None:
    result = requests.arrived()
    request_id = result.request_id
    detail = staff.act(request_id, StaffAction.VERIFY_IDENTITY)
    assert detail.state is RequestState.AWAITING_FEE
    assert detail.allowed_actions == [
        StaffAction.RECORD_FEE,
        StaffAction.REFUSE,
        StaffAction.WITHDRAW,
    ]
    mail = requests.outbox.sent[-1]
    assert mail.purpose == "request.state_changed"
    assert mail.to == EMAIL
    assert "手数料1,000円" in mail.text
    assert result.reference in mail.text

    with pytest.raises(InputError) as caught:
        staff.act(request_id, StaffAction.RECORD_FEE)
    assert caught.value.field == "fee_reference"
    detail = staff.act(request_id, StaffAction.RECORD_FEE, fee_reference="振込 0012-345")
    assert (detail.state, detail.fee_reference) == (RequestState.IN_REVIEW, "振込 0012-345")

    with pytest.raises(InputError) as caught:
        staff.act(request_id, StaffAction.APPROVE)
    assert caught.value.field == "subject_id"
    with pytest.raises(NotFoundError):
        staff.act(request_id, StaffAction.APPROVE, subject_id="0" * 32)
    subject_id = staff.subject()
    detail = staff.act(request_id, StaffAction.APPROVE, subject_id=subject_id)
    assert (detail.state, detail.subject_id, detail.has_package) == (
        RequestState.COMPLETED,
        subject_id,
        True,
    )
    assert detail.allowed_actions == []
    assert [(e.action, e.actor) for e in detail.history] == [
        ("submitted", "requester"),
        ("email_verified", "requester"),
        ("verify_identity", STAFF),
        ("record_fee", STAFF),
        ("approve", STAFF),
    ]
    with requests.database.read() as session:
        status = request_status(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=result.reference,
            email=EMAIL,
        )
        assert verify_chain(session=session).ok
        row = session.get(DataRequest, request_id)
        assert row is not None
        assert row.closed_at == NOW + timedelta(days=1)
    assert status.state is RequestState.COMPLETED
    assert status.fee_recorded
    assert status.has_package
    assert len(requests.outbox.to(EMAIL)) == 4  # the code, then three moves


def test_an_illegal_action_changes_nothing(requests: Requests, staff: Staff) -> None:
    request_id = requests.arrived().request_id
    sent = len(requests.outbox.sent)
    for action in (StaffAction.APPROVE, StaffAction.RECORD_FEE, StaffAction.START_REVIEW):
        with pytest.raises(IllegalTransition, match="received"):
            staff.act(request_id, action, subject_id=staff.subject())
    with requests.database.read() as session:
        row = session.get(DataRequest, request_id)
        events = session.execute(select(RequestEvent.action)).scalars().all()
    assert row is not None
    assert row.state == RequestState.RECEIVED.value
    assert events == ["submitted", "email_verified"]
    assert len(requests.outbox.sent) == sent


def _use_request(subject_id: str) -> DecisionRequest:
    return DecisionRequest(
        action=Action.USE,
        category="customer",
        purpose="provide_services",
        subject_id=subject_id,
    )


def test_approving_a_stop_use_request_changes_a_decision(requests: Requests, staff: Staff) -> None:
    subject_id = staff.subject()
    with requests.database.uow() as session:
        before = decide_and_record(
            session=session, request=_use_request(subject_id), policy=staff.facts, actor="t"
        )
    assert before.decision.allowed

    request_id = requests.arrived(form(RequestKind.STOP_USE)).request_id
    assert staff.act(request_id, StaffAction.VERIFY_IDENTITY).state is RequestState.IN_REVIEW
    staff.act(request_id, StaffAction.APPROVE, subject_id=subject_id)

    with requests.database.uow() as session:
        after = decide_and_record(
            session=session, request=_use_request(subject_id), policy=staff.facts, actor="t"
        )
        change = session.execute(select(SubjectChange)).scalar_one()
    assert not after.decision.allowed
    assert (change.stop_use, change.reference, change.changed_by) == (True, request_id, STAFF)


@pytest.mark.parametrize(
    ("kind", "stop_use", "stop_provision", "erased"),
    [
        (RequestKind.STOP_PROVISION, False, True, False),
        (RequestKind.ERASURE, True, True, True),
    ],
)
def test_other_approvals_reach_the_registry(
    requests: Requests,
    staff: Staff,
    kind: RequestKind,
    stop_use: bool,
    stop_provision: bool,
    erased: bool,
) -> None:
    subject_id = staff.subject()
    request_id = requests.arrived(form(kind)).request_id
    staff.act(request_id, StaffAction.VERIFY_IDENTITY, subject_id=subject_id)
    staff.act(request_id, StaffAction.APPROVE)  # the subject linked before
    with requests.database.read() as session:
        subject = get_subject(session=session, subject_id=subject_id, cipher=requests.cipher)
    assert (subject.stop_use, subject.stop_provision) == (stop_use, stop_provision)
    assert subject.identifiers is not None
    assert (subject.identifiers.email is None) == erased


def test_a_refusal_names_a_ground_of_the_policy(
    requests: Requests, staff: Staff, policy: Policy
) -> None:
    request_id = requests.arrived().request_id
    with pytest.raises(InputError) as caught:
        staff.act(request_id, StaffAction.REFUSE, explanation="書類に不備があります。")
    assert caught.value.field == "refusal_ground"
    with pytest.raises(InputError) as caught:
        staff.act(request_id, StaffAction.REFUSE, refusal_ground="not_held")
    assert caught.value.field == "explanation"

    inquiries = policy.general.inquiries
    narrower = policy.model_copy(
        update={
            "general": policy.general.model_copy(
                update={
                    "inquiries": inquiries.model_copy(
                        update={"refusal_grounds": inquiries.refusal_grounds[:1]}
                    )
                }
            )
        }
    )
    with pytest.raises(InputError) as caught:
        staff.act_as(
            narrower, request_id, StaffAction.REFUSE, refusal_ground="not_held", explanation="x"
        )
    assert caught.value.field == "refusal_ground"

    detail = staff.act(
        request_id,
        StaffAction.REFUSE,
        refusal_ground="deficient_procedure",
        explanation="本人確認書類の有効期限が切れています。",
    )
    assert detail.state is RequestState.REFUSED
    assert detail.refusal_ground is RefusalGround.DEFICIENT_PROCEDURE
    assert detail.refusal_explanation == "本人確認書類の有効期限が切れています。"
    assert "理由は状況確認ページ" in requests.outbox.sent[-1].text


def test_partial_fulfilment_needs_an_explanation(requests: Requests, staff: Staff) -> None:
    request_id = requests.arrived(form(RequestKind.CORRECTION, details="住所が古い")).request_id
    staff.act(request_id, StaffAction.VERIFY_IDENTITY)
    with pytest.raises(InputError) as caught:
        staff.act(request_id, StaffAction.FULFIL_PARTLY)
    assert caught.value.field == "explanation"
    detail = staff.act(request_id, StaffAction.FULFIL_PARTLY, explanation="住所のみ訂正しました。")
    assert (detail.state, detail.outcome) == (
        RequestState.PARTLY_COMPLETED,
        "住所のみ訂正しました。",
    )


def test_a_complaint_is_reviewed_without_documents(requests: Requests, staff: Staff) -> None:
    the_form = form(RequestKind.COMPLAINT, lang="en", details="I was called at night.")
    request_id = requests.arrived(the_form, uploads=[]).request_id
    with pytest.raises(IllegalTransition):
        staff.act(request_id, StaffAction.VERIFY_IDENTITY)
    assert staff.act(request_id, StaffAction.START_REVIEW).state is RequestState.IN_REVIEW
    detail = staff.act(request_id, StaffAction.APPROVE, explanation="We have apologised.")
    assert detail.state is RequestState.COMPLETED
    assert detail.subject_id is None
    mail = requests.outbox.sent[-1]
    assert mail.subject.startswith("Your request KJ-")
    assert "completed" in mail.text


def test_rejected_identity_asks_for_documents_again(requests: Requests, staff: Staff) -> None:
    result = requests.arrived()
    detail = staff.act(result.request_id, StaffAction.REJECT_IDENTITY, note="blurred photo")
    assert detail.state is RequestState.AWAITING_DOCUMENTS
    assert detail.history[-1].note == "blurred photo"
    assert "再度アップロード" in requests.outbox.sent[-1].text
    with requests.database.uow() as session:
        status = add_documents(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            reference=result.reference,
            email=EMAIL,
            uploads=[identity(PDF, "passport.pdf")],
        )
    assert status.state is RequestState.RECEIVED
    assert staff.act(result.request_id, StaffAction.VERIFY_IDENTITY).state is (
        RequestState.AWAITING_FEE
    )


def test_a_request_can_be_withdrawn_in_review(requests: Requests, staff: Staff) -> None:
    request_id = requests.arrived(form(RequestKind.STOP_PROVISION)).request_id
    staff.act(request_id, StaffAction.VERIFY_IDENTITY)
    detail = staff.act(request_id, StaffAction.WITHDRAW)
    assert detail.state is RequestState.WITHDRAWN
    assert detail.allowed_actions == []


def test_nothing_typed_reaches_the_audit_chain(requests: Requests, staff: Staff) -> None:
    typed = {
        "name": "<script>alert('name')</script>",
        "furigana": "すくりぷと",
        "email": "unique.person+tag@example.jp",
        "phone": "090-9876-5432",
        "postal_code": "999-8888",
        "address": "'; DROP TABLE subjects; --",
        "details": "UNIQUE-DETAIL-TEXT 1=1",
    }
    the_form = form(RequestKind.DISCLOSURE, **typed)
    result = requests.arrived(the_form, uploads=[identity(PDF, "licence.pdf")])
    subject_id = staff.subject()
    staff.act(result.request_id, StaffAction.VERIFY_IDENTITY, note="NOTE-TEXT-1")
    staff.act(result.request_id, StaffAction.RECORD_FEE, fee_reference="FEE-REF-777")
    staff.act(
        result.request_id,
        StaffAction.FULFIL_PARTLY,
        subject_id=subject_id,
        explanation="EXPLANATION-TEXT-2",
    )
    with requests.database.read() as session:
        entries = session.execute(select(AuditEntry)).scalars().all()
    chained = "\n".join(
        json.dumps([e.actor, e.action, e.object_type, e.object_id, e.details], ensure_ascii=False)
        for e in entries
    )
    secrets = [
        *typed.values(),
        the_form.email,
        the_form.furigana or "",
        "unique.person",
        "ヤマダ",
        "FEE-REF-777",
        "EXPLANATION-TEXT-2",
        "NOTE-TEXT-1",
        result.reference,
        result.reference.replace("-", ""),
        requests.outbox.last_code(the_form.email),
    ]
    for secret in secrets:
        assert secret not in chained, secret
    actions = [e.action for e in entries if e.object_type == "data_request"]
    assert actions == [
        "request.submitted",
        "request.email_verified",
        "request.verify_identity",
        "request.record_fee",
        "request.fulfil_partly",
    ]
