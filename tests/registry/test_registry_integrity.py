"""Rows against the chain: someone who can write to the database changes a decision, a
provision record, a consent or a stop flag, deletes a record or slips in a row, and
:func:`kojin.registry.integrity.check_rows` names the first such row by table and id.

The consent, withdrawal and subject rows here are written as their services will write them
(rows plus chain entries carrying the digests of the contract); the same attacks on rows made
by the services themselves are in ``test_registry_integrity_consents.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, event, insert, select, text
from sqlalchemy.engine import Engine

from kojin.audit.models import AuditEntry
from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action
from kojin.policy import load_policy, to_facts
from kojin.registry.consents.models import Consent, ConsentWithdrawal
from kojin.registry.decisions import decide_batch
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.integrity import RowCheckResult, RowProblem, check_rows
from kojin.registry.provisions import ProvisionDetails, purge_expired
from kojin.registry.row_digest import row_digest, table_columns
from kojin.registry.subjects.models import Subject

NOW = datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC)
FLAG_COLUMNS = ("id", "stop_use", "stop_provision", "flags_updated_at")


@pytest.fixture(scope="module")
def policy() -> PolicyFacts:
    return to_facts(load_policy(None))


def _check(database: Database) -> RowCheckResult:
    with database.read() as session:
        return check_rows(session=session)


def _tamper(database: Database, sql: str, **params: Any) -> None:
    """Raw SQL behind kojin's back."""
    with database.engine.begin() as conn:
        conn.execute(text(sql), params)


def _decide(database: Database, policy: PolicyFacts, count: int = 3) -> list[Any]:
    """`count` provisions with consent (each with one provision record) and one plain use."""
    provide = DecisionRequest(
        action=Action.PROVIDE,
        category="customer",
        purpose="provide_services",
        recipient=Recipient(name="Partner KK", country="JP"),
        consent={"given": True},  # type: ignore[arg-type]
    )
    use = DecisionRequest(action=Action.USE, category="customer", purpose="provide_services")
    with database.uow() as session:
        return decide_batch(
            session=session,
            requests=[*[provide] * count, use],
            policy=policy,
            actor="t",
            provisions=[ProvisionDetails(items=["name"])] * count + [None],
            now=NOW,
        )


def _subject_with_consent(database: Database, *, withdrawn: bool) -> dict[str, str]:
    """A subject, a consent and (optionally) its withdrawal, chained as the services will chain
    them: ``subject.created`` / ``subject.flags_set`` with ``flags_sha256``, ``consent.recorded``
    and ``consent.withdrawn`` with ``row_sha256``."""
    subject: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "category": "customer",
        "created_at": NOW,
        "key_id": "k1",
        "stop_use": False,
        "stop_provision": False,
        "flags_updated_at": None,
    }
    consent: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "subject_id": subject["id"],
        "category": "customer",
        "purpose": None,
        "recipient": None,
        "country": "US",
        "notice_version": "2026-01",
        "foreign_information": {"country": "US", "country_system": "doc:1"},
        "method": "checkbox",
        "by_representative": False,
        "given_at": NOW,
        "recorded_at": NOW,
        "recorded_by": "t",
    }
    events = [
        AuditEvent(
            actor="t",
            action="subject.created",
            object_type="subject",
            object_id=subject["id"],
            details={"category": "customer", "flags_sha256": row_digest(subject, FLAG_COLUMNS)},
        ),
        AuditEvent(
            actor="t",
            action="consent.recorded",
            object_type="consent",
            object_id=consent["id"],
            details={"row_sha256": row_digest(consent, table_columns(_table(Consent)))},
        ),
    ]
    subject["stop_provision"], subject["flags_updated_at"] = True, NOW + timedelta(seconds=1)
    events.append(
        AuditEvent(
            actor="t",
            action="subject.flags_set",
            object_type="subject",
            object_id=subject["id"],
            details={"stop_provision": True, "flags_sha256": row_digest(subject, FLAG_COLUMNS)},
        )
    )
    ids = {"subject": str(subject["id"]), "consent": str(consent["id"])}
    with database.uow() as session:
        session.execute(insert(_table(Subject)), [subject])
        session.execute(insert(_table(Consent)), [consent])
        if withdrawn:
            withdrawal: dict[str, Any] = {
                "id": uuid.uuid4().hex,
                "consent_id": consent["id"],
                "method": "email",
                "withdrawn_at": NOW,
                "recorded_at": NOW,
                "recorded_by": "t",
            }
            session.execute(insert(_table(ConsentWithdrawal)), [withdrawal])
            events.append(
                AuditEvent(
                    actor="t",
                    action="consent.withdrawn",
                    object_type="consent",
                    object_id=consent["id"],
                    details={
                        "withdrawal_id": withdrawal["id"],
                        "row_sha256": row_digest(
                            withdrawal, table_columns(_table(ConsentWithdrawal))
                        ),
                    },
                )
            )
            ids["withdrawal"] = str(withdrawal["id"])
        append_entries(session=session, events=events)
    return ids


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def test_an_untouched_registry_matches(database: Database, policy: PolicyFacts) -> None:
    _decide(database, policy)
    _subject_with_consent(database, withdrawn=True)
    _subject_with_consent(database, withdrawn=False)
    result = _check(database)
    assert result.ok, result.reason
    # 4 decisions, 3 provision records, 2 subjects' flags, 2 consents, 1 withdrawal
    assert (result.checked, result.unchecked, result.purged) == (12, 0, 0)
    assert result.first_mismatch is None


def test_a_changed_decision_is_named(database: Database, policy: PolicyFacts) -> None:
    recorded = _decide(database, policy)
    target = recorded[1]
    _tamper(database, "UPDATE decisions SET allowed = NOT allowed WHERE id = :id", id=target.id)
    result = _check(database)
    assert not result.ok
    mismatch = result.first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem, mismatch.seq) == (
        "decisions",
        target.id,
        RowProblem.CHANGED,
        target.audit_seq,
    )
    assert result.reason == (
        f"decisions: row {target.id} was changed since the chain recorded it "
        f"(chain entry {target.audit_seq})"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE decisions SET created_at = created_at + INTERVAL '1 second' WHERE id = :id",
        "UPDATE decisions SET actor = 'someone else' WHERE id = :id",
        "UPDATE decisions SET subject_id = '0123456789abcdef0123456789abcdef' WHERE id = :id",
    ],
    ids=["timestamp", "actor", "subject"],
)
def test_any_column_of_a_decision_counts(database: Database, policy: PolicyFacts, sql: str) -> None:
    recorded = _decide(database, policy, count=1)
    if database.engine.dialect.name == "sqlite":
        sql = sql.replace(
            "created_at + INTERVAL '1 second'",
            "strftime('%Y-%m-%d %H:%M:%f', created_at, '+1 seconds')",
        )
    _tamper(database, sql, id=recorded[0].id)
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem) == (
        "decisions",
        recorded[0].id,
        RowProblem.CHANGED,
    )


def test_a_changed_provision_recipient_is_named(database: Database, policy: PolicyFacts) -> None:
    recorded = _decide(database, policy)
    (record_id,) = recorded[2].provision_ids
    _tamper(
        database,
        "UPDATE provision_records SET recipient_name = 'Other KK' WHERE id = :id",
        id=record_id,
    )
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem, mismatch.seq) == (
        "provision_records",
        record_id,
        RowProblem.CHANGED,
        recorded[2].audit_seq,
    )


def test_a_deleted_provision_record_is_missing_unless_purged(
    database: Database, policy: PolicyFacts
) -> None:
    recorded = _decide(database, policy)
    (record_id,) = recorded[0].provision_ids
    _tamper(database, "DELETE FROM provision_records WHERE id = :id", id=record_id)
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem) == (
        "provision_records",
        record_id,
        RowProblem.MISSING,
    )
    assert "is missing and no purge of it was recorded" in mismatch.describe()


def test_purged_provision_records_are_gone_as_recorded(
    database: Database, policy: PolicyFacts
) -> None:
    _decide(database, policy)
    with database.uow() as session:
        purged = purge_expired(session=session, now=NOW + timedelta(days=365 * 4), actor="t")
    assert len(purged) == 3
    result = _check(database)
    assert result.ok, result.reason
    assert result.purged == 3


def test_a_decision_the_chain_never_saw_is_named(database: Database, policy: PolicyFacts) -> None:
    recorded = _decide(database, policy, count=1)
    forged = "f" * 32
    _tamper(
        database,
        "INSERT INTO decisions (id, created_at, actor, subject_id, action, category, allowed, "
        "request, facts, decision, audit_seq) SELECT :new, created_at, actor, subject_id, action, "
        "category, allowed, request, facts, decision, audit_seq FROM decisions WHERE id = :old",
        new=forged,
        old=recorded[0].id,
    )
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem, mismatch.seq) == (
        "decisions",
        forged,
        RowProblem.UNRECORDED,
        None,
    )


def test_an_inserted_row_whose_id_is_personal_data_is_not_repeated(
    database: Database, policy: PolicyFacts
) -> None:
    recorded = _decide(database, policy, count=1)
    _tamper(
        database,
        "INSERT INTO decisions (id, created_at, actor, subject_id, action, category, allowed, "
        "request, facts, decision, audit_seq) SELECT :new, created_at, actor, subject_id, action, "
        "category, allowed, request, facts, decision, audit_seq FROM decisions WHERE id = :old",
        new="taro@example.jp",
        old=recorded[0].id,
    )
    result = _check(database)
    assert result.first_mismatch is not None
    assert result.first_mismatch.row_id is None
    assert result.first_mismatch.problem is RowProblem.UNRECORDED
    assert "taro" not in (result.reason or "")


def test_the_first_mismatch_is_reported_table_by_table(
    database: Database, policy: PolicyFacts
) -> None:
    recorded = _decide(database, policy)
    (record_id,) = recorded[0].provision_ids
    _tamper(database, "DELETE FROM provision_records WHERE id = :id", id=record_id)
    _tamper(database, "UPDATE decisions SET category = 'x' WHERE id = :id", id=recorded[2].id)
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id) == ("decisions", recorded[2].id)


@pytest.mark.parametrize(
    ("sql", "table", "problem"),
    [
        ("UPDATE consents SET purpose = 'marketing' WHERE id = :consent", "consents", "changed"),
        (
            "DELETE FROM consent_withdrawals WHERE id = :withdrawal",
            "consent_withdrawals",
            "missing",
        ),
        (
            "UPDATE consent_withdrawals SET method = 'written' WHERE id = :withdrawal",
            "consent_withdrawals",
            "changed",
        ),
        (
            "UPDATE subjects SET stop_provision = NOT stop_provision WHERE id = :subject",
            "subjects",
            "changed",
        ),
        ("UPDATE subjects SET flags_updated_at = NULL WHERE id = :subject", "subjects", "changed"),
    ],
    ids=["consent", "withdrawal-deleted", "withdrawal-method", "stop-flag", "flag-time"],
)
def test_consent_withdrawal_and_flag_rows_are_checked_against_their_latest_entry(
    database: Database, sql: str, table: str, problem: str
) -> None:
    ids = _subject_with_consent(database, withdrawn=True)
    _tamper(database, sql, **ids)
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    expected_id = {"consents": "consent", "consent_withdrawals": "withdrawal"}.get(table, "subject")
    assert (mismatch.table, mismatch.row_id, mismatch.problem.value) == (
        table,
        ids[expected_id],
        problem,
    )


def test_a_withdrawal_the_chain_never_saw_is_named(database: Database) -> None:
    ids = _subject_with_consent(database, withdrawn=False)
    forged = uuid.uuid4().hex
    _tamper(
        database,
        "INSERT INTO consent_withdrawals (id, consent_id, method, withdrawn_at, recorded_at, "
        "recorded_by) SELECT :new, id, 'email', given_at, recorded_at, recorded_by FROM consents "
        "WHERE id = :consent",
        new=forged,
        consent=ids["consent"],
    )
    mismatch = _check(database).first_mismatch
    assert mismatch is not None
    assert (mismatch.table, mismatch.row_id, mismatch.problem) == (
        "consent_withdrawals",
        forged,
        RowProblem.UNRECORDED,
    )


def test_rows_recorded_before_digests_are_counted_unchecked(
    database: Database, policy: PolicyFacts
) -> None:
    """A decision chained by an earlier release: its entry has no digests."""
    recorded = _decide(database, policy, count=1)
    (record_id,) = recorded[0].provision_ids
    row_id = uuid.uuid4().hex
    with database.uow() as session:
        [entry] = append_entries(
            session=session,
            events=[
                AuditEvent(
                    actor="t",
                    action="decision.recorded",
                    object_type="decision",
                    object_id=row_id,
                    details={"outcome": "allow", "provision_ids": []},
                )
            ],
        )
        session.execute(
            text(
                "INSERT INTO decisions (id, created_at, actor, subject_id, action, category, "
                "allowed, request, facts, decision, audit_seq) SELECT :new, created_at, actor, "
                "subject_id, action, category, allowed, request, facts, decision, :seq "
                "FROM decisions WHERE id = :old"
            ),
            {"new": row_id, "seq": entry.seq, "old": recorded[0].id},
        )
    result = _check(database)
    assert result.ok, result.reason
    assert (result.checked, result.unchecked) == (3, 1)
    _tamper(database, "UPDATE decisions SET allowed = NOT allowed WHERE id = :id", id=row_id)
    assert _check(database).ok  # nothing to check it against
    assert record_id


def test_an_entry_whose_details_are_no_object_is_reported(
    database: Database, policy: PolicyFacts
) -> None:
    recorded = _decide(database, policy, count=1)
    _tamper(
        database,
        "UPDATE audit_entries SET details = '[1]' WHERE seq = :seq",
        seq=recorded[0].audit_seq,
    )
    result = _check(database)
    assert result.first_mismatch is not None
    assert result.first_mismatch.problem is RowProblem.UNREADABLE_ENTRY
    assert result.first_mismatch.seq == recorded[0].audit_seq


def test_cells_no_longer_readable_are_a_changed_row_not_a_crash(
    sqlite_url: str, policy: PolicyFacts
) -> None:
    """SQLite keeps whatever is written: a JSON cell that is no JSON, a time that is no time."""
    database = Database.from_url(sqlite_url)
    try:
        recorded = _decide(database, policy, count=1)
        _tamper(
            database, "UPDATE decisions SET request = '{not json' WHERE id = :id", id=recorded[0].id
        )
        first = _check(database).first_mismatch
        assert first is not None
        assert (first.table, first.problem) == ("decisions", RowProblem.CHANGED)
        _tamper(
            database,
            "UPDATE decisions SET request = '{}', created_at = 'yesterday' WHERE id = :id",
            id=recorded[0].id,
        )
        second = _check(database).first_mismatch
        assert second is not None
        assert (second.table, second.problem) == ("decisions", RowProblem.CHANGED)
        _tamper(database, "UPDATE audit_entries SET details = '{oops' WHERE seq = 1")
        third = _check(database).first_mismatch
        assert third is not None
        assert third.problem is RowProblem.UNREADABLE_ENTRY
    finally:
        database.dispose()


@pytest.fixture
def selects(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine: Engine = database.engine
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_the_check_reads_in_batches_not_per_row(
    database: Database, policy: PolicyFacts, selects: list[str]
) -> None:
    _decide(database, policy, count=2)
    _check(database)  # the first use of a connection may read settings of its own
    selects.clear()
    _check(database)
    few = len(selects)
    _decide(database, policy, count=40)
    for _ in range(5):
        _subject_with_consent(database, withdrawn=True)
    selects.clear()
    progress: list[int] = []
    with database.read() as session:
        result = check_rows(session=session, on_progress=progress.append)
    assert result.ok, result.reason
    assert len(selects) == few
    assert sum(progress) >= result.checked
    with database.read() as session:
        entries = session.execute(select(AuditEntry.seq)).all()
    assert len(entries) > 40


def test_decision_rows_are_read_as_stored(database: Database, policy: PolicyFacts) -> None:
    """The digest of a row read back equals the chained one (JSON columns, times)."""
    recorded = _decide(database, policy, count=1)
    with database.read() as session:
        row = session.execute(
            select(_table(DecisionRecord)).where(_table(DecisionRecord).c.id == recorded[0].id)
        ).one()
        details = session.get(AuditEntry, recorded[0].audit_seq)
    assert details is not None
    assert details.details["row_sha256"] == row_digest(
        dict(row._mapping), table_columns(_table(DecisionRecord), exclude=("audit_seq",))
    )
