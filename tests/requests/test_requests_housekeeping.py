"""Housekeeping: one run purges request documents and inquiry data past their holding periods,
outbox mail older than thirty days and ended staff sessions, and chains the counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from requests_support import NOW, Requests
from sqlalchemy import func, select

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.auth.models import WebSession
from kojin.auth.roles import Role
from kojin.auth.staff import create_staff_user
from kojin.auth.web_sessions import sign_in, sign_out
from kojin.law.policy_facts import PolicyFacts
from kojin.mail.models import MailOutbox
from kojin.requests.housekeeping import (
    HOUSEKEEPING_ACTOR,
    OUTBOX_DAYS,
    HousekeepingReport,
    run_housekeeping,
)
from kojin.requests.models import RequestDocument
from kojin.requests.schemas import ActionIn
from kojin.requests.service import act
from kojin.requests.states import StaffAction

CLOSED_AT = NOW + timedelta(days=1)


def _run(requests: Requests, now: datetime) -> tuple[int, int, int]:
    with requests.database.uow() as session:
        report = run_housekeeping(session=session, policy=requests.policy, now=now)
    assert isinstance(report, HousekeepingReport)
    assert report.at == now
    return report.requests_purged, report.outbox_purged, report.sessions_purged


def _count(requests: Requests, model: type) -> int:
    with requests.database.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _sessions(requests: Requests) -> None:
    """Two sessions of eight hours opened at NOW; the first is signed out at once."""
    with requests.database.uow() as session:
        create_staff_user(
            session=session,
            username="officer",
            password="correct horse battery",
            role=Role.PRIVACY_OFFICER,
            actor="t",
        )
    tokens = []
    for _ in range(2):
        with requests.database.uow() as session:
            token, _ = sign_in(
                session=session,
                username="officer",
                password="correct horse battery",
                idle=timedelta(minutes=30),
                max_age=timedelta(hours=8),
                now=NOW,
            )
            tokens.append(token)
    with requests.database.uow() as session:
        sign_out(session=session, token=tokens[0])


def test_one_run_purges_what_is_past_its_time(requests: Requests, facts: PolicyFacts) -> None:
    result = requests.arrived()  # the code mail at NOW, a document
    _sessions(requests)
    with requests.database.uow() as session:
        act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=result.request_id,
            action=ActionIn(action=StaffAction.WITHDRAW),
            actor="staff:officer",
            now=CLOSED_AT,  # the second mail
        )
    assert _count(requests, MailOutbox) == 2
    assert _count(requests, WebSession) == 2

    # an hour on: only the session signed out
    assert _run(requests, NOW + timedelta(hours=1)) == (0, 0, 1)
    # the code mail turns thirty days old; the other session reached its absolute end
    assert _run(requests, NOW + timedelta(days=OUTBOX_DAYS)) == (0, 0, 1)
    assert _run(requests, NOW + timedelta(days=OUTBOX_DAYS, minutes=1)) == (0, 1, 0)
    assert [m.purpose for m in requests.outbox.sent] == ["request.state_changed"]
    # thirty days after closing: the document (the policy's holding period) and the last mail
    assert _run(requests, CLOSED_AT + timedelta(days=30, minutes=1)) == (1, 1, 0)
    assert _run(requests, CLOSED_AT + timedelta(days=60)) == (0, 0, 0)

    assert _count(requests, MailOutbox) == 0
    assert _count(requests, WebSession) == 0
    with requests.database.read() as session:
        doc = session.execute(select(RequestDocument)).scalar_one()
        assert doc.deleted_at is not None
        entries = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.action == "housekeeping.purged")
                .order_by(AuditEntry.seq)
            )
            .scalars()
            .all()
        )
        assert verify_chain(session=session).ok
    # one entry per run that purged something, with counts only
    assert [e.actor for e in entries] == [HOUSEKEEPING_ACTOR] * 4
    assert [
        (e.details["requests_purged"], e.details["outbox_purged"], e.details["sessions_purged"])
        for e in entries
    ] == [(0, 0, 1), (0, 0, 1), (0, 1, 0), (1, 1, 0)]
