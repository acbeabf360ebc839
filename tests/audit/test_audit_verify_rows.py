"""``kojin audit verify`` also compares the registry rows with the digests the chain holds: a
decision row changed behind kojin's back fails the run, naming the table and the row."""

from __future__ import annotations

from pathlib import Path

from audit_attacks import kojin, run_sql

from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.vocabulary import Action
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import decide_and_record


def _decision(database: Database) -> str:
    request = DecisionRequest(action=Action.USE, category="customer", purpose="provide_services")
    with database.uow() as session:
        return decide_and_record(
            session=session, request=request, policy=to_facts(load_policy(None)), actor="t"
        ).id


def test_intact_rows_are_reported_as_checked(home: Path, database: Database) -> None:
    _decision(database)
    done = kojin("audit", "verify")
    assert done.exit_code == 0, done.output
    assert "registry rows match the chain: 1 checked" in done.stdout


def test_a_decision_changed_in_the_database_fails_verify(
    home: Path, database: Database, db_url: str
) -> None:
    decision_id = _decision(database)
    run_sql(db_url, [f"UPDATE decisions SET allowed = NOT allowed WHERE id = '{decision_id}'"])
    done = kojin("audit", "verify")
    assert done.exit_code == 1, done.output
    assert "audit chain intact" in done.stdout  # the chain itself still holds
    assert "registry rows do not match the chain" in done.stderr
    assert "decisions" in done.stderr
    assert decision_id in done.stderr
