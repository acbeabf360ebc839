"""Every engine releases the same table as the memory engine on the same input.

DuckDB always runs; Spark runs on the test cluster (tests/spark_cluster, a master and two
workers on the loopback) under ``-m spark``.
"""

from __future__ import annotations

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

ON_SPARK = [pytest.mark.spark, pytest.mark.slow]

#: DuckDB on every case; Spark, whose every node is a job on the cluster, on the last (three
#: models, suppression), which exercises the sensitive histograms (the whole command on Spark is
#: compared with the other engines in test_deid_spark_anonymize.py)
ENGINE_CASES = [
    *(pytest.param(EngineName.DUCKDB, *case, id=f"duckdb-{i}") for i, case in enumerate(CASES)),
    pytest.param(EngineName.SPARK, *CASES[-1], id="spark", marks=ON_SPARK),
]


@pytest.mark.parametrize(("engine", "qis", "models", "suppression"), ENGINE_CASES)
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
    session = request.getfixturevalue("spark") if engine is EngineName.SPARK else None
    on_memory = anonymize_table(table=adult_subset, spec=spec, engine=MemoryEngine())
    other = anonymize_table(
        table=adult_subset, spec=spec, engine=make_engine(engine, spark_session=session)
    )
    assert other.result.levels == on_memory.result.levels
    assert other.result.suppressed == on_memory.result.suppressed
    assert other.result.metric_value == pytest.approx(on_memory.result.metric_value, rel=1e-12)
    assert other.result.search.engine == engine.value
    assert other.table.equals(on_memory.table)
