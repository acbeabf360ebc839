"""The distinct rows of the columns a search needs, aggregated in one pass over the input.

The raw table groups the input by the quasi-identifiers (and the sensitive column) as they are
written: one row per distinct tuple with its records (``n``) and the id of the first input row
holding it (``r``). Everything the search needs before the lattice is computed from it, in the
cluster: each column's distinct values, the codes, the base table, the first row of any value a
hierarchy lacks. A column released as recorded (``--keep``) gets its own pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from kojin.deid.column_codes import missing_value
from kojin.spark.tables import ROW_ID, RowNumbers, column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class FirstRows(Mapping[str, int]):
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


def raw_table(rows: RowNumbers, names: Sequence[str]) -> DataFrame:
    """Columns ``q0``.. (the named columns' values), ``n`` and ``r``, kept in the cluster."""
    from pyspark.sql import functions as f

    grouped = rows.frame.groupBy(*[column(name).alias(f"q{i}") for i, name in enumerate(names)])
    table = grouped.agg(f.count(f.lit(1)).alias("n"), f.min(ROW_ID).alias("r"))
    parallelism = max(rows.frame.sparkSession.sparkContext.defaultParallelism, 1)
    return table.coalesce(parallelism).cache()


def refuse_missing(raw: DataFrame, rows: RowNumbers, names: Sequence[str]) -> None:
    """A missing value (a Parquet null) in a column of the raw table: the first, by row."""
    from pyspark.sql import functions as f

    firsts = raw.select(
        [
            f.min(f.when(f.col(f"q{i}").isNull(), f.col("r"))).alias(f"m{i}")
            for i in range(len(names))
        ]
    ).first()
    assert firsts is not None
    found = [(firsts[f"m{i}"], name) for i, name in enumerate(names) if firsts[f"m{i}"] is not None]
    if found:
        first, name = min(found)
        raise missing_value(name, rows.number(int(first)))


def distinct_values(raw: DataFrame, i: int) -> dict[str, int]:
    """The distinct values of raw column ``q<i>`` in order of first appearance, with the id of
    that row."""
    from pyspark.sql import functions as f

    found = raw.groupBy(f"q{i}").agg(f.min("r").alias("r")).orderBy("r").toArrow()
    values = found.column(0).to_pylist()
    ids = found.column(1).to_pylist()
    return {"" if v is None else str(v): int(r) for v, r in zip(values, ids, strict=True)}


def column_values(rows: RowNumbers, names: Sequence[str]) -> DataFrame:
    """For columns outside the raw table: ``k`` (the column's position in `names`), ``v`` (a
    distinct value) and ``r`` (the id of its first row), in one pass over the input."""
    from pyspark.sql import functions as f

    pairs = f.explode(
        f.array(
            *[
                f.struct(f.lit(k).alias("k"), column(name).alias("v"))
                for k, name in enumerate(names)
            ]
        )
    ).alias("p")
    exploded = rows.frame.select(pairs, ROW_ID).select("p.k", "p.v", ROW_ID)
    return exploded.groupBy("k", "v").agg(f.min(ROW_ID).alias("r"))


def refuse_missing_values(values: DataFrame, rows: RowNumbers, names: Sequence[str]) -> None:
    """A missing value (a Parquet null) among :func:`column_values`: the first, by row."""
    from pyspark.sql import functions as f

    hit = values.where(f.col("v").isNull()).orderBy("r").select("k", "r").first()
    if hit is not None:
        raise missing_value(names[int(hit["k"])], rows.number(int(hit["r"])))
