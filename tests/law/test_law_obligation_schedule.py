"""The schedule of the duties a decision creates: every duty has a timing and a scope (or is a
provider record, which creates no task), and the dedup key joins exactly the decisions that owe
the same duty to the same recipient, purpose, dataset or subject."""

from __future__ import annotations

import pytest
from law_support import ask

from kojin.law import KNOWN_RULE_IDS, obligations
from kojin.law.citations import Duty
from kojin.law.obligation_schedule import (
    NO_TASK,
    PROMPTLY_DAYS,
    SCHEDULE,
    WITHOUT_DELAY_DAYS,
    YEARLY_DAYS,
    Scope,
    Timing,
    normalized_name,
    schedule_for,
    task_key,
)
from kojin.law.vocabulary import ObligationCode

DUTIES = [v for v in vars(obligations).values() if isinstance(v, Duty)]


@pytest.mark.parametrize("duty", DUTIES, ids=lambda d: f"{d.obligation.code}:{d.rule}")
def test_every_duty_is_scheduled_or_a_provider_record(duty: Duty) -> None:
    key = (duty.obligation.code, duty.rule)
    assert (key in SCHEDULE) != (key in NO_TASK)
    found = schedule_for(duty.obligation)
    if key in NO_TASK:
        assert found is None
    else:
        assert found is SCHEDULE[key]
        assert found.citation == duty.obligation.citation
        assert found.rule in KNOWN_RULE_IDS
        assert found.scope
        assert found.why.startswith(found.rule)


def test_provider_records_create_no_task() -> None:
    assert {code for code, _ in NO_TASK} == {
        ObligationCode.RECORD_PROVISION,
        ObligationCode.RECORD_PRI_PROVISION,
    }
    assert all(code not in NO_TASK for code in SCHEDULE)


def test_timings_and_due_days() -> None:
    for entry in SCHEDULE.values():
        if entry.timing is Timing.PERIODIC:
            assert entry.interval_days == YEARLY_DAYS
        else:
            assert entry.interval_days is None
        if entry.timing is Timing.BEFORE_PROVISION:
            assert entry.first_due_days == 0
        if entry.timing is Timing.PROMPTLY:
            assert entry.first_due_days == PROMPTLY_DAYS
        if entry.timing is Timing.WITHOUT_DELAY:
            assert entry.first_due_days == WITHOUT_DELAY_DAYS
    supervise = SCHEDULE[(ObligationCode.SUPERVISE_ENTRUSTEE, "R-SEC-4")]
    assert (supervise.timing, supervise.first_due_days, supervise.scope) == (
        Timing.PERIODIC,
        0,
        (Scope.RECIPIENT,),
    )
    foreign = SCHEDULE[(ObligationCode.PERIODIC_CHECK_FOREIGN_RECIPIENT, "R-TP-FX-3")]
    assert (foreign.first_due_days, foreign.interval_days) == (YEARLY_DAYS, YEARLY_DAYS)


def test_a_decision_entrusting_data_owes_a_scheduled_supervision() -> None:
    decision = ask(
        {
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": "Recipient Co", "country": "JP", "relation": "entrustee"},
        }
    )
    assert decision.allowed
    found = [schedule_for(o) for o in decision.obligations]
    assert [s.code for s in found if s is not None] == [ObligationCode.SUPERVISE_ENTRUSTEE]


def test_names_match_whatever_their_width_case_and_spaces() -> None:
    assert normalized_name("ＡＢＣ　 株式会社") == normalized_name("abc 株式会社") == "abc 株式会社"
    assert normalized_name(None) == normalized_name("") == ""


def test_recipient_scope_ignores_purpose_and_category_but_not_country() -> None:
    supervise = SCHEDULE[(ObligationCode.SUPERVISE_ENTRUSTEE, "R-SEC-4")]
    one = task_key(
        supervise, category="customer", purpose="a", recipient_name="ABC", recipient_country="jp"
    )
    assert one == task_key(
        supervise, category="employee", purpose="b", recipient_name="abc ", recipient_country="JP"
    )
    assert one != task_key(
        supervise, category="customer", recipient_name="ABC", recipient_country="US"
    )
    assert one != task_key(
        supervise, category="customer", recipient_name="XYZ", recipient_country="JP"
    )
    mn = SCHEDULE[(ObligationCode.SUPERVISE_ENTRUSTEE, "R-MN-8")]
    assert one != task_key(mn, category="customer", recipient_name="ABC", recipient_country="JP")
    assert len(one) == 64


def test_purpose_scope_joins_the_same_category_and_purpose() -> None:
    notify = SCHEDULE[(ObligationCode.NOTIFY_OR_PUBLISH_PURPOSE, "R-ACQ-3")]
    one = task_key(notify, category="customer", purpose="surveys", recipient_name="A")
    assert one == task_key(notify, category="customer", purpose=" surveys", recipient_name="B")
    assert one != task_key(notify, category="customer", purpose="billing")
    assert one != task_key(notify, category="employee", purpose="surveys")


def test_subject_scope_without_a_subject_is_the_decision_itself() -> None:
    verify = SCHEDULE[(ObligationCode.VERIFY_IDENTITY_MYNUMBER, "R-MN-4")]
    assert task_key(verify, category="e", subject_id="s1", decision_id="d1") == task_key(
        verify, category="e", subject_id="s1", decision_id="d2"
    )
    assert task_key(verify, category="e", decision_id="d1") != task_key(
        verify, category="e", decision_id="d2"
    )


def test_dataset_scope() -> None:
    publish = SCHEDULE[(ObligationCode.PUBLISH_ANONYMIZED_ITEMS, "R-AN-3")]
    assert task_key(publish, category="c", dataset_id="d1", purpose="x") == task_key(
        publish, category="c", dataset_id="d1", purpose="y"
    )
    assert task_key(publish, category="c", dataset_id="d1") != task_key(
        publish, category="c", dataset_id="d2"
    )
