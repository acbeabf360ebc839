"""Personal data in a column's values, one finding per value found: what a job that must keep
identifiers out of its output (anonymization, R-AN-1) asks discovery.

For each column it reports the kinds whose pattern and validator a whole value passes when the
column's name gives the context such kinds need (a ``passport`` column of bare numbers), and
every kind the text matcher finds inside the values. Which kinds matter is the caller's choice.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from kojin.discovery.columns import ColumnClassifier
from kojin.discovery.defaults import DEFAULT_MIN_SCORE
from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.validators import VALIDATORS


class ValueFinding(NamedTuple):
    """Personal data found in one value: its position among the values, its kind, its category."""

    position: int
    kind: str
    category: str


class ValueFinder:
    """The built-in detectors, compiled once, applied to the values of one column at a time."""

    def __init__(self) -> None:
        registry = builtin_registry()
        self._classifier = ColumnClassifier(registry)
        self._matcher = Re2Matcher(registry, min_score=DEFAULT_MIN_SCORE)
        self._categories = {spec.kind: spec.category.value for spec in registry}

    def __call__(self, *, column: str, values: Sequence[str]) -> Iterator[ValueFinding]:
        classifier = self._classifier
        for rule in classifier.rules_for(column):
            if not classifier.hinted(rule, column):
                continue
            validate = VALIDATORS[rule.spec.validator]
            category = rule.spec.category.value
            for index, value in enumerate(values):
                raw = value.strip().encode("utf-8")
                if rule.full.fullmatch(raw) is not None and validate(raw):
                    yield ValueFinding(index, rule.spec.kind, category)
        # every value on its own line, so that a finding never spans two values
        starts: list[int] = []
        offset = 0
        for value in values:
            starts.append(offset)
            offset += len(value.encode("utf-8")) + 1
        text = "\n".join(v.replace("\r", " ").replace("\n", " ") for v in values)
        for match in self._matcher.scan(text.encode("utf-8")):
            index = bisect_right(starts, match.start) - 1
            yield ValueFinding(index, match.kind, self._categories[match.kind])
