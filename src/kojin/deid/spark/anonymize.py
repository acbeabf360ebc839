"""Anonymized information (APPI Art. 43; R-AN-1..R-AN-4) created on Spark.

The rows stay in the executors from the first read to the last write:

1. the input is read by Spark (every column text) and the quasi-identifiers are encoded by
   broadcast joins with value → level-0 code tables built from the hierarchies (a hierarchy kojin
   builds itself, ``--qi-auto``, comes from the column's distinct values);
2. the encoded rows are grouped into the base table (distinct tuples of codes and their records),
   kept in the cluster; each lattice node the search checks is a group-by of that table, and only
   its classes (the distinct generalized tuples with their counts) reach this process;
3. the chosen generalization and the suppression of failing classes are applied by broadcast
   joins, and the executors write the release, keeping the input's partitions.

The checks are the embedded engines': columns released as recorded are searched for identifiers
in the executors before the search (R-AN-1(1)-(3)), generalized values in this process before
anything is written; errors name the column and the row (as Spark reads the input), never a
value. The result (levels, suppression, loss, risk before and after) is the one the memory and
DuckDB engines give for the same input.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from kojin.deid.anonymize import (
    AnonymizationSpec,
    QuasiIdentifier,
    anonymization_result,
    check_spec,
    impossible,
    released_as,
    released_items,
)
from kojin.deid.auto_hierarchy import apply_outlier_coding, auto_hierarchy
from kojin.deid.choices import SearchMethod
from kojin.deid.column_codes import (
    missing_value,
    not_in_hierarchy,
    sensitive_domain,
    sensitive_order,
)
from kojin.deid.engines.spark_engine import SparkEngine
from kojin.deid.hierarchy import Hierarchy
from kojin.deid.identifier_check import (
    IdentifierCheck,
    IdentifyingColumn,
    first_identifying,
    identifying_kinds,
    refuse_input_columns,
    refuse_release_columns,
)
from kojin.deid.lattice import problem_from_counts
from kojin.deid.privacy_models import SensitiveDomain
from kojin.deid.search import Progress, search
from kojin.spark.tables import (
    ROW_ID,
    RowNumbers,
    SparkFormat,
    SparkInput,
    check_target,
    column,
    partition_columns,
    read_input,
    write_output,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from kojin.deid.results import AnonymizationResult

IntArray = np.ndarray[Any, np.dtype[np.int64]]


class _FirstRows(Mapping[str, int]):
    """Where each distinct value first appears (1-based input row), counted only when asked: an
    error names a row, a run that succeeds never counts."""

    def __init__(self, rows: RowNumbers, ids: Mapping[str, int]) -> None:
        self._rows = rows
        self._ids = ids

    def __getitem__(self, value: str) -> int:
        return self._rows.number(self._ids[value])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _distinct_with_first_ids(rows: RowNumbers, name: str) -> dict[str, int]:
    """The distinct values of a column, in order of first appearance, with the id of that row."""
    from pyspark.sql import functions as f

    found = (
        rows.frame.groupBy(column(name).alias("v"))
        .agg(f.min(ROW_ID).alias("r"))
        .orderBy("r")
        .toArrow()
    )
    values = found.column("v").to_pylist()
    ids = found.column("r").to_pylist()
    return {"" if v is None else str(v): int(r) for v, r in zip(values, ids, strict=True)}


@dataclass(frozen=True)
class _Encoding:
    """A quasi-identifier's hierarchy and the value → level-0 code table of its column."""

    hierarchy: Hierarchy
    values: list[str]
    codes: IntArray


def _encoding(rows: RowNumbers, spec_qi: QuasiIdentifier) -> _Encoding:
    hierarchy: Hierarchy | None = spec_qi.hierarchy
    if hierarchy is not None and spec_qi.coding is None:
        leaves = list(hierarchy.labels[0])
        return _Encoding(hierarchy, leaves, np.arange(len(leaves), dtype=np.int64))
    ids = _distinct_with_first_ids(rows, spec_qi.column)
    distinct = list(ids)
    first = _FirstRows(rows, ids)
    coded = distinct
    if spec_qi.coding is not None:
        coded = apply_outlier_coding(
            column=spec_qi.column, values=distinct, coding=spec_qi.coding, first_rows=first
        )
    coded_ids: dict[str, int] = {}
    for original, label in zip(distinct, coded, strict=True):
        coded_ids.setdefault(label, ids[original])
    if hierarchy is None:
        hierarchy = auto_hierarchy(
            column=spec_qi.column,
            values=list(coded_ids),
            coding=spec_qi.coding,
            first_rows=_FirstRows(rows, coded_ids),
        )
    index = hierarchy.leaf_index()
    codes = np.asarray([index.get(label, -1) for label in coded], dtype=np.int64)
    return _Encoding(hierarchy, distinct, codes)


def _code_table(spark: SparkSession, values: Sequence[str], codes: IntArray, i: int) -> DataFrame:
    known = codes >= 0
    table = pa.table(
        {
            f"v{i}": pa.array([v for v, k in zip(values, known, strict=True) if k], pa.string()),
            f"c{i}": pa.array(codes[known].astype(np.int32)),
        }
    )
    return spark.createDataFrame(table)


def _encode(frame: DataFrame, tables: Sequence[DataFrame], names: Sequence[str]) -> DataFrame:
    """Columns ``c0``.. (and ``s``): each named column's code, null when its table lacks it."""
    from pyspark.sql import functions as f

    for i, (table, name) in enumerate(zip(tables, names, strict=True)):
        frame = frame.join(f.broadcast(table), column(name) == f.col(f"v{i}"), "left").drop(f"v{i}")
    return frame


def _refuse_missing_values(rows: RowNumbers, names: Sequence[str]) -> None:
    """A Parquet input's missing values in a column the run uses: the first, by row."""
    from pyspark.sql import functions as f

    firsts = rows.frame.select(
        [
            f.min(f.when(column(name).isNull(), f.col(ROW_ID))).alias(f"m{i}")
            for i, name in enumerate(names)
        ]
    ).first()
    assert firsts is not None
    for i, name in enumerate(names):
        if firsts[f"m{i}"] is not None:
            raise missing_value(name, rows.number(int(firsts[f"m{i}"])))


def _identifying_in_executors(
    rows: RowNumbers, names: Sequence[str], check: IdentifierCheck
) -> list[IdentifyingColumn]:
    """The columns holding identifying information, each with the kind and the first row found,
    the check running in the executors over each column's distinct values."""
    from pyspark.sql import functions as f
    from pyspark.sql import types as t

    found: list[IdentifyingColumn] = []
    result = t.StructType([t.StructField("r", t.LongType()), t.StructField("kind", t.StringType())])
    for name in names:

        def first_in_batches(batches: Iterator[Any], name: str = name) -> Iterator[Any]:
            for batch in batches:
                ids = batch.column(1).to_pylist()
                order = sorted(range(len(ids)), key=ids.__getitem__)
                raw = batch.column(0).to_pylist()
                values = ["" if raw[i] is None else str(raw[i]) for i in order]
                first = first_identifying(column=name, values=values, check=check)
                if first is not None:
                    yield pa.RecordBatch.from_pydict(
                        {"r": [ids[order[first[0]]]], "kind": [first[1]]},
                        schema=pa.schema([("r", pa.int64()), ("kind", pa.string())]),
                    )

        distinct = rows.frame.groupBy(column(name).alias("v")).agg(f.min(ROW_ID).alias("r"))
        hit = distinct.mapInArrow(first_in_batches, result).orderBy("r").limit(1).collect()
        if hit:
            found.append(IdentifyingColumn(name, str(hit[0]["kind"]), rows.number(hit[0]["r"])))
    return found


@dataclass(frozen=True)
class _Base:
    """The base table in the engine and what this process keeps of it."""

    records: int
    leaf_counts: list[IntArray]
    domain: SensitiveDomain | None


def _counts_by(base: DataFrame, key: str, size: int) -> tuple[IntArray, int]:
    """Records per code of `key` (from the base table) and records whose code is missing."""
    from pyspark.sql import functions as f

    grouped = base.groupBy(key).agg(f.sum("n").alias("n")).toArrow()
    codes = grouped.column(key).to_pylist()
    totals = grouped.column("n").to_pylist()
    counts = np.zeros(size, dtype=np.int64)
    missing = 0
    for code, total in zip(codes, totals, strict=True):
        if code is None:
            missing += int(total)
        else:
            counts[int(code)] = int(total)
    return counts, missing


def _first_missing_code(rows: RowNumbers, table: DataFrame, name: str, i: int) -> tuple[int, int]:
    """The first row whose value the code table lacks, and how many rows do."""
    from pyspark.sql import functions as f

    coded = _encode(rows.frame.select(column(name), ROW_ID), [table], [name])
    found = (
        coded.where(f.col(f"c{i}").isNull())
        .agg(f.min(ROW_ID).alias("r"), f.count(f.lit(1)).alias("n"))
        .first()
    )
    assert found is not None
    return rows.number(int(found["r"])), int(found["n"])


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
    as_recorded = [*spec.keep, *([spec.sensitive] if spec.sensitive is not None else [])]
    if source.format is SparkFormat.PARQUET:
        _refuse_missing_values(rows, [*quasi, *as_recorded])
    options = released_as(spec, as_recorded)
    refuse_input_columns(
        _identifying_in_executors(rows, [c for c in options if c in names], identifier_check),
        options,
    )
    encodings = [_encoding(rows, qi) for qi in spec.quasi_identifiers]
    hierarchies = [encoding.hierarchy for encoding in encodings]
    tables = [
        _code_table(spark, encoding.values, encoding.codes, i)
        for i, encoding in enumerate(encodings)
    ]
    code_names = [f"c{i}" for i in range(len(quasi))]
    sensitive_table: DataFrame | None = None
    sensitive_labels: list[str] = []
    if spec.sensitive is not None:
        if spec.sensitive_hierarchy is not None:
            sensitive_labels = list(spec.sensitive_hierarchy.labels[0])
        else:
            present = frame.select(column(spec.sensitive)).distinct().toArrow()
            sensitive_labels = sensitive_order(
                [str(v) for v in present.column(0).to_pylist() if v is not None]
            )
        sensitive_table = _code_table(
            spark, sensitive_labels, np.arange(len(sensitive_labels), dtype=np.int64), len(quasi)
        ).withColumnRenamed(f"c{len(quasi)}", "s")
    encode_tables, encode_names = list(tables), list(quasi)
    if sensitive_table is not None and spec.sensitive is not None:
        encode_tables.append(sensitive_table)
        encode_names.append(spec.sensitive)
    keys = [*code_names, *(["s"] if sensitive_table is not None else [])]
    encoded = _encode(
        frame.select([column(name) for name in encode_names]), encode_tables, encode_names
    ).select(keys)
    engine = SparkEngine(session=spark)
    try:
        engine.use_base(encoded.groupBy(*keys).agg(f.count(f.lit(1)).cast("long").alias("n")))
        base = _base_counts(
            rows, engine.base_frame, tables, hierarchies, quasi, spec, sensitive_table,
            sensitive_labels,
        )  # fmt: skip
        problem = problem_from_counts(
            engine=engine,
            hierarchies=hierarchies,
            leaf_counts=base.leaf_counts,
            records=base.records,
            domain=base.domain,
            models=spec.models,
            metric=spec.metric,
            suppression=spec.suppression,
        )
        before = problem.evaluate(tuple(0 for _ in hierarchies))
        outcome = search(problem, method=method, progress=progress)
    finally:
        engine.close()
    best = outcome.best
    if best is None:
        raise impossible(spec, problem)
    failing = best.stats.keys[~best.passing]
    release, tagged = _release(spark, frame, rows, encodings, best.node, failing, quasi, spec)
    _refuse_identifying_labels(
        tagged=tagged,
        rows=rows,
        spec=spec,
        hierarchies=hierarchies,
        node=best.node,
        present=best.stats.keys[best.passing],
        check=identifier_check,
    )
    result = anonymization_result(
        spec=spec,
        problem=problem,
        before=before,
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


def _base_counts(
    rows: RowNumbers,
    base: DataFrame,
    tables: Sequence[DataFrame],
    hierarchies: Sequence[Hierarchy],
    quasi: Sequence[str],
    spec: AnonymizationSpec,
    sensitive_table: DataFrame | None,
    sensitive_labels: Sequence[str],
) -> _Base:
    """Records per level-0 code of each quasi-identifier, the records, the sensitive domain;
    a value a hierarchy lacks is an error naming the first row."""
    leaf_counts: list[IntArray] = []
    for i, (name, hierarchy) in enumerate(zip(quasi, hierarchies, strict=True)):
        counts, missing = _counts_by(base, f"c{i}", len(hierarchy.labels[0]))
        if missing:
            raise not_in_hierarchy(name, *_first_missing_code(rows, tables[i], name, i))
        leaf_counts.append(counts)
    domain: SensitiveDomain | None = None
    if spec.sensitive is not None and sensitive_table is not None:
        counts, missing = _counts_by(base, "s", len(sensitive_labels))
        if missing:
            renamed = sensitive_table.withColumnRenamed("s", f"c{len(quasi)}")
            raise not_in_hierarchy(
                spec.sensitive, *_first_missing_code(rows, renamed, spec.sensitive, len(quasi))
            )
        domain = sensitive_domain(
            column=spec.sensitive,
            labels=sensitive_labels,
            counts=counts,
            hierarchy=spec.sensitive_hierarchy,
        )
    records = int(leaf_counts[0].sum()) if leaf_counts else 0
    return _Base(records=records, leaf_counts=leaf_counts, domain=domain)


def _release(
    spark: SparkSession,
    frame: DataFrame,
    rows: RowNumbers,
    encodings: Sequence[_Encoding],
    node: Sequence[int],
    failing: IntArray,
    quasi: Sequence[str],
    spec: AnonymizationSpec,
) -> tuple[DataFrame, DataFrame]:
    """The release (input columns in order: generalized, as recorded; others deleted) and the
    same rows with their generalized codes and row ids, for the check of generalized values."""
    from pyspark.sql import functions as f

    def generalize(source: DataFrame) -> DataFrame:
        for i, encoding in enumerate(encodings):
            hierarchy, level = encoding.hierarchy, node[i]
            known = encoding.codes >= 0
            general = hierarchy.parents[level][encoding.codes[known]]
            labels = hierarchy.labels[level]
            table = spark.createDataFrame(
                pa.table(
                    {
                        f"v{i}": pa.array(
                            [v for v, k in zip(encoding.values, known, strict=True) if k],
                            pa.string(),
                        ),
                        f"g{i}": pa.array(general.astype(np.int32)),
                        f"l{i}": pa.array([labels[g] for g in general], pa.string()),
                    }
                )
            )
            source = source.join(
                f.broadcast(table), column(quasi[i]) == f.col(f"v{i}"), "left"
            ).drop(f"v{i}")
        if len(failing):
            drop = spark.createDataFrame(
                pa.table(
                    {f"g{i}": pa.array(failing[:, i].astype(np.int32)) for i in range(len(quasi))}
                )
            )
            source = source.join(
                f.broadcast(drop), [f"g{i}" for i in range(len(quasi))], "left_anti"
            )
        return source

    position = {name: i for i, name in enumerate(quasi)}
    kept = {*spec.keep, *([spec.sensitive] if spec.sensitive is not None else [])}
    selected = []
    for name in frame.columns:
        if name in position:
            selected.append(f.col(f"l{position[name]}").alias(name))
        elif name in kept:
            selected.append(column(name))
    release = generalize(frame).select(selected)
    tagged = generalize(rows.frame).select(ROW_ID, *[f"g{i}" for i in range(len(quasi))])
    return release, tagged


def _refuse_identifying_labels(
    *,
    tagged: DataFrame,
    rows: RowNumbers,
    spec: AnonymizationSpec,
    hierarchies: Sequence[Hierarchy],
    node: Sequence[int],
    present: IntArray,
    check: IdentifierCheck,
) -> None:
    """Refuse a release whose generalized values hold identifying information (the columns
    released as recorded were checked before the search): the values are the hierarchy labels
    of the classes released, checked here; only a refusal asks Spark for the first row."""
    from pyspark.sql import functions as f

    found: list[IdentifyingColumn] = []
    for i, qi in enumerate(spec.quasi_identifiers):
        labels = hierarchies[i].labels[node[i]]
        codes = sorted({int(code) for code in present[:, i]})
        found_at = identifying_kinds(
            column=qi.column, values=[labels[code] for code in codes], check=check
        )
        kinds = {codes[position]: kind for position, kind in found_at.items()}
        if not kinds:
            continue
        hits = (
            tagged.where(f.col(f"g{i}").isin(list(kinds)))
            .groupBy(f"g{i}")
            .agg(f.min(ROW_ID).alias("r"))
            .orderBy("r")
            .limit(1)
            .collect()
        )
        if hits:
            code = int(hits[0][f"g{i}"])
            found.append(IdentifyingColumn(qi.column, kinds[code], rows.number(hits[0]["r"])))
    refuse_release_columns(found, released_as(spec, [item.column for item in found]))
