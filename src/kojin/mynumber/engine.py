"""Every acquisition, use and provision of a number goes through the decision engine first.

The request names the affair as its purpose and the person as its subject, so the registry's
stop flags and consents apply; the decision is stored and chained in the registry
(:func:`kojin.registry.decisions.service.decide_and_record`). A denied decision refuses the
action with the decision's own reasons (:class:`~kojin.mynumber.vault.DecisionRefusedError`),
and stays recorded.
"""

from __future__ import annotations

from datetime import datetime

from kojin.law.decision_schemas import DecisionRequest
from kojin.mynumber.vault import DecisionRefusedError, Vault, VaultSessions
from kojin.registry.decisions.schemas import RecordedDecision
from kojin.registry.decisions.service import decide_and_record


def decide_or_refuse(
    *,
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    request: DecisionRequest,
    now: datetime | None = None,
) -> RecordedDecision:
    """Decide and record `request`; DecisionRefusedError (after the decision is stored) when the
    engine denies it."""
    recorded = decide_and_record(
        session=sessions.registry, request=request, policy=vault.policy, actor=actor, now=now
    )
    decision = recorded.decision
    if not decision.allowed:
        raise DecisionRefusedError(
            f"refused by decision {recorded.id}: {decision.basis}", decision_id=recorded.id
        )
    return recorded
