"""Spark engine: the same group-bys as DataFrame jobs, for data beyond one machine.

The session is passed in (:func:`kojin.spark.session.spark_session` gives one). The base table
is either built in Spark from the rows (:meth:`SparkEngine.use_base`, what
:mod:`kojin.deid.spark.anonymize` does: the rows never reach this process) or from codes already
in memory (:meth:`SparkEngine.aggregate`, the engine contract every engine meets). Level maps are
small DataFrames broadcast into the joins; a node's group-by brings back only its classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from kojin.deid.choices import EngineName
from kojin.deid.engines.base import Grouped, IntArray, as_int64
from kojin.errors import ConfigurationError


def _to_numpy(frame: Any) -> dict[str, npt.NDArray[np.generic]]:
    table: pa.Table = frame.toArrow()
    return {name: table.column(name).to_numpy() for name in table.column_names}


class SparkEngine:
    """Runs aggregation and node group-bys as Spark DataFrame jobs."""

    def __init__(self, *, session: Any) -> None:
        self._spark = session
        self._base: Any = None
        self._maps: list[Any] = []
        self._rows = 0

    @property
    def name(self) -> EngineName:
        return EngineName.SPARK

    def aggregate(self, *, codes: Sequence[IntArray], sensitive: IntArray | None) -> None:
        from pyspark.sql import functions as f

        arrays = {f"c{i}": pa.array(column.astype(np.int32)) for i, column in enumerate(codes)}
        if sensitive is not None:
            arrays["s"] = pa.array(sensitive.astype(np.int32))
        frame = self._spark.createDataFrame(pa.table(arrays))
        grouped = frame.groupBy(*arrays).agg(f.count(f.lit(1)).cast("long").alias("n"))
        self.close()
        self._base = grouped.cache()
        self._rows = int(self._base.count())

    def set_levels(self, *, parents: Sequence[Sequence[IntArray]]) -> None:
        from pyspark.sql import functions as f

        self._maps = []
        for levels in parents:
            columns = {"code": pa.array(np.arange(len(levels[0]), dtype=np.int32))}
            for level in range(1, len(levels)):
                columns[f"l{level}"] = pa.array(levels[level].astype(np.int32))
            self._maps.append(f.broadcast(self._spark.createDataFrame(pa.table(columns))))

    def use_base(self, frame: Any) -> None:
        """Keep `frame` (columns ``c0``.., ``s`` when grouped by the sensitive value, ``n``: the
        distinct rows of the encoded table and their records) as the base table."""
        self.close()
        parallelism = max(self._spark.sparkContext.defaultParallelism, 1)
        self._base = frame.coalesce(parallelism).cache()
        self._rows = int(self._base.count())

    @property
    def base_frame(self) -> Any:
        """The base table kept in the cluster."""
        if self._base is None:
            raise ConfigurationError("the Spark engine has no base table loaded")
        return self._base

    def size_histogram(self, columns: int) -> tuple[IntArray, IntArray]:
        """Class sizes at the ungeneralized node (the first `columns` codes) and how many classes
        have each: computed in the cluster, only the histogram comes back."""
        from pyspark.sql import functions as f

        sizes = self.base_frame.groupBy(*[f"c{i}" for i in range(columns)]).agg(
            f.sum("n").alias("size")
        )
        found = sizes.groupBy("size").agg(f.count(f.lit(1)).alias("classes")).orderBy("size")
        result = _to_numpy(found)
        return as_int64(result["size"]), as_int64(result["classes"])

    @property
    def base_rows(self) -> int:
        return self._rows

    def group(self, *, node: Sequence[int], with_sensitive: bool) -> Grouped:
        from pyspark.sql import functions as f

        if self._base is None:
            raise ConfigurationError("the Spark engine has no base table loaded")
        frame = self._base
        keys = []
        for i, level in enumerate(node):
            if level:
                mapping = self._maps[i].select(
                    f.col("code").alias(f"j{i}"), f.col(f"l{level}").alias(f"k{i}")
                )
                frame = frame.join(mapping, frame[f"c{i}"] == mapping[f"j{i}"])
            else:
                frame = frame.withColumn(f"k{i}", f.col(f"c{i}"))
            keys.append(f"k{i}")
        if with_sensitive:
            keys.append("s")
        grouped = frame.groupBy(*keys).agg(f.sum("n").cast("long").alias("n"))
        result = _to_numpy(grouped)
        return Grouped(
            keys=tuple(as_int64(result[f"k{i}"]) for i in range(len(node))),
            sensitive=as_int64(result["s"]) if with_sensitive else None,
            counts=as_int64(result["n"]),
        )

    def close(self) -> None:
        if self._base is not None:
            self._base.unpersist()
            self._base = None
