"""Decisions read the register (R-SEC-4, R-MN-8, R-TP-FX-3): an entrustment to a recipient not
in the register or whose check is overdue says so in its reasons; a Rule 16 recipient whose last
check failed no longer counts as having equivalent measures; other requests never query it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from recipients_support import add, check, entrustee_fields, foreign_fields
from sqlalchemy import event

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.law.supervision import CHECK_OVERDUE, NOT_REGISTERED, RULE16_FAILED
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import decide_batch, get_decision
from kojin.registry.recipients.schemas import CheckKind, CheckResult

POLICY: PolicyFacts = to_facts(load_policy(None))
#: 2028-02-01 in Tokyo: the carrier's first check (due 2028-01-10) is overdue
LATE = datetime(2028, 2, 1, 3, 0, tzinfo=UTC)
EARLY = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)


def _entrust(name: str, **recipient: Any) -> DecisionRequest:
    return DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": name, "country": "JP", "relation": "entrustee", **recipient},
        }
    )


def _decide(db: Database, requests: list[DecisionRequest], now: datetime) -> list[Any]:
    with db.uow() as session:
        return decide_batch(
            session=session, requests=requests, policy=POLICY, actor="system", now=now
        )


def test_the_reasons_follow_the_register(db: Database, rcipher: FieldCipher) -> None:
    carrier = add(db, rcipher, entrustee_fields())
    unknown, registered, same = _decide(
        db,
        [
            _entrust("Unknown Logistics"),
            _entrust("配送サービス株式会社"),
            _entrust("㈱配送サービス"),
        ],
        EARLY,
    )
    assert unknown.decision.allowed
    assert unknown.decision.reasons[-1] == NOT_REGISTERED.en
    assert "R-SEC-4" in unknown.decision.rules
    assert NOT_REGISTERED.en not in registered.decision.reasons
    assert not any("periodic check" in r for r in registered.decision.reasons)
    assert same.decision.reasons == registered.decision.reasons
    (late,) = _decide(db, [_entrust("配送サービス")], LATE)
    assert late.decision.allowed
    assert late.decision.reasons[-1] == CHECK_OVERDUE.en + " It was due on 2028-01-10."
    # stored as decided: the decision read back carries the same reasons
    with db.read() as session:
        stored = get_decision(session=session, decision_id=late.id)
    assert stored.decision.reasons == late.decision.reasons
    check(db, rcipher, carrier.id, on=date(2028, 1, 31))
    (checked,) = _decide(db, [_entrust("配送サービス")], LATE)
    assert CHECK_OVERDUE.en + " It was due on 2028-01-10." not in checked.decision.reasons
    assert checked.decision.reasons == registered.decision.reasons


def test_a_failed_rule16_check_takes_away_the_equivalent_measures(
    db: Database, rcipher: FieldCipher
) -> None:
    cloud = add(db, rcipher, foreign_fields())
    request = _entrust("Example Cloud", country="US", equivalent_measures=True)
    (before,) = _decide(db, [request], EARLY)
    assert before.decision.allowed
    check(
        db,
        rcipher,
        cloud.id,
        on=date(2027, 5, 1),
        kind=CheckKind.FOREIGN_MEASURES,
        result=CheckResult.FAILED,
    )
    (after,) = _decide(db, [request], EARLY)
    assert not after.decision.allowed
    assert RULE16_FAILED.en.format_map({"country": "US"}) in after.decision.reasons
    assert "R-TP-FX-3" in after.decision.rules


@pytest.mark.parametrize("needs", [False, True])
def test_the_register_is_read_once_per_batch_and_only_when_needed(
    db: Database, rcipher: FieldCipher, needs: bool
) -> None:
    add(db, rcipher, entrustee_fields())
    use = DecisionRequest.model_validate(
        {"action": "use", "category": "customer", "purpose": "provide_services"}
    )
    requests = [use] * 5 + ([_entrust("配送サービス"), _entrust("Other KK")] if needs else [])
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM recipients" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        _decide(db, requests, EARLY)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == (1 if needs else 0)
