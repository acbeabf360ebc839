"""Decision service results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kojin.law.decision_schemas import Decision, DecisionRequest, Facts


class RecordedDecision(BaseModel):
    """A decision as stored: its id, the answer, the facts used and where it sits in the chain."""

    model_config = ConfigDict(frozen=True)

    id: str
    decision: Decision
    facts: Facts
    audit_seq: int
    provision_ids: list[str]


class DecisionOut(RecordedDecision):
    """A stored decision read back, with its request and when and by whom it was made."""

    created_at: datetime
    actor: str
    request: DecisionRequest
