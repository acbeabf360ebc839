"""Every engine releases the same table as the memory engine on the same input.

DuckDB always runs; Spark runs in local mode (no network) under ``-m spark`` and is skipped,
with the reason, when pyspark or a Java runtime is missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from deid_data import ADULT_QIS, adult_hierarchy

from kojin.deid.anonymize import AnonymizationSpec, QuasiIdentifier, anonymize_table
from kojin.deid.choices import EngineName, LVariant
from kojin.deid.engines import make_engine
from kojin.deid.engines.memory import MemoryEngine
from kojin.deid.privacy_models import KAnonymity, LDiversity, PrivacyModel, TCloseness

FIVE = ("age", "education", "marital-status", "race", "sex")
FOUR = ("age", "education", "sex", "race")

CASES = [
    (ADULT_QIS, (KAnonymity(5),), 0.0),
    (ADULT_QIS, (KAnonymity(5), LDiversity(2)), 0.02),
    (FIVE, (KAnonymity(3), LDiversity(2, LVariant.ENTROPY), TCloseness(0.3)), 0.03),
    (FOUR, (KAnonymity(3), LDiversity(2, LVariant.ENTROPY), TCloseness(0.3)), 0.02),
]

ENGINES = [
    pytest.param(EngineName.DUCKDB, id="duckdb"),
    pytest.param(EngineName.SPARK, id="spark", marks=[pytest.mark.spark, pytest.mark.slow]),
]


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("the Spark engine needs pyspark (pip install kojin[spark])")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("the Spark engine needs a Java runtime (java on PATH or JAVA_HOME)")
    from kojin.deid.engines.spark_engine import local_session

    session = local_session(threads=1)
    yield session
    session.stop()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("qis", "models", "suppression"), CASES)
def test_engine_releases_the_same_table_as_memory(
    request: pytest.FixtureRequest,
    adult_subset: pa.Table,
    engine: EngineName,
    qis: tuple[str, ...],
    models: tuple[PrivacyModel, ...],
    suppression: float,
) -> None:
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(q, adult_hierarchy(q)) for q in qis),
        models=models,
        sensitive="occupation",
        suppression=suppression,
    )
    session = request.getfixturevalue("spark_session") if engine is EngineName.SPARK else None
    on_memory = anonymize_table(table=adult_subset, spec=spec, engine=MemoryEngine())
    other = anonymize_table(
        table=adult_subset, spec=spec, engine=make_engine(engine, spark_session=session)
    )
    assert other.result.levels == on_memory.result.levels
    assert other.result.suppressed == on_memory.result.suppressed
    assert other.result.metric_value == pytest.approx(on_memory.result.metric_value, rel=1e-12)
    assert other.result.search.engine == engine.value
    assert other.table.equals(on_memory.table)
