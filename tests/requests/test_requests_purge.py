"""Holding periods: documents go after the request closes, inquiries lose their personal data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from requests_support import NOW, PNG, Requests, form
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.errors import NotFoundError
from kojin.law.policy_facts import PolicyFacts
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest, RequestDocument, VerificationCode
from kojin.requests.schemas import ActionIn
from kojin.requests.service import (
    act,
    purge_closed,
    read_document,
    request_detail,
    request_status,
)
from kojin.requests.states import StaffAction

STAFF = "staff:officer"
CLOSED_AT = NOW + timedelta(days=1)


def _close(requests: Requests, facts: PolicyFacts, request_id: str) -> None:
    with requests.database.uow() as session:
        act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=request_id,
            action=ActionIn(action=StaffAction.WITHDRAW),
            actor=STAFF,
            now=CLOSED_AT,
        )


def _purge(requests: Requests, now: datetime) -> int:
    with requests.database.uow() as session:
        return purge_closed(session=session, policy=requests.policy, now=now)


def test_documents_are_deleted_after_the_holding_period(
    requests: Requests, facts: PolicyFacts
) -> None:
    result = requests.arrived()
    open_one = requests.arrived(form(email="still.open@example.jp")).request_id
    _close(requests, facts, result.request_id)
    assert _purge(requests, CLOSED_AT + timedelta(days=29)) == 0
    assert _purge(requests, CLOSED_AT + timedelta(days=30)) == 1
    assert _purge(requests, CLOSED_AT + timedelta(days=31)) == 0  # done once

    with requests.database.read() as session:
        docs = {d.request_id: d for d in session.execute(select(RequestDocument)).scalars()}
    gone, kept = docs[result.request_id], docs[open_one]
    assert (gone.content_enc, gone.deleted_at) == (b"", CLOSED_AT + timedelta(days=30))
    assert gone.sha256
    assert gone.size == len(PNG)
    assert kept.deleted_at is None
    assert kept.content_enc
    with requests.database.uow() as session, pytest.raises(NotFoundError):
        read_document(
            session=session,
            cipher=requests.cipher,
            request_id=result.request_id,
            document_id=gone.id,
            actor=STAFF,
        )
    with requests.database.uow() as session:
        detail = request_detail(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            actor=STAFF,
            today=date(2027, 6, 1),
        )
    assert [d.deleted for d in detail.documents] == [True]
    assert detail.applicant.name == "山田 太郎"  # a rights request keeps its record
    assert not detail.purged


def test_inquiries_lose_their_personal_data(requests: Requests, facts: PolicyFacts) -> None:
    the_form = form(RequestKind.INQUIRY, details="How do you use my data?")
    result = requests.arrived(the_form, uploads=[])
    rights = requests.arrived(form(email="rights@example.jp")).request_id
    _close(requests, facts, result.request_id)
    _close(requests, facts, rights)
    assert _purge(requests, CLOSED_AT + timedelta(days=89)) == 1  # the rights request's document
    assert _purge(requests, CLOSED_AT + timedelta(days=90)) == 1  # the inquiry
    with requests.database.read() as session:
        row = session.get(DataRequest, result.request_id)
        assert row is not None
        columns = [c.name for c in DataRequest.__table__.columns]
        stored = {c: getattr(row, c) for c in columns if c.endswith(("_enc", "_bidx"))}
        with pytest.raises(NotFoundError):
            request_status(
                session=session,
                cipher=requests.cipher,
                policy=requests.policy,
                reference=result.reference,
                email=the_form.email,
            )
        purges = session.execute(
            select(AuditEntry).where(AuditEntry.action == "request.personal_data_purged")
        ).scalars()
        [entry] = list(purges)
        assert verify_chain(session=session).ok
    assert row.purged_at == CLOSED_AT + timedelta(days=90)
    assert stored.pop("reference_bidx")  # only the reference's index stays
    assert len(stored) == 13
    assert set(stored.values()) == {None}
    assert entry.object_id == result.request_id
    assert "details" in entry.details["fields"]
    assert "email" in entry.details["fields"]
    with requests.database.uow() as session:
        detail = request_detail(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            actor=STAFF,
            today=date(2027, 8, 1),
        )
    assert detail.purged
    assert detail.applicant.name is None
    assert detail.details == ""


def test_unverified_submissions_are_purged_too(requests: Requests) -> None:
    result = requests.submit(form())
    assert _purge(requests, NOW + timedelta(days=29)) == 0
    assert _purge(requests, NOW + timedelta(days=30)) == 2  # its document and its data
    with requests.database.read() as session:
        row = session.get(DataRequest, result.request_id)
        codes = session.execute(select(VerificationCode)).scalars().all()
    assert row is not None
    assert row.purged_at is not None
    assert row.name_enc is None
    assert codes == []
