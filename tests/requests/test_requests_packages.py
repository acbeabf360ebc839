"""Disclosure packages and refusal notices: when they exist and what they are built from.

The package and notice builders are stand-ins here (``fake_packages``): these tests check the
gates and what the services hand them; the builders are tested in their own files.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from requests_support import NOW, PackageCalls, Requests, form
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.errors import ConflictError, NotFoundError
from kojin.law.policy_facts import PolicyFacts
from kojin.policy.model_base import RefusalGround
from kojin.registry.subjects import SubjectCreate, create_subject
from kojin.requests.kinds import DisclosureMethod, RequestKind
from kojin.requests.schemas import ActionIn, Package
from kojin.requests.service import (
    act,
    refusal_notice,
    requester_package,
    requester_refusal_notice,
    staff_package,
)
from kojin.requests.states import StaffAction

STAFF = "staff:officer"
EMAIL = "taro.yamada@example.jp"


def _act(requests: Requests, facts: PolicyFacts, request_id: str, **fields: object) -> None:
    with requests.database.uow() as session:
        act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=request_id,
            action=ActionIn.model_validate(fields),
            actor=STAFF,
            now=NOW + timedelta(days=2),
        )


def _subject(requests: Requests, facts: PolicyFacts) -> str:
    with requests.database.uow() as session:
        return create_subject(
            session=session,
            cipher=requests.cipher,
            subject_in=SubjectCreate(category="customer"),
            policy=facts,
            actor="t",
        ).id


def _download(requests: Requests, reference: str, email: str = EMAIL) -> Package:
    with requests.database.uow() as session:
        return requester_package(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=reference,
            email=email,
        )


@pytest.mark.parametrize(
    ("kind", "method", "third_party"),
    [
        (RequestKind.DISCLOSURE, DisclosureMethod.PAPER, True),
        (RequestKind.PURPOSE_NOTIFICATION, DisclosureMethod.ELECTRONIC, False),
    ],
)
def test_a_completed_disclosure_has_a_package(
    requests: Requests,
    facts: PolicyFacts,
    fake_packages: PackageCalls,
    kind: RequestKind,
    method: DisclosureMethod,
    third_party: bool,
) -> None:
    result = requests.arrived(form(kind, disclosure_method=method))
    with pytest.raises(ConflictError):
        _download(requests, result.reference)
    subject_id = _subject(requests, facts)
    _act(requests, facts, result.request_id, action="verify_identity")
    if kind is RequestKind.DISCLOSURE:
        _act(requests, facts, result.request_id, action="record_fee", fee_reference="P-1")
    _act(requests, facts, result.request_id, action="approve", subject_id=subject_id)

    package = _download(requests, result.reference)
    assert package.content == b"PK"
    assert fake_packages.gathered == [
        {
            "policy": requests.policy,
            "subject_id": subject_id,
            "lang": "ja",
            "include_third_party_records": third_party,
            "cipher": requests.cipher,
            "actor": "requester",
        }
    ]
    assert fake_packages.built[0]["method"] is method
    with pytest.raises(NotFoundError):
        _download(requests, result.reference, email="other@example.jp")
    with requests.database.uow() as session:
        staff_package(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            actor=STAFF,
        )
    with requests.database.read() as session:
        downloads = session.execute(
            select(AuditEntry).where(AuditEntry.action == "request.package_downloaded")
        ).scalars()
        assert [e.actor for e in downloads] == ["requester", STAFF]


def test_other_kinds_have_no_package(
    requests: Requests, facts: PolicyFacts, fake_packages: PackageCalls
) -> None:
    result = requests.arrived(form(RequestKind.STOP_USE))
    _act(requests, facts, result.request_id, action="verify_identity")
    _act(requests, facts, result.request_id, action="approve", subject_id=_subject(requests, facts))
    with pytest.raises(ConflictError):
        _download(requests, result.reference)
    assert fake_packages.gathered == []


def test_a_refusal_notice_carries_the_ground_and_reasons(
    requests: Requests, facts: PolicyFacts, fake_packages: PackageCalls
) -> None:
    result = requests.arrived()
    with requests.database.read() as session, pytest.raises(ConflictError):
        refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            fmt="html",
        )
    _act(
        requests,
        facts,
        result.request_id,
        action=StaffAction.REFUSE,
        refusal_ground="harm_to_persons",
        explanation="第三者の権利利益を害するおそれがあるためです。",
    )
    with requests.database.read() as session:
        pdf = refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            fmt="pdf",
        )
        html = requester_refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=result.reference,
            email=EMAIL,
            fmt="html",
        )
    assert (pdf.media_type, pdf.content) == ("application/pdf", b"notice:pdf")
    assert pdf.filename.endswith(".pdf")
    assert html.filename.endswith(".html")
    assert html.media_type.startswith("text/html")
    data = fake_packages.notices[0]
    assert (data.lang, data.kind, data.requester_name) == (
        "ja",
        RequestKind.DISCLOSURE,
        "山田 太郎",
    )
    assert data.ground is RefusalGround.HARM_TO_PERSONS
    assert data.ground_text.startswith("ご請求に応じることにより")
    assert data.explanation == "第三者の権利利益を害するおそれがあるためです。"
    assert data.request_number == f"R-{result.request_id[:8].upper()}"
    assert (data.submitted_on, data.issued_on) == (date(2027, 4, 7), date(2027, 4, 9))
