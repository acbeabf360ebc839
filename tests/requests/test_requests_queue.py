"""What staff see: the queue and its clocks, a request in full, documents, the dashboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from requests_support import NOW, PDF, PNG, Requests, form, identity
from sqlalchemy import select

from kojin.audit.checkpoints import write_checkpoint
from kojin.audit.models import AuditEntry, AuditHead
from kojin.audit.signing import load_or_create_signing_key
from kojin.errors import NotFoundError
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.ledger import LedgerAcquisition, LedgerEntryCreate, Medium, create_entry
from kojin.requests.kinds import DocumentPurpose, RequestKind
from kojin.requests.schemas import ActionIn, QueueFilter, QueueRow, UploadIn
from kojin.requests.service import act, dashboard, list_queue, read_document, request_detail
from kojin.requests.states import RequestState, StaffAction

STAFF = "staff:officer"


def _queue(requests: Requests, today: date, **filters: object) -> list[QueueRow]:
    with requests.database.read() as session:
        return list_queue(
            session=session,
            filters=QueueFilter.model_validate(filters),
            policy=requests.policy,
            today=today,
        )


def _three(requests: Requests) -> tuple[str, str, str]:
    """A disclosure that arrived on 7 April 2027, a complaint on 28 April, and a request
    whose e-mail was never verified."""
    early = requests.arrived(form(email="a@example.jp")).request_id
    late = requests.arrived(
        form(RequestKind.COMPLAINT, email="b@example.jp", details="noisy calls"),
        uploads=[],
        now=NOW + timedelta(days=21),
    ).request_id
    unverified = requests.submit(form(email="c@example.jp")).request_id
    return early, late, unverified


def test_the_queue_lists_arrived_requests_earliest_due_first(requests: Requests) -> None:
    early, late, unverified = _three(requests)
    today = date(2027, 4, 28)
    rows = _queue(requests, today)
    assert [r.id for r in rows] == [early, late]
    first, second = rows
    assert first.short_id == f"R-{early[:8].upper()}"
    assert (first.due_on, first.days_left, first.overdue) == (date(2027, 4, 21), -5, True)
    assert first.suit_from == date(2027, 4, 22)
    # arrived 28 April: due after Golden Week, ten business days on
    assert (second.due_on, second.days_left, second.overdue) == (date(2027, 5, 18), 10, False)
    assert second.suit_from == date(2027, 5, 13)

    assert [r.id for r in _queue(requests, today, overdue_only=True)] == [early]
    assert [r.id for r in _queue(requests, today, kind="complaint")] == [late]
    assert [r.id for r in _queue(requests, today, state="email_unverified")] == [unverified]
    waiting = _queue(requests, today, state="email_unverified")[0]
    assert (waiting.days_left, waiting.suit_from, waiting.overdue) == (None, None, False)


def test_closed_requests_leave_the_open_queue(requests: Requests, facts: PolicyFacts) -> None:
    early, late, _ = _three(requests)
    with requests.database.uow() as session:
        act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=late,
            action=ActionIn(action=StaffAction.WITHDRAW),
            actor=STAFF,
        )
    today = date(2027, 4, 28)
    assert [r.id for r in _queue(requests, today)] == [early]
    everything = _queue(requests, today, open_only=False)
    assert {r.id for r in everything} == {early, late}
    closed = next(r for r in everything if r.id == late)
    assert (closed.state, closed.days_left, closed.overdue) == (RequestState.WITHDRAWN, None, False)


def test_request_detail_is_decrypted_and_its_view_chained(requests: Requests) -> None:
    authority = UploadIn(DocumentPurpose.AUTHORITY, "poa.pdf", "application/pdf", PDF)
    agent = form(is_agent=True, agent_name="佐藤 花子", agent_relation="legal_representative")
    request_id = requests.arrived(agent, uploads=[identity(), authority]).request_id
    with requests.database.uow() as session:
        detail = request_detail(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=request_id,
            actor=STAFF,
            today=date(2027, 4, 8),
        )
    applicant = detail.applicant
    assert (applicant.name, applicant.furigana, applicant.postal_code) == (
        "山田 太郎",
        "ヤマダ タロウ",
        "100-0001",
    )
    assert (applicant.agent_name, applicant.is_agent) == ("佐藤 花子", True)
    assert detail.days_left == 9
    assert detail.fee_yen == 1000
    assert [d.purpose for d in detail.documents] == [
        DocumentPurpose.IDENTITY,
        DocumentPurpose.AUTHORITY,
    ]
    assert detail.allowed_actions == [
        StaffAction.VERIFY_IDENTITY,
        StaffAction.REJECT_IDENTITY,
        StaffAction.REFUSE,
        StaffAction.WITHDRAW,
    ]
    with requests.database.read() as session:
        last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert last is not None
    assert (last.action, last.actor, last.object_id) == ("request.viewed", STAFF, request_id)


def test_documents_are_read_back_and_each_read_is_chained(requests: Requests) -> None:
    request_id = requests.arrived(uploads=[identity(PNG), identity(PDF, "b.pdf")]).request_id
    other_id = requests.arrived(form(email="x@example.jp")).request_id
    with requests.database.uow() as session:
        detail = request_detail(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=request_id,
            actor=STAFF,
            today=date(2027, 4, 8),
        )
    ids = [d.id for d in detail.documents]
    with requests.database.uow() as session:
        read = [
            read_document(
                session=session,
                cipher=requests.cipher,
                request_id=request_id,
                document_id=doc_id,
                actor=STAFF,
            )
            for doc_id in ids
        ]
    assert read == [("image/png", PNG), ("application/pdf", PDF)]
    for wrong_request, doc_id in [(other_id, ids[0]), (request_id, "f" * 32), (request_id, "x")]:
        with requests.database.uow() as session, pytest.raises(NotFoundError):
            read_document(
                session=session,
                cipher=requests.cipher,
                request_id=wrong_request,
                document_id=doc_id,
                actor=STAFF,
            )
    with requests.database.read() as session:
        viewed = session.execute(
            select(AuditEntry).where(AuditEntry.action == "request.document_viewed")
        ).scalars()
        assert [e.details["document_id"] for e in viewed] == ids


def test_an_unknown_request_is_not_found(requests: Requests) -> None:
    for request_id in ("0" * 32, "../etc", ""):
        with requests.database.uow() as session, pytest.raises(NotFoundError, match="request"):
            request_detail(
                session=session,
                cipher=requests.cipher,
                policy=requests.policy,
                request_id=request_id,
                actor=STAFF,
                today=date(2027, 4, 8),
            )


def test_dashboard_figures(requests: Requests, facts: PolicyFacts) -> None:
    _three(requests)
    with requests.database.uow() as session:
        create_entry(
            session=session,
            policy=facts,
            actor="t",
            entry_in=LedgerEntryCreate(
                item="Customer master",
                category="customer",
                purposes=["provide_services"],
                acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
                storage_location="CRM",
                medium=Medium.ELECTRONIC,
                access="Sales",
                retention_period="5 years",
                disposal_method="Deletion",
                record_count=10,
                responsible_department="Sales",
            ),
        )
    keys = requests.settings.home / "keys"
    path = requests.settings.home / "audit-checkpoints.jsonl"
    key = load_or_create_signing_key(keys)
    checkpoint = write_checkpoint(database=requests.database, key=key, path=path)
    assert checkpoint is not None
    with requests.database.read() as session:
        figures = dashboard(
            session=session,
            policy=requests.policy,
            today=date(2027, 4, 28),
            checkpoints_path=path,
            trusted_key=key.public,
        )
        head = session.execute(select(AuditHead.seq)).scalar_one()
    assert figures.by_state[RequestState.RECEIVED] == 2
    assert figures.by_state[RequestState.EMAIL_UNVERIFIED] == 1
    assert figures.by_state[RequestState.COMPLETED] == 0
    assert dict(figures.by_days_left) == {"overdue": 1, "0-2": 0, "3-5": 0, "6-10": 1, "11+": 0}
    assert [label for label, _ in figures.by_days_left] == ["overdue", "0-2", "3-5", "6-10", "11+"]
    assert (figures.open_total, figures.overdue_total) == (2, 1)
    assert figures.ledger_due_for_review == 1
    assert figures.chain_head_seq == head == checkpoint.seq
    assert figures.last_checkpoint_at is not None
    assert figures.checkpoint_matches is True

    with requests.database.read() as session:
        bare = dashboard(session=session, policy=requests.policy, today=date(2027, 4, 28))
    assert (bare.last_checkpoint_at, bare.checkpoint_matches) == (None, None)
