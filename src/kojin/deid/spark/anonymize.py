"""Anonymized information (APPI Art. 43; R-AN-1..R-AN-4) created on Spark.

The rows stay in the executors from the first read to the last write, which take two passes over
the input (three with ``--keep`` columns):

1. the input is grouped by the quasi-identifiers and the sensitive column as written: the raw
   table (:mod:`~kojin.deid.spark.distinct_rows`), kept in the cluster; hierarchies kojin builds
   come from its distinct values, and broadcast joins with value → level-0 code tables
   (:mod:`~kojin.deid.spark.encoding`) turn it into the base table of the search;
2. each lattice node the search checks is a group-by of the base table in the cluster, and only
   its classes (distinct generalized tuples with their records) reach this process;
3. the chosen generalization and the suppression of failing classes are applied by broadcast
   joins (:mod:`~kojin.deid.spark.release`), and the executors write the release, keeping the
   input's partitions and its ``name=value`` folders of released columns.

The checks are the embedded engines': columns released as recorded are searched for identifiers
in the executors before the search, generalized values in this process before anything is
written (:mod:`~kojin.deid.spark.identifiers`); errors name the column and the row (as Spark
reads the input), never a value. The result (levels, suppression, loss, risk before and after)
is the one the memory and DuckDB engines give for the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from kojin.deid.anonymize import (
    AnonymizationSpec,
    anonymization_result,
    check_spec,
    impossible,
    released_as,
    released_items,
)
from kojin.deid.choices import SearchMethod
from kojin.deid.column_codes import not_in_hierarchy, sensitive_domain
from kojin.deid.engines.spark_engine import SparkEngine
from kojin.deid.identifier_check import (
    IdentifierCheck,
    refuse_input_columns,
    refuse_release_columns,
)
from kojin.deid.lattice import problem_from_counts
from kojin.deid.privacy_models import SensitiveDomain
from kojin.deid.reidentification_risk import risk_from_histogram
from kojin.deid.search import Progress, search
from kojin.deid.spark.distinct_rows import (
    column_values,
    raw_table,
    refuse_missing,
    refuse_missing_values,
)
from kojin.deid.spark.encoding import (
    Encoding,
    code_table,
    coded_raw,
    counts_by,
    quasi_encoding,
    sensitive_encoding,
)
from kojin.deid.spark.identifiers import identifying_columns, identifying_labels
from kojin.deid.spark.release import generalize, released_columns, tagged_release
from kojin.spark.tables import (
    RowNumbers,
    SparkFormat,
    SparkInput,
    check_target,
    partition_columns,
    read_input,
    write_output,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from kojin.deid.hierarchy import Hierarchy
    from kojin.deid.results import AnonymizationResult

IntArray = np.ndarray[Any, np.dtype[np.int64]]


def _refuse_identifying_input(
    raw: DataFrame,
    kept: DataFrame | None,
    rows: RowNumbers,
    spec: AnonymizationSpec,
    check: IdentifierCheck,
) -> None:
    """Columns released as recorded that hold identifying information: the sensitive column's
    values come from the raw table, kept columns' from `kept` (:func:`column_values`)."""
    from pyspark.sql import functions as f

    as_recorded = [*spec.keep, *([spec.sensitive] if spec.sensitive is not None else [])]
    if not as_recorded:
        return
    parts: list[DataFrame] = []
    if kept is not None:
        parts.append(kept)
    if spec.sensitive is not None:
        position = len(spec.quasi_identifiers)
        parts.append(
            raw.groupBy(f.col(f"q{position}").alias("v"))
            .agg(f.min("r").alias("r"))
            .select(f.lit(len(spec.keep)).alias("k"), "v", "r")
        )
    values = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    found = identifying_columns(values, as_recorded, rows, check)
    refuse_input_columns(found, released_as(spec, as_recorded))


def _first_missing(rows: RowNumbers, name: str, missing: int, first: int | None) -> None:
    if missing:
        assert first is not None
        raise not_in_hierarchy(name, rows.number(first), missing)


def _leaf_counts(
    coded: DataFrame, rows: RowNumbers, names: Sequence[str], encodings: Sequence[Encoding]
) -> list[IntArray]:
    """Records per level-0 code of each column; a value its hierarchy lacks is an error naming
    the first row that holds one."""
    counts: list[IntArray] = []
    for i, (name, encoding) in enumerate(zip(names, encodings, strict=True)):
        found, missing, first = counts_by(coded, i, len(encoding.labels))
        _first_missing(rows, name, missing, first)
        counts.append(found)
    return counts


def anonymize_on_spark(
    *,
    spark: SparkSession,
    source: SparkInput,
    output: str,
    spec: AnonymizationSpec,
    identifier_check: IdentifierCheck,
    method: SearchMethod = SearchMethod.OPTIMAL,
    purposes: Sequence[str] = (),
    progress: Progress | None = None,
    now: datetime | None = None,
) -> AnonymizationResult:
    """Anonymize `source` into `output` (a folder of CSV or Parquet parts) on Spark."""
    from pyspark.sql import functions as f

    check_target(spark, output)
    frame = read_input(spark, source)
    names = frame.columns
    check_spec(names, spec)
    rows = RowNumbers(frame)
    quasi = [qi.column for qi in spec.quasi_identifiers]
    grouped = [*quasi, *([spec.sensitive] if spec.sensitive is not None else [])]
    raw = raw_table(rows, grouped)
    engine = SparkEngine(session=spark)
    try:
        kept = column_values(rows, spec.keep).cache() if spec.keep else None
        if source.format is SparkFormat.PARQUET:
            refuse_missing(raw, rows, grouped)
            if kept is not None:
                refuse_missing_values(kept, rows, spec.keep)
        _refuse_identifying_input(raw, kept, rows, spec, identifier_check)
        if kept is not None:
            kept.unpersist()
        encodings = [
            quasi_encoding(raw, i, rows, qi) for i, qi in enumerate(spec.quasi_identifiers)
        ]
        if spec.sensitive is not None:
            encodings.append(sensitive_encoding(raw, len(quasi), spec.sensitive_hierarchy))
        coded = coded_raw(raw, [code_table(spark, e, i) for i, e in enumerate(encodings)]).cache()
        counts = _leaf_counts(coded, rows, grouped, encodings)
        keys = [f"c{i}" for i in range(len(quasi))]
        domain: SensitiveDomain | None = None
        if spec.sensitive is not None:
            sensitive = f.col(f"c{len(quasi)}").alias("s")
            domain = sensitive_domain(
                column=spec.sensitive,
                labels=encodings[-1].labels,
                counts=counts[-1],
                hierarchy=spec.sensitive_hierarchy,
            )
            base = coded.groupBy(*keys, sensitive)
        else:
            base = coded.groupBy(*keys)
        engine.use_base(base.agg(f.sum("n").cast("long").alias("n")))
        coded.unpersist()
        hierarchies = [cast("Hierarchy", e.hierarchy) for e in encodings[: len(quasi)]]
        problem = problem_from_counts(
            engine=engine,
            hierarchies=hierarchies,
            leaf_counts=counts[: len(quasi)],
            records=int(counts[0].sum()),
            domain=domain,
            models=spec.models,
            metric=spec.metric,
            suppression=spec.suppression,
        )
        sizes, classes = engine.size_histogram(len(quasi))
        risk_before = risk_from_histogram(
            sizes=sizes, classes=classes, sampling_fraction=spec.sampling_fraction
        )
        outcome = search(problem, method=method, progress=progress)
    finally:
        engine.close()
        raw.unpersist()
    best = outcome.best
    if best is None:
        raise impossible(spec, problem)
    failing = best.stats.keys[~best.passing]
    chosen = partial(
        generalize, spark, quasi=quasi, encodings=encodings[: len(quasi)], node=best.node,
        failing=failing,
    )  # fmt: skip
    release = chosen(frame).select(released_columns(names, quasi, spec))
    found = identifying_labels(
        tagged=tagged_release(chosen(rows.frame), quasi),
        rows=rows,
        columns=quasi,
        hierarchies=hierarchies,
        node=best.node,
        present=best.stats.keys[best.passing],
        check=identifier_check,
    )
    refuse_release_columns(found, released_as(spec, [item.column for item in found]))
    result = anonymization_result(
        spec=spec,
        problem=problem,
        risk_before=risk_before,
        outcome=outcome,
        items=released_items(names, spec, hierarchies, best.node),
        records_out=problem.records - best.suppressed,
        engine=engine.name.value,
        source=source.label,
        output=output.rstrip("/").rsplit("/", 1)[-1],
        purposes=purposes,
        now=now,
    )
    released = set(release.columns)
    write_output(
        spark,
        release,
        output,
        delimiter=source.delimiter,
        partition_by=[name for name in partition_columns(frame) if name in released],
    )
    return result
