"""Encoding on Spark: value → level-0 code tables joined to the raw table in the cluster.

A hierarchy file gives its leaves; a hierarchy kojin builds (``--qi-auto``, with top and bottom
coding) comes from the column's distinct values, which the raw table gives in order of first
appearance, so that an error names the same row the embedded engines name. The sensitive column
without a hierarchy is coded in the embedded engines' order (numeric, else text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from kojin.deid.anonymize import QuasiIdentifier
from kojin.deid.auto_hierarchy import apply_outlier_coding, auto_hierarchy
from kojin.deid.column_codes import sensitive_order
from kojin.deid.hierarchy import Hierarchy
from kojin.deid.spark.distinct_rows import FirstRows, distinct_values
from kojin.spark.tables import RowNumbers

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class Encoding:
    """A column's hierarchy (None: the sensitive column without one), and the level-0 code of
    each value of `values` (-1: the hierarchy lacks it)."""

    hierarchy: Hierarchy | None
    values: list[str]
    codes: IntArray

    @property
    def labels(self) -> tuple[str, ...]:
        return self.hierarchy.labels[0] if self.hierarchy is not None else tuple(self.values)

    def known(self) -> tuple[list[str], IntArray]:
        """The values that have a code, and their codes."""
        keep = self.codes >= 0
        return [v for v, k in zip(self.values, keep, strict=True) if k], self.codes[keep]


def _leaves(hierarchy: Hierarchy) -> Encoding:
    leaves = list(hierarchy.labels[0])
    return Encoding(hierarchy, leaves, np.arange(len(leaves), dtype=np.int64))


def quasi_encoding(raw: DataFrame, i: int, rows: RowNumbers, qi: QuasiIdentifier) -> Encoding:
    """The encoding of quasi-identifier ``q<i>`` of the raw table."""
    if qi.hierarchy is not None and qi.coding is None:
        return _leaves(qi.hierarchy)
    ids = distinct_values(raw, i)
    distinct = list(ids)
    coded = distinct
    if qi.coding is not None:
        coded = apply_outlier_coding(
            column=qi.column, values=distinct, coding=qi.coding, first_rows=FirstRows(rows, ids)
        )
    coded_ids: dict[str, int] = {}
    for original, label in zip(distinct, coded, strict=True):
        coded_ids.setdefault(label, ids[original])
    hierarchy = qi.hierarchy or auto_hierarchy(
        column=qi.column,
        values=list(coded_ids),
        coding=qi.coding,
        first_rows=FirstRows(rows, coded_ids),
    )
    index = hierarchy.leaf_index()
    codes = np.asarray([index.get(label, -1) for label in coded], dtype=np.int64)
    return Encoding(hierarchy, distinct, codes)


def sensitive_encoding(raw: DataFrame, i: int, hierarchy: Hierarchy | None) -> Encoding:
    """The encoding of the sensitive column ``q<i>`` of the raw table."""
    if hierarchy is not None:
        return _leaves(hierarchy)
    ordered = sensitive_order(list(distinct_values(raw, i)))
    return Encoding(None, ordered, np.arange(len(ordered), dtype=np.int64))


def code_table(spark: SparkSession, encoding: Encoding, i: int) -> DataFrame:
    """``v<i>`` → ``c<i>`` for the values that have a code."""
    values, codes = encoding.known()
    return spark.createDataFrame(
        pa.table(
            {f"v{i}": pa.array(values, pa.string()), f"c{i}": pa.array(codes.astype(np.int32))}
        )
    )


def coded_raw(raw: DataFrame, tables: Sequence[DataFrame]) -> DataFrame:
    """The raw table with each ``q<i>`` replaced by its code ``c<i>`` (null: no code)."""
    from pyspark.sql import functions as f

    frame = raw
    for i, table in enumerate(tables):
        frame = frame.join(f.broadcast(table), f.col(f"q{i}") == f.col(f"v{i}"), "left")
        frame = frame.drop(f"q{i}", f"v{i}")
    return frame


def counts_by(coded: DataFrame, i: int, size: int) -> tuple[IntArray, int, int | None]:
    """Records per code of ``c<i>``; records without a code and the first of their row ids."""
    from pyspark.sql import functions as f

    grouped = coded.groupBy(f"c{i}").agg(f.sum("n").alias("n"), f.min("r").alias("r")).toArrow()
    counts = np.zeros(size, dtype=np.int64)
    missing, first = 0, None
    for code, total, row in zip(*(grouped.column(j).to_pylist() for j in range(3)), strict=True):
        if code is None:
            missing, first = int(total), int(row)
        else:
            counts[int(code)] = int(total)
    return counts, missing, first
