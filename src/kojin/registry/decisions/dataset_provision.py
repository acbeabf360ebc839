"""Providing a recorded anonymized dataset: decide (Art. 44 duties), then note the method.

It lives with the decisions because it records one; the datasets package knows nothing of
decisions (the decision service reads a dataset's form, never the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action
from kojin.registry.datasets.schemas import DatasetOut
from kojin.registry.datasets.service import checked_method, get_dataset, mark_provided
from kojin.registry.decisions.schemas import RecordedDecision
from kojin.registry.decisions.service import decide_and_record


@dataclass(frozen=True, slots=True)
class ProvisionOutcome:
    """The recorded decision, and the dataset as updated when the provision was allowed."""

    decision: RecordedDecision
    dataset: DatasetOut | None


def provide_dataset(
    *,
    session: Session,
    dataset_id: str,
    recipient: Recipient,
    method: str,
    policy: PolicyFacts,
    actor: str,
) -> ProvisionOutcome:
    """Ask the engine whether the dataset may go to `recipient`; when allowed, record the method
    of provision so the notice publishes it (R-AN-4). A denial is recorded too, and changes
    nothing else. A method that cannot be stored is refused before anything is decided."""
    checked_method(method)
    dataset = get_dataset(session=session, dataset_id=dataset_id)
    request = DecisionRequest(
        action=Action.PROVIDE,
        category=dataset.category,
        dataset_id=dataset.id,
        recipient=recipient,
    )
    recorded = decide_and_record(session=session, request=request, policy=policy, actor=actor)
    if not recorded.decision.allowed:
        return ProvisionOutcome(decision=recorded, dataset=None)
    updated = mark_provided(
        session=session,
        dataset_id=dataset.id,
        provision_method=method,
        actor=actor,
        decision_id=recorded.id,
    )
    return ProvisionOutcome(decision=recorded, dataset=updated)
