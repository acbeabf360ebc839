"""What a de-identification run produced, as frozen values ready to be recorded and published.

``published_items`` gives the lines of the notice: the items of information about individuals the
created data contains (R-AN-3 on creation, R-AN-4 before provision; for pseudonymized information
the items go with the published purposes, R-PS-3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Literal

from kojin.deid.choices import Metric


class Treatment(StrEnum):
    """What happened to a column."""

    GENERALIZED = "generalized"
    KEPT = "kept"
    SENSITIVE = "sensitive"
    TOKENIZED = "tokenized"
    CODED = "coded"
    DELETED = "deleted"


@dataclass(frozen=True)
class ItemTreatment:
    """One column of the input and what the output holds for it."""

    column: str
    treatment: Treatment
    level: int | None = None
    height: int | None = None
    detail: str = ""

    @property
    def published(self) -> bool:
        return self.treatment is not Treatment.DELETED

    def describe(self) -> str:
        if self.treatment is Treatment.GENERALIZED:
            text = f"{self.column} (generalized, level {self.level} of {self.height}"
            return f"{text}: {self.detail})" if self.detail else f"{text})"
        if self.treatment is Treatment.TOKENIZED:
            return f"{self.column} (replaced by a keyed pseudonym)"
        if self.treatment is Treatment.CODED:
            detail = f": {self.detail}" if self.detail else ""
            return f"{self.column} (rare and extreme values coded down{detail})"
        if self.treatment is Treatment.SENSITIVE:
            return f"{self.column} (as recorded)"
        return f"{self.column} ({self.treatment.value})"


@dataclass(frozen=True)
class SearchSummary:
    method: str
    engine: str
    nodes: int
    checked: int
    seconds: float


@dataclass(frozen=True)
class RiskReport:
    """Re-identification risk of a table (see :mod:`kojin.deid.reidentification_risk`)."""

    records: int
    classes: int
    smallest_class: int
    sample_uniques: int
    sample_uniques_share: float
    prosecutor_highest: float
    prosecutor_average: float
    journalist_highest: float
    marketer: float
    sampling_fraction: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class CreatedData:
    """What every de-identification run records: from what, into what, when, which items."""

    #: the legal form created: a value of :class:`kojin.law.vocabulary.Form` (a string here, so
    #: that reading a result does not load the law package)
    form: ClassVar[Literal["anonymized", "pseudonymized"]]
    source: str
    output: str
    created_at: datetime
    items: tuple[ItemTreatment, ...]
    purposes: tuple[str, ...] = ()

    def report(self) -> dict[str, object]:
        """The JSON report: the header, the form's own figures, the published items."""
        return {
            "form": self.form,
            "source": self.source,
            "output": self.output,
            "created_at": self.created_at.isoformat(),
            "purposes": list(self.purposes),
            **self._figures(),
            "published_items": published_items(self),
        }

    def _figures(self) -> dict[str, object]:
        """The form's own part of the report (``items`` included, where it reads best)."""
        return {"items": self._treatments()}

    def _treatments(self) -> dict[str, str]:
        return {item.column: item.treatment.value for item in self.items}


@dataclass(frozen=True, kw_only=True)
class AnonymizationResult(CreatedData):
    """An anonymized table created under Art. 43 (R-AN-1), ready to record and publish."""

    form: ClassVar[Literal["anonymized", "pseudonymized"]] = "anonymized"
    models: tuple[str, ...]
    metric: Metric
    metric_value: float
    records_in: int
    records_out: int
    suppressed: int
    suppression_limit: int
    risk_before: RiskReport
    risk_after: RiskReport
    search: SearchSummary

    @property
    def levels(self) -> dict[str, int]:
        """Chosen generalization level per quasi-identifier."""
        return {
            item.column: item.level
            for item in self.items
            if item.treatment is Treatment.GENERALIZED and item.level is not None
        }

    def _figures(self) -> dict[str, object]:
        """Models, levels, suppression, smallest class, metric, risk and the search."""
        return {
            "models": list(self.models),
            "levels": {
                item.column: {"level": item.level, "height": item.height, "example": item.detail}
                for item in self.items
                if item.treatment is Treatment.GENERALIZED
            },
            "items": self._treatments(),
            "records_in": self.records_in,
            "records_out": self.records_out,
            "suppressed": self.suppressed,
            "suppression_limit": self.suppression_limit,
            "smallest_class": self.risk_after.smallest_class,
            "metric": {"name": self.metric.value, "value": self.metric_value},
            "risk_before": self.risk_before.as_dict(),
            "risk_after": self.risk_after.as_dict(),
            "search": {
                "method": self.search.method,
                "engine": self.search.engine,
                "nodes": self.search.nodes,
                "checked": self.search.checked,
                "seconds": round(self.search.seconds, 4),
            },
        }


@dataclass(frozen=True, kw_only=True)
class PseudonymizationResult(CreatedData):
    """A pseudonymized table created under Art. 41 (R-PS-1), and where its deletion info lives."""

    form: ClassVar[Literal["anonymized", "pseudonymized"]] = "pseudonymized"
    records: int
    key_id: str
    algorithm: str
    deletion_info: str

    def _figures(self) -> dict[str, object]:
        return {
            "records": self.records,
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "deletion_info": self.deletion_info,
            "items": self._treatments(),
        }


def published_items(result: CreatedData) -> list[str]:
    """The items about individuals the created data contains, one line each, in column order."""
    return [item.describe() for item in result.items if item.published]
