"""Decisions as a service: facts from the registry, the law decides, the decision is stored,
chained in the audit log and its provision records created, all in the caller's transaction."""

from kojin.registry.decisions.schemas import DecisionOut, RecordedDecision
from kojin.registry.decisions.service import decide_and_record, decide_batch, get_decision

__all__ = ["DecisionOut", "RecordedDecision", "decide_and_record", "decide_batch", "get_decision"]
