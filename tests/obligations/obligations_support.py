"""Helpers for the obligation-task tests: the seed policy, requests that create duties and a
recorded decision."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import decide_batch
from kojin.registry.decisions.schemas import RecordedDecision

POLICY: PolicyFacts = to_facts(load_policy(None))
#: 2027-04-07 10:00 in Tokyo
NOW = datetime(2027, 4, 7, 1, 0, tzinfo=UTC)
ACTOR = "officer@example.jp"


def entrust(
    name: str = "Entrustee KK", *, purpose: str = "provide_services", **extra: Any
) -> DecisionRequest:
    """Entrusting customer data to `name` in Japan: allowed, owes supervision (R-SEC-4)."""
    return DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "purpose": purpose,
            "recipient": {"name": name, "country": "JP", "relation": "entrustee"},
            **extra,
        }
    )


def foreign_equivalent(name: str = "Overseas Inc") -> DecisionRequest:
    """Providing customer data to a US recipient with a Rule 16 system (R-TP-FX-3)."""
    return DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": name, "country": "US", "equivalent_measures": True},
            "consent": {"given": True},
        }
    )


def provide_without_consent() -> DecisionRequest:
    """Providing to a third party without consent: denied."""
    return DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": "Buyer KK", "country": "JP"},
        }
    )


def decide(
    database: Database,
    *requests: DecisionRequest,
    now: datetime = NOW,
    actor: str = ACTOR,
) -> list[RecordedDecision]:
    with database.uow() as session:
        return decide_batch(
            session=session, requests=list(requests), policy=POLICY, actor=actor, now=now
        )


def audit_entries(database: Database, action: str) -> list[AuditEntry]:
    with database.read() as session:
        return list(
            session.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            ).scalars()
        )
