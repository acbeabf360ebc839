"""gather_disclosure puts the fulfilment job's findings in the company's stores into the
record, next to what the registry holds (on SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from pkgstores_data import NOW, customers, orders

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.policy import load_policy, to_facts
from kojin.policy.model import Policy
from kojin.registry.subjects import SubjectCreate, create_subject
from kojin.requests.disclosure import gather_disclosure
from kojin.requests.disclosure_record import DisclosedStoreCollection, DisclosureRecord


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(None)


@pytest.fixture
def subject_id(database: Database, cipher: FieldCipher, policy: Policy) -> str:
    with database.uow() as session:
        return create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="customer", email="hanako@example.jp"),
            policy=to_facts(policy),
            actor="test",
        ).id


def _gather(
    database: Database,
    policy: Policy,
    subject_id: str,
    stores: Sequence[DisclosedStoreCollection] = (),
    *,
    searched: bool = False,
) -> DisclosureRecord:
    with database.read() as session:
        return gather_disclosure(
            session=session,
            policy=policy,
            subject_id=subject_id,
            lang="ja",
            include_third_party_records=True,
            now=NOW,
            stores=stores,
            stores_searched=searched,
        )


def test_the_stores_go_into_the_record(database: Database, policy: Policy, subject_id: str) -> None:
    found: tuple[DisclosedStoreCollection, ...] = (customers(), orders())
    record = _gather(database, policy, subject_id, found)
    assert record.subject.id == subject_id  # the registry's part is there as before
    assert record.stores == list(found)
    assert record.stores_searched is True  # rows were found, so the stores were searched


def test_searched_nothing_found_and_not_searched(
    database: Database, policy: Policy, subject_id: str
) -> None:
    nothing = _gather(database, policy, subject_id, searched=True)
    assert (nothing.stores, nothing.stores_searched) == ([], True)
    absent = _gather(database, policy, subject_id)
    assert (absent.stores, absent.stores_searched) == ([], False)
