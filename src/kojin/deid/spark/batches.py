"""What the Spark executors run over Arrow record batches (``mapInArrow``) for pseudonymization.

The same functions as the embedded path, applied one batch at a time: the predicates of
:func:`kojin.deid.pseudonymize.undeclared_code_rows`, :func:`kojin.deid.pseudonym_tokens.tokenize`
(each distinct value of a batch hashed once) and
:func:`kojin.deid.pseudonymize.code_down` for top and bottom coding. The key and the category
sets arrive as a broadcast variable: the functions close over the
:class:`~pyspark.Broadcast` object, never over the bytes, so the key is not part of any plan.

Nothing here raises about a value: a check yields *findings* (a column, a kind, the row id of
the first row of that kind in the batch) that the driver aggregates into the embedded path's
message. This module imports PyArrow and NumPy only; PySpark hands it the batches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kojin.deid.column_roles import Coding
from kojin.deid.pseudonym_tokens import PseudonymKey, tokenize, tokenize_array
from kojin.deid.pseudonymize import code_down, undeclared_code_rows
from kojin.deid.results import Treatment

if TYPE_CHECKING:
    from pyspark import Broadcast

Batches = Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]

#: the findings' columns: which column, what was found, the row id where it is first found in
#: a batch (text, text, 64-bit integers), and for :data:`ROWS` how many rows the batch has
FINDINGS = ("column", "kind", "row", "rows")
#: a finding about a batch, not a column: its number of rows
ROWS = "rows"
#: a missing value (null: a Parquet input's)
MISSING = "missing"
#: a value that is not a (finite) number in a top/bottom coded column; the kind is the fault
NOT_A_NUMBER = "not a number"
NOT_FINITE = "not a finite number"


def undeclared_kind(index: int) -> str:
    """The finding kind of the `index`-th undeclared code (see ``undeclared_code_rows``)."""
    return f"undeclared:{index}"


@dataclass(frozen=True)
class ScanPlan:
    """What the scan looks for: missing values and undeclared codes in `kept` columns, missing
    values in `required` ones, values that are not numbers in `numeric` ones."""

    kept: tuple[str, ...]
    required: tuple[str, ...]
    numeric: tuple[str, ...]


@dataclass(frozen=True)
class Shipped:
    """What the executors receive by broadcast: the key, and per category-coded column the
    values that are merged (``True``) or the only ones kept (``False``), whichever is fewer."""

    key: PseudonymKey
    categories: dict[str, tuple[pa.Array, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One released column and what is done to it."""

    column: str
    treatment: Treatment
    coding: Coding | None = None


def text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A batch's column as a plain string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values if values.type == pa.string() else values.cast(pa.string())


def _number_fault(value: str) -> str | None:
    """Why top or bottom coding cannot read `value` (as ``apply_outlier_coding`` says), or
    None."""
    try:
        number = float(value)
    except ValueError:
        return NOT_A_NUMBER
    return None if math.isfinite(number) else NOT_FINITE


def _first_number_fault(values: pa.Array) -> tuple[int, str] | None:
    """Position (0-based) and fault of the first value that is not a finite number."""
    encoded = values.dictionary_encode()
    faults = [_number_fault(value) for value in encoded.dictionary.to_pylist()]
    bad = np.array([fault is not None for fault in faults], dtype=bool)
    if not bad.any():
        return None
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    position = int(np.argmax(bad[indices]))
    fault = faults[int(indices[position])]
    assert fault is not None
    return position, fault


def _findings(batch: pa.RecordBatch, plan: ScanPlan, row_id: str) -> pa.RecordBatch:
    ids = batch.column(row_id).to_numpy(zero_copy_only=False)
    found: list[tuple[str, str, int]] = []
    for column in (*plan.kept, *plan.required):
        values = text(batch.column(column))
        if values.null_count:
            position = int(np.argmax(values.is_null().to_numpy(zero_copy_only=False)))
            found.append((column, MISSING, int(ids[position])))
            values = values.fill_null("")
        if column in plan.kept:
            for index, row in enumerate(undeclared_code_rows(values)):
                if row is not None:
                    found.append((column, undeclared_kind(index), int(ids[row - 1])))
    for column in plan.numeric:
        fault = _first_number_fault(text(batch.column(column)).fill_null(""))
        if fault is not None:
            found.append((column, fault[1], int(ids[fault[0]])))
    return pa.RecordBatch.from_arrays(
        [
            pa.array([c for c, _, _ in found] + [""], pa.string()),
            pa.array([k for _, k, _ in found] + [ROWS], pa.string()),
            pa.array([r for _, _, r in found] + [0], pa.int64()),
            pa.array([0] * len(found) + [batch.num_rows], pa.int64()),
        ],
        names=list(FINDINGS),
    )


def scan(plan: ScanPlan, *, row_id: str) -> Batches:
    """The check of every batch: its findings and its number of rows."""

    def check_values(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield _findings(batch, plan, row_id)

    return check_values


def _merge_categories(values: pa.Array, coding: Coding, listed: tuple[pa.Array, bool]) -> pa.Array:
    """``code_down`` by ``min_count``, with the rare values counted over the whole input."""
    value_set, merged = listed
    mask = pc.is_in(values, value_set=value_set)
    if not merged:
        mask = pc.invert(mask)
    return pc.if_else(mask, pa.scalar(coding.other, pa.string()), values)


def _release_column(values: pa.Array, step: Step, shipped: Shipped) -> pa.Array:
    if step.treatment is Treatment.TOKENIZED:
        return tokenize_array(values, key=shipped.key)[0]
    if step.coding is None:
        return values
    if step.coding.min_count is not None:
        listed = shipped.categories.get(step.column)
        return values if listed is None else _merge_categories(values, step.coding, listed)
    encoded = values.dictionary_encode()
    coded = code_down(column=step.column, values=encoded.dictionary, coding=step.coding)
    return coded.take(encoded.indices)


def release(steps: tuple[Step, ...], shipped: Broadcast[Shipped]) -> Batches:
    """The released columns of every batch, in order (deleted columns are not among them)."""

    def pseudonymize(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        data = shipped.value
        for batch in batches:
            yield pa.RecordBatch.from_arrays(
                [_release_column(text(batch.column(s.column)), s, data) for s in steps],
                names=[step.column for step in steps],
            )

    return pseudonymize


def token_table(shipped: Broadcast[Shipped]) -> Batches:
    """Token and value of every (distinct) value of a one-column batch: a kept token table."""

    def tokens(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        key = shipped.value.key
        for batch in batches:
            values = text(batch.column(0))
            yield pa.RecordBatch.from_arrays(
                [tokenize(values, key=key), values], names=["token", "value"]
            )

    return tokens
