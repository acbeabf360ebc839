"""The release on Spark: generalized labels joined in, failing classes suppressed, in the
executors, keeping the input's partitions (every join is a broadcast, no row is shuffled)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from kojin.deid.anonymize import AnonymizationSpec
from kojin.deid.spark.encoding import Encoding
from kojin.spark.tables import ROW_ID, column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

IntArray = np.ndarray[Any, np.dtype[np.int64]]

#: prefix of the columns a release job adds (a user's column never starts with it)
_ADDED = "__kojin_"


def generalized_code(i: int) -> str:
    """The column holding quasi-identifier `i`'s generalized code in :func:`generalize`."""
    return f"{_ADDED}g{i}"


def generalize(
    spark: SparkSession,
    frame: DataFrame,
    *,
    quasi: Sequence[str],
    encodings: Sequence[Encoding],
    node: Sequence[int],
    failing: IntArray,
) -> DataFrame:
    """`frame` with each quasi-identifier's generalized code and label added and the records of
    the failing classes (rows of generalized codes) removed."""
    from pyspark.sql import functions as f

    for i, encoding in enumerate(encodings):
        hierarchy = encoding.hierarchy
        assert hierarchy is not None
        values, codes = encoding.known()
        general = hierarchy.parents[node[i]][codes]
        labels = hierarchy.labels[node[i]]
        table = spark.createDataFrame(
            pa.table(
                {
                    f"{_ADDED}v{i}": pa.array(values, pa.string()),
                    generalized_code(i): pa.array(general.astype(np.int32)),
                    f"{_ADDED}l{i}": pa.array([labels[g] for g in general], pa.string()),
                }
            )
        )
        frame = frame.join(
            f.broadcast(table), column(quasi[i]) == f.col(f"{_ADDED}v{i}"), "left"
        ).drop(f"{_ADDED}v{i}")
    if len(failing):
        keys = [generalized_code(i) for i in range(len(quasi))]
        drop = spark.createDataFrame(
            pa.table({key: pa.array(failing[:, i].astype(np.int32)) for i, key in enumerate(keys)})
        )
        frame = frame.join(f.broadcast(drop), keys, "left_anti")
    return frame


def released_columns(
    columns: Sequence[str], quasi: Sequence[str], spec: AnonymizationSpec
) -> list[Any]:
    """The release's columns in the input's order: labels for the quasi-identifiers, the
    sensitive and kept columns as recorded; every other column is deleted."""
    from pyspark.sql import functions as f

    position = {name: i for i, name in enumerate(quasi)}
    kept = {*spec.keep, *([spec.sensitive] if spec.sensitive is not None else [])}
    selected: list[Any] = []
    for name in columns:
        if name in position:
            selected.append(f.col(f"{_ADDED}l{position[name]}").alias(name))
        elif name in kept:
            selected.append(column(name))
    return selected


def tagged_release(generalized: DataFrame, quasi: Sequence[str]) -> DataFrame:
    """Row ids and generalized codes ``g0``.. of the released rows (from a generalized frame
    that carries :data:`~kojin.spark.tables.ROW_ID`)."""
    from pyspark.sql import functions as f

    return generalized.select(
        ROW_ID, *[f.col(generalized_code(i)).alias(f"g{i}") for i in range(len(quasi))]
    )
