"""Engines for the lattice group-bys: in-memory NumPy, DuckDB and Spark (same results).

Each engine lives in its own module and is imported only when chosen, so that a run on the
memory engine never loads DuckDB or PySpark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kojin.deid.choices import EngineName

if TYPE_CHECKING:
    from kojin.deid.engines.base import Engine

#: Largest input the automatic engine choice keeps in memory (NumPy); beyond it, DuckDB.
MEMORY_ROWS = 1_000_000


def choose_engine(engine: EngineName | None, *, rows: int) -> EngineName:
    """The engine asked for, else memory up to :data:`MEMORY_ROWS` rows and DuckDB beyond."""
    if engine is not None:
        return engine
    return EngineName.MEMORY if rows <= MEMORY_ROWS else EngineName.DUCKDB


def make_engine(name: EngineName, *, spark_session: Any = None) -> Engine:
    """Build an engine by name; Spark needs the session to run in (see
    :mod:`kojin.spark.session`: a whole job on Spark is :mod:`kojin.deid.spark.anonymize`)."""
    if name is EngineName.MEMORY:
        from kojin.deid.engines.memory import MemoryEngine

        return MemoryEngine()
    if name is EngineName.DUCKDB:
        from kojin.deid.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine()
    from kojin.deid.engines.spark_engine import SparkEngine

    if spark_session is None:
        from kojin.errors import ConfigurationError

        raise ConfigurationError("the Spark engine needs a Spark session to run in")
    return SparkEngine(session=spark_session)
