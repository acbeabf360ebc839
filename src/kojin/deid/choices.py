"""The choices a de-identification run takes, as enums (standard library only).

Kept apart from the modules that compute with them so that the command line and the API can
declare their options without importing NumPy, PyArrow or an engine.
"""

from __future__ import annotations

from enum import StrEnum


class EngineName(StrEnum):
    """Where the lattice group-bys run: NumPy in memory, embedded DuckDB or Spark."""

    MEMORY = "memory"
    DUCKDB = "duckdb"
    SPARK = "spark"


class SearchMethod(StrEnum):
    """The optimal lattice search, or the exhaustive one it is tested against."""

    OPTIMAL = "optimal"
    EXHAUSTIVE = "exhaustive"


class Metric(StrEnum):
    """Information-loss metric (see :mod:`kojin.deid.information_loss`)."""

    LOSS = "loss"
    PRECISION = "precision"
    ENTROPY = "entropy"


class LVariant(StrEnum):
    """Variant of l-diversity."""

    DISTINCT = "distinct"
    ENTROPY = "entropy"
    RECURSIVE = "recursive"


class TDistance(StrEnum):
    """Ground distance of the earth mover's distance used by t-closeness."""

    EQUAL = "equal"
    ORDERED = "ordered"
    HIERARCHICAL = "hierarchical"


class TokenAlgorithm(StrEnum):
    """Keyed hash behind pseudonym tokens."""

    BLAKE2B = "blake2b"
    HMAC_SHA256 = "hmac-sha256"
