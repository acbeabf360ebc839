"""What the driver learns from Spark before a key is opened: whether the input is refused (with
the embedded path's message and row) and how many records it has; the categories that coding by
``min_count`` merges.

The executors scan the batches (:func:`kojin.deid.spark.batches.scan`); only the first row id
of each kind of fault per column, the number of rows and the category counts' rare (or
frequent) values reach the driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from kojin.deid.column_roles import RolesSpec
from kojin.deid.pseudonymize import KEPT_ROLES, UNDECLARED_CODES, undeclared_code_error
from kojin.deid.results import ItemTreatment, Treatment
from kojin.deid.spark import batches
from kojin.deid.spark.batches import ScanPlan
from kojin.errors import InputError
from kojin.spark.tables import ROW_ID, RowNumbers, column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def _findings_schema() -> Any:
    from pyspark.sql import types as t

    kinds = (t.StringType(), t.StringType(), t.LongType(), t.LongType())
    fields = zip(batches.FINDINGS, kinds, strict=True)
    return t.StructType([t.StructField(n, k) for n, k in fields])


def _missing(column_name: str, row: int) -> InputError:
    """What :func:`kojin.deid.column_codes.column_strings` says of a missing value."""
    return InputError(f"column {column_name!r}, row {row}: missing value", field=column_name)


def _refusal(
    *,
    first: dict[tuple[str, str], int],
    rows: RowNumbers,
    roles: RolesSpec,
    plan: ScanPlan,
    columns: Sequence[str],
) -> InputError | None:
    """The embedded path's first refusal, from the first row id of each (column, kind) found.

    Kept columns first, in the roles file's order (a missing value, then each kind of
    undeclared number), then in the input's order the tokenized columns' missing values and the
    top/bottom coded columns' values that are not numbers.
    """
    for name in plan.kept:
        if (name, batches.MISSING) in first:
            return _missing(name, rows.number(first[name, batches.MISSING]))
        for kind in range(len(UNDECLARED_CODES)):
            row_id = first.get((name, batches.undeclared_kind(kind)))
            if row_id is not None:
                row = rows.number(row_id)
                return undeclared_code_error(
                    column=name, role=roles.columns[name], kind=kind, row=row
                )
    for name in columns:
        if name in plan.required and (name, batches.MISSING) in first:
            return _missing(name, rows.number(first[name, batches.MISSING]))
        faults = [
            (first[name, fault], fault)
            for fault in (batches.NOT_A_NUMBER, batches.NOT_FINITE)
            if (name, fault) in first
        ]
        if faults:
            row_id, fault = min(faults)
            # as kojin.deid.auto_hierarchy says it of top and bottom coding
            return InputError(f"column {name!r}, row {rows.number(row_id)}: {fault}", field=name)
    return None


def check_values(*, frame: DataFrame, roles: RolesSpec, items: Sequence[ItemTreatment]) -> int:
    """Refuse the input as the embedded path would, with the same message and row (see
    :func:`_refusal`); return the number of records.

    The executors report, per batch, the first row id of each kind of fault in each column; the
    driver receives the smallest per column and kind, and the number of rows.
    """
    from pyspark.sql import functions as f

    plan = ScanPlan(
        kept=tuple(c for c, role in roles.columns.items() if role in KEPT_ROLES),
        required=tuple(i.column for i in items if i.treatment is Treatment.TOKENIZED),
        numeric=tuple(
            i.column
            for i in items
            if i.treatment is Treatment.CODED and roles.coding[i.column].min_count is None
        ),
    )
    rows = RowNumbers(frame)
    scanned = rows.frame.select(*[column(name) for name in (*plan.kept, *plan.required)], ROW_ID)
    aggregated = (
        scanned.mapInArrow(batches.scan(plan, row_id=ROW_ID), _findings_schema())
        .groupBy("column", "kind")
        .agg(f.min("row").alias("row"), f.sum("rows").alias("rows"))
        .collect()
    )
    first = {(r["column"], r["kind"]): int(r["row"]) for r in aggregated}
    refusal = _refusal(
        first=first, rows=rows, roles=roles, plan=plan, columns=[i.column for i in items]
    )
    if refusal is not None:
        raise refusal
    return sum(int(r["rows"]) for r in aggregated if r["kind"] == batches.ROWS)


def category_sets(
    *, frame: DataFrame, roles: RolesSpec, items: Sequence[ItemTreatment]
) -> dict[str, tuple[pa.Array, bool]]:
    """Per ``min_count`` column with rare categories: the rare values (merged, ``True``) or the
    frequent ones (kept, ``False``), whichever are fewer.

    The categories of every such column are counted in one pass over the input (the counts are
    kept in the executors' memory until the sets are taken); the driver receives, per column,
    the number of categories and of rare ones, then the values of the sets.
    """
    from pyspark.sql import functions as f

    minimum = {
        i.column: roles.coding[i.column].min_count
        for i in items
        if i.treatment is Treatment.CODED and roles.coding[i.column].min_count is not None
    }
    if not minimum:
        return {}
    pairs = f.explode(
        f.array(*[f.struct(f.lit(c).alias("c"), column(c).alias("v")) for c in minimum])
    )
    threshold = f.lit(0)
    for name, count in minimum.items():
        threshold = f.when(f.col("c") == name, f.lit(count)).otherwise(threshold)
    counts = (
        frame.select(pairs.alias("pair"))
        .select("pair.c", "pair.v")
        .groupBy("c", "v")
        .count()
        .select("c", "v", (f.col("count") < threshold).alias("rare"))
        .cache()
    )
    try:
        summary = counts.groupBy("c").agg(
            f.count(f.lit(1)).alias("distinct"), f.sum(f.col("rare").cast("long")).alias("rare")
        )
        listed = {
            str(row["c"]): int(row["rare"]) <= int(row["distinct"]) - int(row["rare"])
            for row in summary.collect()
            if int(row["rare"])
        }
        if not listed:
            return {}
        wanted = f.lit(False)
        for name, merged in listed.items():
            wanted = wanted | ((f.col("c") == name) & (f.col("rare") == f.lit(merged)))
        chosen = counts.where(wanted).select("c", "v").toArrow()
    finally:
        counts.unpersist()
    values = chosen.column("v").cast(pa.string())
    return {
        name: (values.filter(pc.equal(chosen.column("c"), name)).combine_chunks(), merged)
        for name, merged in listed.items()
    }
