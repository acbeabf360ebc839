"""Staff follow the tasks: list (overdue first, filters), assign an owner and move a due date
with a reason, close with evidence (a document, or a kojin record that exists), reopen; closing a
periodic task opens its next round a year later. Every step is chained with its actor, and no
name or text staff typed reaches the chain."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from obligations_support import (
    ACTOR,
    NOW,
    audit_entries,
    decide,
    entrust,
    foreign_equivalent,
)
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.law.vocabulary import ObligationCode
from kojin.management.task_evidence import close_task_with_evidence
from kojin.registry.obligations.models import ObligationTask
from kojin.registry.obligations.schemas import (
    AssignTask,
    Evidence,
    EvidenceKind,
    Owner,
    OwnerKind,
    RecordKind,
    TaskStatus,
)
from kojin.registry.obligations.service import (
    assign_task,
    get_task,
    list_tasks,
    next_round_of,
    reopen_task,
    task_figures,
)

TODAY = date(2027, 4, 7)
PERSON = "山田太郎"
REASON = "契約更新を待つため（担当 佐藤花子）"
DOCUMENT = Evidence(
    kind=EvidenceKind.DOCUMENT,
    description="委託先評価シート 佐藤花子 記入",
    reference="\\\\share\\privacy\\eval-2027.xlsx",
)


def _ids(database: Database, cipher: FieldCipher, **filters: object) -> list[str]:
    with database.read() as session:
        page = list_tasks(session, cipher=cipher, **filters)  # type: ignore[arg-type]
        return [t.recipient_name or "" for t in page.items]


def _seed(database: Database) -> dict[str, str]:
    decide(database, entrust("Alpha KK"))  # supervision due 2027-04-07
    decide(database, entrust("Beta KK"), now=NOW + timedelta(days=10))  # due 2027-04-17
    decide(database, foreign_equivalent("Gamma Inc"))  # check due 2028-04-06
    with database.read() as session:
        rows = session.execute(select(ObligationTask)).scalars()
        return {r.recipient_name or "": r.id for r in rows}


def test_list_filters_and_order(database: Database, cipher: FieldCipher) -> None:
    ids = _seed(database)
    later = TODAY + timedelta(days=5)  # Alpha overdue, Beta due in 5 days
    assert _ids(database, cipher, today=later) == ["Alpha KK", "Beta KK", "Gamma Inc"]
    assert _ids(database, cipher, today=later, overdue=True) == ["Alpha KK"]
    assert _ids(database, cipher, today=later, due_within_days=7) == ["Beta KK"]
    assert _ids(database, cipher, today=later, overdue=True, due_within_days=7) == [
        "Alpha KK",
        "Beta KK",
    ]
    assert _ids(database, cipher, code=ObligationCode.PERIODIC_CHECK_FOREIGN_RECIPIENT) == [
        "Gamma Inc"
    ]
    assert _ids(database, cipher, status=TaskStatus.DONE) == []
    with database.read() as session:
        page = list_tasks(session, cipher=cipher, today=later, limit=1, offset=1)
        assert (page.total, [t.id for t in page.items]) == (3, [ids["Beta KK"]])
        alpha = get_task(session, cipher=cipher, task_id=ids["Alpha KK"], today=later)
        assert alpha.overdue
        assert alpha.days_left == -5
        assert alpha.text_ja
        assert alpha.text_en.startswith("Select, contract")
        assert [e.action for e in alpha.history] == ["task.opened"]
        with pytest.raises(NotFoundError):
            get_task(session, cipher=cipher, task_id="0" * 32)
        with pytest.raises(NotFoundError):
            get_task(session, cipher=cipher, task_id="not an id")
        with pytest.raises(InputError):
            list_tasks(session, cipher=cipher, limit=0)


def test_assign_owner_and_due_date(database: Database, cipher: FieldCipher) -> None:
    ids = _seed(database)
    with database.uow() as session, pytest.raises(InputError, match="reason"):
        assign_task(
            session,
            cipher=cipher,
            task_id=ids["Alpha KK"],
            change=AssignTask(due_on=date(2027, 5, 1)),
            actor=ACTOR,
        )
    with database.uow() as session:
        task = assign_task(
            session,
            cipher=cipher,
            task_id=ids["Alpha KK"],
            change=AssignTask(
                owner=Owner(kind=OwnerKind.PERSON, name=PERSON),
                due_on=date(2027, 5, 1),
                reason=REASON,
            ),
            actor="manager@example.jp",
            now=NOW,
        )
    assert task.owner == Owner(kind=OwnerKind.PERSON, name=PERSON)
    assert task.due_on == date(2027, 5, 1)
    assert task.history[-1].note == REASON
    assert task.history[-1].fields == ["owner", "due_on"]
    assert _ids(database, cipher, owner=PERSON) == ["Alpha KK"]
    assert _ids(database, cipher, owner="鈴木一郎") == []
    with database.read() as session:
        row = session.get(ObligationTask, ids["Alpha KK"])
        assert row is not None
        assert row.owner_enc is not None
        assert PERSON not in row.owner_enc
    [entry] = audit_entries(database, "task.assigned")
    assert entry.actor == "manager@example.jp"
    assert entry.details["due_from"] == "2027-04-07"
    assert entry.details["due_to"] == "2027-05-01"
    assert PERSON not in str(entry.details)
    assert "佐藤" not in str(entry.details)


def test_close_periodic_task_opens_the_next_round(database: Database, cipher: FieldCipher) -> None:
    ids = _seed(database)
    closed_at = datetime(2027, 4, 20, 3, 0, tzinfo=NOW.tzinfo)  # late: due 2027-04-07
    with database.uow() as session:
        assign_task(
            session,
            cipher=cipher,
            task_id=ids["Alpha KK"],
            change=AssignTask(owner=Owner(kind=OwnerKind.DEPARTMENT, name="総務部")),
            actor=ACTOR,
        )
        done = close_task_with_evidence(
            session,
            cipher=cipher,
            task_id=ids["Alpha KK"],
            evidence=DOCUMENT,
            actor=ACTOR,
            now=closed_at,
        )
    assert done.status is TaskStatus.DONE
    assert done.evidence == DOCUMENT
    assert done.closed_by == ACTOR
    with database.read() as session:
        following = next_round_of(session, task_id=ids["Alpha KK"])
        assert following is not None
        nxt = get_task(session, cipher=cipher, task_id=following)
        assert (nxt.round, nxt.status, nxt.due_on) == (2, TaskStatus.OPEN, date(2028, 4, 19))
        assert nxt.owner == Owner(kind=OwnerKind.DEPARTMENT, name="総務部")
        figures = task_figures(
            session, since=date(2027, 4, 1), until=date(2027, 4, 30), today=date(2027, 4, 20)
        )
    assert (figures.closed_in_period, figures.closed_late_in_period) == (1, 1)
    assert figures.open == 3  # Beta, Gamma and Alpha's second round
    [closed] = audit_entries(database, "task.closed")
    assert closed.actor == ACTOR
    assert closed.details["late"] is True
    assert closed.details["next_round_id"] == following
    assert "佐藤" not in str(closed.details)
    opened = audit_entries(database, "task.opened")
    assert opened[-1].object_id == following
    with database.uow() as session, pytest.raises(ConflictError):
        close_task_with_evidence(
            session, cipher=cipher, task_id=ids["Alpha KK"], evidence=DOCUMENT, actor=ACTOR
        )
    # reopened and closed again: no second successor
    with database.uow() as session:
        again = reopen_task(
            session, cipher=cipher, task_id=ids["Alpha KK"], actor=ACTOR, reason="評価不備"
        )
        assert again.status is TaskStatus.OPEN
        assert again.evidence is None
        close_task_with_evidence(
            session, cipher=cipher, task_id=ids["Alpha KK"], evidence=DOCUMENT, actor=ACTOR
        )
    with database.read() as session:
        rounds = session.execute(
            select(ObligationTask.round).where(ObligationTask.recipient_name == "Alpha KK")
        ).scalars()
        assert sorted(rounds) == [1, 2]
    assert [e.actor for e in audit_entries(database, "task.reopened")] == [ACTOR]


def test_close_with_a_kojin_record(database: Database, cipher: FieldCipher) -> None:
    [recorded] = decide(database, entrust("Delta KK"))
    with database.read() as session:
        task_id = session.execute(select(ObligationTask.id)).scalar_one()
    missing = Evidence(
        kind=EvidenceKind.RECORD, record_kind=RecordKind.DECISION, record_id="f" * 32
    )
    with database.uow() as session, pytest.raises(InputError, match="no such kojin record"):
        close_task_with_evidence(
            session, cipher=cipher, task_id=task_id, evidence=missing, actor=ACTOR
        )
    incomplete = Evidence(kind=EvidenceKind.DOCUMENT, description="評価")
    with database.uow() as session, pytest.raises(InputError, match="reference"):
        close_task_with_evidence(
            session, cipher=cipher, task_id=task_id, evidence=incomplete, actor=ACTOR
        )
    link = Evidence(
        kind=EvidenceKind.RECORD, record_kind=RecordKind.DECISION, record_id=recorded.id
    )
    with database.uow() as session:
        done = close_task_with_evidence(
            session, cipher=cipher, task_id=task_id, evidence=link, actor=ACTOR
        )
    assert done.evidence == link
    [closed] = audit_entries(database, "task.closed")
    assert closed.details["record"] == f"decision:{recorded.id}"
