"""The subject scope at the service level (R-MN-9): one SQL condition decides what a caller sees,
also when the policy declares no specific-personal category at all."""

from __future__ import annotations

import pytest

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import NotFoundError, PermissionDeniedError
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.registry.subjects import (
    FlagsUpdate,
    SubjectCreate,
    SubjectScope,
    create_subject,
    find_subject,
    get_subject,
    list_subjects,
    set_flags,
)

POLICY: PolicyFacts = to_facts(load_policy(None))
DESIGNATED = SubjectScope.for_policy(POLICY, mynumber_authority=True)
OTHERS = SubjectScope.for_policy(POLICY, mynumber_authority=False)


def _create(database: Database, cipher: FieldCipher, category: str, email: str) -> str:
    with database.uow() as session:
        return create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category=category, email=email),
            policy=POLICY,
            actor="t",
        ).id


def test_the_default_policy_marks_one_category() -> None:
    assert DESIGNATED.specific_categories == frozenset({"specific_personal"})


def test_each_side_sees_only_its_subjects(database: Database, cipher: FieldCipher) -> None:
    mine = _create(database, cipher, "specific_personal", "same@example.jp")
    theirs = _create(database, cipher, "customer", "same@example.jp")
    with database.read() as session:
        assert [s.id for s in list_subjects(session=session, scope=DESIGNATED)] == [mine]
        assert [s.id for s in list_subjects(session=session, scope=OTHERS)] == [theirs]
        assert {s.id for s in list_subjects(session=session)} == {mine, theirs}
        for scope, seen in ((DESIGNATED, mine), (OTHERS, theirs)):
            found = find_subject(
                session=session, cipher=cipher, email="same@example.jp", scope=scope
            )
            assert [s.id for s in found] == [seen]
        with pytest.raises(NotFoundError, match=r"^subject not found$"):
            get_subject(session=session, subject_id=mine, scope=OTHERS)
        with pytest.raises(NotFoundError, match=r"^subject not found$"):
            get_subject(session=session, subject_id=theirs, scope=DESIGNATED)
        with pytest.raises(PermissionDeniedError):
            list_subjects(session=session, category="specific_personal", scope=OTHERS)
    with pytest.raises(NotFoundError), database.uow() as session:
        set_flags(
            session=session,
            subject_id=mine,
            flags=FlagsUpdate(stop_use=True),
            actor="t",
            scope=OTHERS,
        )


def test_a_policy_without_specific_categories(database: Database, cipher: FieldCipher) -> None:
    subject_id = _create(database, cipher, "customer", "c@example.jp")
    empty = SubjectScope(specific_categories=frozenset(), mynumber_authority=True)
    everyone = SubjectScope(specific_categories=frozenset(), mynumber_authority=False)
    with database.read() as session:
        assert list_subjects(session=session, scope=empty) == []
        assert [s.id for s in list_subjects(session=session, scope=everyone)] == [subject_id]


def test_creating_outside_the_scope_is_refused(database: Database, cipher: FieldCipher) -> None:
    with pytest.raises(PermissionDeniedError), database.uow() as session:
        create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="specific_personal"),
            policy=POLICY,
            actor="t",
            scope=OTHERS,
        )
    with database.read() as session:
        assert list_subjects(session=session) == []
