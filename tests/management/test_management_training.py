"""Training records (R-PM-4): the roster with encrypted names, courses, completions, who is
overdue for the yearly round, the CSV imports (all or nothing; problems name lines and columns,
never values) and key rotation."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from management_support import ACTOR, SECRET_NAME, TODAY, chain, valid_my_number, worker
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.errors import ConflictError, NotFoundError
from kojin.management.training.csvio import TrainingImportError, import_records, import_workers
from kojin.management.training.models import TrainingRecord, TrainingWorker
from kojin.management.training.rotation import WORKERS_STORE
from kojin.management.training.schemas import CourseInput, RecordInput
from kojin.management.training.service import (
    add_course,
    get_worker,
    list_courses,
    list_workers,
    overdue_workers,
    save_records,
    save_workers,
    worker_records,
)
from kojin.registry.keys import rotate_keys
from kojin.settings import Settings


def _courses(database: Database) -> None:
    with database.uow() as session:
        add_course(session=session, course_in=CourseInput(code="PI", title="年次研修"), actor=ACTOR)
        add_course(
            session=session,
            course_in=CourseInput(code="MN", title="番号法", yearly=False),
            actor=ACTOR,
        )


def test_roster_records_and_overdue(sqlite_database: Database, sqlite_cipher: FieldCipher) -> None:
    database, cipher = sqlite_database, sqlite_cipher
    _courses(database)
    with database.uow() as session:
        assert [c.code for c in list_courses(session=session)] == ["PI", "MN"]
        with pytest.raises(ConflictError):
            add_course(session=session, course_in=CourseInput(code="PI", title="x"), actor=ACTOR)
    with database.uow() as session:
        assert save_workers(
            session=session,
            cipher=cipher,
            workers=[
                worker("E1"),
                worker("E2", joined_on=TODAY - timedelta(days=100)),
                worker("E3", joined_on=TODAY - timedelta(days=10)),
            ],
            actor=ACTOR,
        ) == (3, 0, 0)
        stored = session.execute(select(TrainingWorker.name_enc)).scalars().all()
        assert all(SECRET_NAME not in s for s in stored)
    with database.uow() as session:
        saved = save_records(
            session=session,
            records=[
                RecordInput(employee_number="E1", course="PI", completed_on=date(2026, 7, 1)),
                RecordInput(employee_number="E1", course="PI", completed_on=date(2026, 7, 1)),
            ],
            actor=ACTOR,
            today=TODAY,
        )
        assert [r.new for r in saved] == [True]
        again = save_records(
            session=session,
            records=[RecordInput(employee_number="E1", course="PI", completed_on=date(2026, 7, 1))],
            actor=ACTOR,
            today=TODAY,
        )
        assert [r.new for r in again] == [False]
        assert session.execute(select(TrainingRecord)).scalars().all().__len__() == 1
        with pytest.raises(NotFoundError):
            save_records(
                session=session,
                records=[RecordInput(employee_number="E9", course="PI", completed_on=TODAY)],
                actor=ACTOR,
                today=TODAY,
            )
    with database.read() as session:
        one = get_worker(session=session, cipher=cipher, employee_number="E1", today=TODAY)
        assert one.name == SECRET_NAME
        assert one.last_yearly == date(2026, 7, 1)
        assert one.due_on == date(2027, 7, 1)
        assert not one.overdue
        # E2 joined 100 days ago, beyond the 90-day grace; E3 is within it
        assert [
            w.employee_number for w in overdue_workers(session=session, cipher=cipher, today=TODAY)
        ] == ["E2"]
        # a year and a day after E1's round, E1 is overdue too; E3's grace runs to 20 August
        later = date(2027, 7, 2)
        assert [
            w.employee_number for w in overdue_workers(session=session, cipher=cipher, today=later)
        ] == ["E2", "E1"]
        # the grace is a keyword
        assert [
            w.employee_number
            for w in overdue_workers(session=session, cipher=cipher, today=TODAY, grace_days=120)
        ] == []
        assert [r.course for r in worker_records(session=session, employee_number="E1")] == ["PI"]
    # leaving: an inactive worker is overdue for nothing
    with database.uow() as session:
        assert save_workers(
            session=session, cipher=cipher, workers=[worker("E2", active=False)], actor=ACTOR
        ) == (0, 1, 0)
    with database.read() as session:
        assert overdue_workers(session=session, cipher=cipher, today=TODAY) == []
        assert len(list_workers(session=session, cipher=cipher, today=TODAY)) == 2
        assert (
            len(list_workers(session=session, cipher=cipher, today=TODAY, active_only=False)) == 3
        )
        entries = chain(session)
    actions = [e.action for e in entries if e.object_type.startswith("training")]
    assert actions.count("training.worker_added") == 3
    assert actions.count("training.worker_updated") == 1
    assert actions.count("training.recorded") == 1
    assert actions.count("training.course_added") == 2
    assert all(e.actor == ACTOR for e in entries if e.object_type.startswith("training"))
    assert SECRET_NAME not in str([e.details for e in entries])


ROSTER = (
    "employee_number,name,department,kind,joined_on,active\n"
    f"E1,{SECRET_NAME},営業部,employee,2020-04-01,true\n"
    "E2,佐藤花子,人事部,officer,2019-04-01,\n"
)


def test_roster_import_all_or_nothing(
    sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    database, cipher = sqlite_database, sqlite_cipher
    number = valid_my_number()
    bad = (
        ROSTER
        + f"E3,{SECRET_NAME},営業部,boss,2020-04-01,true\n"
        + "E4,鈴木一郎,営業部,employee,not-a-day,true\n"
        + "E1,鈴木二郎,営業部,employee,2020-04-01,true\n"
        + f"{number},鈴木三郎,営業部,employee,2020-04-01,true\n"
        + f"E5,鈴木 {number},営業部,employee,2020-04-01,true\n"
    )
    with database.uow() as session, pytest.raises(TrainingImportError) as caught:
        import_workers(session=session, cipher=cipher, source=io.StringIO(bad), actor=ACTOR)
    problems = caught.value.problems
    assert problems[0].startswith("line 4, column kind:")
    assert problems[1].startswith("line 5, column joined_on:")
    assert problems[2] == "line 6, column employee_number: repeats line 2"
    assert problems[3].startswith("line 7, column employee_number: ")
    assert problems[4].startswith("line 8, column name: ")
    message = str(caught.value)
    for value in (SECRET_NAME, "boss", "not-a-day", "鈴木", number):
        assert value not in message
    with database.read() as session:
        assert session.execute(select(TrainingWorker)).scalars().all() == []
    with database.uow() as session:
        result = import_workers(
            session=session, cipher=cipher, source=io.StringIO(ROSTER), actor=ACTOR
        )
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    with database.uow() as session:
        result = import_workers(
            session=session, cipher=cipher, source=io.StringIO(ROSTER), actor=ACTOR
        )
    assert (result.added, result.updated, result.unchanged) == (0, 0, 2)
    with database.uow() as session, pytest.raises(TrainingImportError) as header:
        import_workers(
            session=session, cipher=cipher, source=io.StringIO("number,name\n1,x\n"), actor=ACTOR
        )
    assert header.value.problems[0].startswith("line 1: unknown column(s) at position 1")


def test_records_import_all_or_nothing(
    sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    database, cipher = sqlite_database, sqlite_cipher
    _courses(database)
    with database.uow() as session:
        import_workers(session=session, cipher=cipher, source=io.StringIO(ROSTER), actor=ACTOR)
    bad = (
        "employee_number,course,completed_on\n"
        "E1,PI,2027-04-01\n"
        "E77,PI,2027-04-01\n"
        "E2,XX,2027-04-01\n"
        "E2,PI,2099-01-01\n"
    )
    with database.uow() as session, pytest.raises(TrainingImportError) as caught:
        import_records(session=session, source=io.StringIO(bad), actor=ACTOR, today=TODAY)
    assert caught.value.problems == [
        "line 3, column employee_number: no worker has this number",
        "line 4, column course: no course has this code",
        "line 5, column completed_on: must not be in the future",
    ]
    assert "E77" not in str(caught.value)
    with database.read() as session:
        assert session.execute(select(TrainingRecord)).scalars().all() == []
    good = "employee_number,course,completed_on\nE1,PI,2027-04-01\nE2,MN,2027-04-02\n"
    with database.uow() as session:
        result = import_records(session=session, source=io.StringIO(good), actor=ACTOR, today=TODAY)
    assert (result.added, result.unchanged) == (2, 0)
    with database.uow() as session:
        result = import_records(session=session, source=io.StringIO(good), actor=ACTOR, today=TODAY)
    assert (result.added, result.unchanged) == (0, 2)


def test_rotation_reaches_the_roster(
    sqlite_settings: Settings, sqlite_database: Database, sqlite_cipher: FieldCipher
) -> None:
    database, cipher = sqlite_database, sqlite_cipher
    with database.uow() as session:
        save_workers(
            session=session, cipher=cipher, workers=[worker("E1"), worker("E2")], actor=ACTOR
        )
    old = cipher.current_key_id
    result = rotate_keys(
        settings=sqlite_settings,
        database=database,
        actor="t",
        batch_size=1,
        stores=(WORKERS_STORE,),
    )
    assert result.stores == {"training_workers": 2}
    new = FieldCipher(Keyring.read(keyring_path(sqlite_settings)))
    assert new.current_key_id != old
    with database.read() as session:
        keys = set(session.execute(select(TrainingWorker.key_id)).scalars())
        assert keys == {new.current_key_id}
        names = [w.name for w in list_workers(session=session, cipher=new, today=TODAY)]
    assert names == [SECRET_NAME, SECRET_NAME]
