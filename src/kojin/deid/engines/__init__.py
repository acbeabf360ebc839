"""Engines for the lattice group-bys: in-memory numpy, DuckDB and Spark (same results)."""

from __future__ import annotations

from typing import Any

from kojin.deid.engines.base import Aggregated, Engine, EngineName, Grouped
from kojin.deid.engines.duckdb_engine import DuckDBEngine
from kojin.deid.engines.memory import MemoryEngine, aggregate_arrays

__all__ = [
    "Aggregated",
    "DuckDBEngine",
    "Engine",
    "EngineName",
    "Grouped",
    "MemoryEngine",
    "aggregate_arrays",
    "make_engine",
]


def make_engine(name: EngineName, *, spark_session: Any = None) -> Engine:
    """Build an engine by name; Spark uses the given session or a local one."""
    if name is EngineName.MEMORY:
        return MemoryEngine()
    if name is EngineName.DUCKDB:
        return DuckDBEngine()
    from kojin.deid.engines.spark_engine import SparkEngine, local_session

    return SparkEngine(session=spark_session if spark_session is not None else local_session())
