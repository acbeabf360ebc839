"""Pydantic schemas of the risk assessments (R-PM-2).

Text fields are bounded and refuse a NUL, a lone surrogate and an individual number (My Number).
Likelihood and impact are 1 (low), 2 (medium) or 3 (high); their product is the score, and a
residual score of :data:`HIGH_RESIDUAL` or more is a high residual risk.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kojin.registry.subjects.text import STORABLE

#: a residual likelihood × impact of this much or more (2×3, 3×2, 3×3) is a high residual risk
HIGH_RESIDUAL: Final = 6
#: the most rule ids one assessment links
MAX_RULE_IDS: Final = 30

Level = Annotated[int, Field(ge=1, le=3)]
RiskText = Annotated[str, StringConstraints(min_length=1, max_length=2000), STORABLE]
MeasuresText = Annotated[str, StringConstraints(max_length=5000), STORABLE]
Owner = Annotated[str, StringConstraints(min_length=1, max_length=200), STORABLE]
RuleId = Annotated[str, StringConstraints(min_length=3, max_length=20, pattern=r"^R-[A-Z0-9-]+$")]


class Stage(StrEnum):
    """The lifecycle stages of personal information an assessment looks at (R-PM-2)."""

    ACQUISITION = "acquisition"
    TRANSFER = "transfer"
    USE = "use"
    STORAGE = "storage"
    PROVISION = "provision"
    DISPOSAL = "disposal"


class Evaluation(StrEnum):
    """Whether the risk is accepted as it is or treated with measures."""

    ACCEPT = "accept"
    TREAT = "treat"


class RiskInput(BaseModel):
    """An assessment as staff record it (a new one, or a review of an existing one)."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage
    risk: RiskText
    likelihood: Level
    impact: Level
    evaluation: Evaluation
    measures: MeasuresText = ""
    rule_ids: list[RuleId] = Field(default_factory=list, max_length=MAX_RULE_IDS)
    residual_likelihood: Level
    residual_impact: Level
    owner: Owner


class RiskOut(BaseModel):
    """A stored assessment, with whether its ledger row changed since and its review is due."""

    model_config = ConfigDict(frozen=True)

    id: str
    ledger_entry_id: str
    ledger_item: str
    stage: Stage
    risk: str
    likelihood: int
    impact: int
    score: int
    evaluation: Evaluation
    measures: str
    rule_ids: list[str]
    residual_likelihood: int
    residual_impact: int
    residual_score: int
    high_residual: bool
    owner: str
    assessed_on: date
    next_review: date
    assessed_at: datetime
    assessed_by: str
    #: the ledger row changed after the assessment: assess again (R-PM-2 "re-assess on change")
    stale: bool
    #: the yearly review's day has passed (R-PM-1)
    review_overdue: bool


class UnassessedRow(BaseModel):
    """A ledger row no assessment covers yet."""

    model_config = ConfigDict(frozen=True)

    ledger_entry_id: str
    item: str
    category: str
    responsible_department: str


class RisksDue(BaseModel):
    """What needs attention: rows never assessed, assessments stale or past their review."""

    model_config = ConfigDict(frozen=True)

    unassessed: list[UnassessedRow]
    stale: list[RiskOut]
    overdue: list[RiskOut]


class RiskFigures(BaseModel):
    """The risk assessments' figures for a period (audits and the management review)."""

    model_config = ConfigDict(frozen=True)

    #: ledger rows
    rows: int
    #: ledger rows with at least one assessment
    rows_assessed: int
    #: assessments past their yearly review or stale (their ledger row changed since), on `today`
    reviews_overdue: int
    #: assessments whose residual score is HIGH_RESIDUAL or more
    high_residual: int
    #: assessments recorded or reviewed in the period (by their latest assessment day)
    assessed_in_period: int
