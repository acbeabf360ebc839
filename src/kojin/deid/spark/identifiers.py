"""Keeping identifiers out of anonymized information on Spark (R-AN-1(1)-(3)).

Columns released as recorded are checked in the executors, each distinct value once, with the
check the interface passes in (it travels to the executors as a picklable object): only the kind
found and the id of the first row holding it come back. Generalized values are hierarchy labels:
those of the released classes are checked in this process, and Spark is asked for a row only
when one holds identifying information.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kojin.deid.identifier_check import (
    IdentifierCheck,
    IdentifyingColumn,
    first_identifying,
    identifying_kinds,
)
from kojin.spark.tables import ROW_ID, RowNumbers

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from pyspark.sql import DataFrame

    from kojin.deid.hierarchy import Hierarchy


def identifying_columns(
    values: DataFrame, names: Sequence[str], rows: RowNumbers, check: IdentifierCheck
) -> list[IdentifyingColumn]:
    """The columns among `names` whose values (``k``, ``v``, ``r``: see
    :func:`~kojin.deid.spark.distinct_rows.column_values`) hold identifying information, in
    the order of `names`, each with the kind and the first row found."""
    import pyarrow as pa
    from pyspark.sql import types as t

    schema = pa.schema([("k", pa.int32()), ("r", pa.int64()), ("kind", pa.string())])
    names = list(names)

    def first_in_batches(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            keys = batch.column(0).to_pylist()
            raw = batch.column(1).to_pylist()
            ids = batch.column(2).to_pylist()
            for k in sorted(set(keys)):
                order = sorted((i for i, key in enumerate(keys) if key == k), key=ids.__getitem__)
                found = first_identifying(
                    column=names[k],
                    values=["" if raw[i] is None else str(raw[i]) for i in order],
                    check=check,
                )
                if found is not None:
                    yield pa.RecordBatch.from_pydict(
                        {"k": [k], "r": [ids[order[found[0]]]], "kind": [found[1]]}, schema=schema
                    )

    result = t.StructType(
        [
            t.StructField("k", t.IntegerType()),
            t.StructField("r", t.LongType()),
            t.StructField("kind", t.StringType()),
        ]
    )
    hits = values.select("k", "v", "r").mapInArrow(first_in_batches, result).collect()
    first: dict[int, tuple[int, str]] = {}
    for hit in hits:
        k, r, kind = int(hit["k"]), int(hit["r"]), str(hit["kind"])
        if k not in first or r < first[k][0]:
            first[k] = (r, kind)
    return [
        IdentifyingColumn(names[k], first[k][1], rows.number(first[k][0]))
        for k in range(len(names))
        if k in first
    ]


def identifying_labels(
    *,
    tagged: DataFrame,
    rows: RowNumbers,
    columns: Sequence[str],
    hierarchies: Sequence[Hierarchy],
    node: Sequence[int],
    present: npt.NDArray[np.int64],
    check: IdentifierCheck,
) -> list[IdentifyingColumn]:
    """The generalized columns whose released labels hold identifying information.

    `present` holds the generalized codes of the released classes (one column per
    quasi-identifier); `tagged` the released rows with their codes ``g0``.. and row ids, asked
    only for the first row of a label found.
    """
    from pyspark.sql import functions as f

    found: list[IdentifyingColumn] = []
    for i, name in enumerate(columns):
        labels = hierarchies[i].labels[node[i]]
        codes = sorted({int(code) for code in present[:, i]})
        at = identifying_kinds(column=name, values=[labels[code] for code in codes], check=check)
        kinds = {codes[position]: kind for position, kind in at.items()}
        if not kinds:
            continue
        hit = (
            tagged.where(f.col(f"g{i}").isin(list(kinds)))
            .groupBy(f"g{i}")
            .agg(f.min(ROW_ID).alias("r"))
            .orderBy("r")
            .first()
        )
        if hit is not None:
            kind = kinds[int(hit[f"g{i}"])]
            found.append(IdentifyingColumn(name, kind, rows.number(int(hit["r"]))))
    return found
