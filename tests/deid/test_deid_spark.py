"""The Spark engine gives the same result as DuckDB on the same input (local mode, no network)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from deid_data import ADULT_QIS, adult_hierarchy

from kojin.deid.anonymize import AnonymizationSpec, QuasiIdentifier, anonymize_table
from kojin.deid.choices import LVariant
from kojin.deid.engines.duckdb_engine import DuckDBEngine
from kojin.deid.engines.spark_engine import SparkEngine, local_session
from kojin.deid.privacy_models import KAnonymity, LDiversity, TCloseness

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = local_session(threads=1)
    yield session
    session.stop()


@pytest.mark.parametrize(
    ("qis", "models", "suppression"),
    [
        (ADULT_QIS, (KAnonymity(5),), 0.0),
        (
            ("age", "education", "sex", "race"),
            (KAnonymity(3), LDiversity(2, LVariant.ENTROPY), TCloseness(0.3)),
            0.02,
        ),
    ],
)
def test_spark_and_duckdb_release_the_same_table(
    spark: Any,
    adult_subset: pa.Table,
    qis: tuple[str, ...],
    models: tuple[Any, ...],
    suppression: float,
) -> None:
    spec = AnonymizationSpec(
        quasi_identifiers=tuple(QuasiIdentifier(q, adult_hierarchy(q)) for q in qis),
        models=models,
        sensitive="occupation",
        suppression=suppression,
    )
    on_duckdb = anonymize_table(table=adult_subset, spec=spec, engine=DuckDBEngine())
    on_spark = anonymize_table(table=adult_subset, spec=spec, engine=SparkEngine(session=spark))
    assert on_spark.result.levels == on_duckdb.result.levels
    assert on_spark.result.suppressed == on_duckdb.result.suppressed
    assert on_spark.result.metric_value == pytest.approx(on_duckdb.result.metric_value, rel=1e-12)
    assert on_spark.result.search.engine == "spark"
    assert on_spark.table.equals(on_duckdb.table)
