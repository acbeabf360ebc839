"""Encode table columns once as integer codes (level-0 codes of a hierarchy, sensitive codes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from kojin.deid.hierarchy import Hierarchy
from kojin.deid.privacy_models import SensitiveDomain
from kojin.deid.table_source import unknown_column
from kojin.errors import InputError

IntArray = npt.NDArray[np.int64]

#: Bytes an Arrow string array (32-bit offsets) can hold.
_STRING_LIMIT = 2**31 - 1


def column_strings(table: pa.Table, column: str) -> pa.Array:
    """The column as one string array; unknown columns and missing values are errors."""
    if column not in table.column_names:
        raise unknown_column(column, table.column_names)
    values = table.column(column).combine_chunks()
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    if values.null_count:
        raise missing_value(column, int(np.argmax(values.is_null().to_numpy(False))) + 1)
    return values


def missing_value(column: str, row: int) -> InputError:
    """The error for a missing value in a column the run uses (at 1-based `row`)."""
    return InputError(f"column {column!r}, row {row}: missing value", field=column)


def not_in_hierarchy(column: str, row: int, rows: int) -> InputError:
    """The error for `rows` rows, the first at `row`, whose value the column's hierarchy lacks."""
    more = f" (and {rows - 1} more rows)" if rows > 1 else ""
    return InputError(
        f"column {column!r}, row {row}{more}: the value is not in the column's hierarchy",
        field=column,
    )


def _dictionary(table: pa.Table, column: str) -> pa.DictionaryArray:
    """The column dictionary-encoded over text values (reusing an existing dictionary)."""
    if column in table.column_names:
        raw = table.column(column).combine_chunks()
        if pa.types.is_dictionary(raw.type) and raw.null_count == 0:
            dictionary = raw.dictionary
            if not pa.types.is_string(dictionary.type):
                dictionary = dictionary.cast(pa.string())
            return pa.DictionaryArray.from_arrays(raw.indices, dictionary)
    return column_strings(table, column).dictionary_encode()


def dictionary_indices(encoded: pa.DictionaryArray) -> IntArray:
    """The indices of a dictionary array without missing values, as int64.

    Read from the buffer: PyArrow's ``to_numpy`` imports pandas when it is installed (it is,
    with the Spark extra), which a run on the memory engine does not need.
    """
    indices = encoded.indices
    width = indices.type.bit_width // 8
    raw = np.frombuffer(
        indices.buffers()[1], dtype=f"<i{width}", count=len(indices), offset=indices.offset * width
    )
    return np.asarray(raw, dtype=np.int64)


def encode_column(*, table: pa.Table, column: str, hierarchy: Hierarchy) -> IntArray:
    """Level-0 hierarchy code of every row; a value absent from the hierarchy is an error.

    The error names the column, the first row with such a value and how many rows have values
    the hierarchy lacks; never a value.
    """
    encoded = _dictionary(table, column)
    dictionary = encoded.dictionary.to_pylist()
    indices = dictionary_indices(encoded)
    index = hierarchy.leaf_index()
    lookup = np.full(len(dictionary), -1, dtype=np.int64)
    for position, value in enumerate(dictionary):
        code = index.get(value)
        if code is not None:
            lookup[position] = code
    codes = np.asarray(lookup[indices], dtype=np.int64)
    missing = codes < 0
    if missing.any():
        raise not_in_hierarchy(column, int(np.argmax(missing)) + 1, int(missing.sum()))
    return codes


def label_strings(labels: Sequence[str], codes: IntArray) -> pa.Array:
    """The string array ``labels[codes]``, assembled from byte buffers with NumPy.

    Each label is encoded once; no Python string is made per row and no Arrow compute function
    is needed, which keeps a run on the memory engine from loading ``pyarrow.compute``.
    """
    encoded = [label.encode("utf-8") for label in labels]
    lengths = np.fromiter((len(value) for value in encoded), dtype=np.int64, count=len(encoded))
    starts = np.cumsum(lengths) - lengths
    row_lengths = lengths[codes]
    offsets = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(row_lengths, out=offsets[1:])
    if offsets[-1] >= _STRING_LIMIT:
        return pa.array(labels, type=pa.string()).take(pa.array(codes))
    positions = np.repeat(starts[codes] - offsets[:-1], row_lengths) + np.arange(offsets[-1])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)[positions]
    return pa.StringArray.from_buffers(
        len(codes), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)
    )


def sensitive_order(values: list[str]) -> list[str]:
    """The order of sensitive values without a hierarchy: numeric when every value is a number,
    else text order."""
    return _sort_key(values)


def sensitive_domain(
    *, column: str, labels: Sequence[str], counts: IntArray, hierarchy: Hierarchy | None
) -> SensitiveDomain:
    """The sensitive attribute from its values in code order and the records of each."""
    groups = (
        tuple(hierarchy.parents[level] for level in range(1, hierarchy.height + 1))
        if hierarchy is not None
        else ()
    )
    weights = np.asarray(counts, dtype=np.float64)
    return SensitiveDomain(
        column=column,
        labels=tuple(labels),
        global_freq=weights / max(weights.sum(), 1.0),
        groups=groups,
    )


def _sort_key(values: list[str]) -> list[str]:
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values)


@dataclass(frozen=True)
class EncodedSensitive:
    domain: SensitiveDomain
    codes: IntArray


def encode_sensitive(
    *, table: pa.Table, column: str, hierarchy: Hierarchy | None = None
) -> EncodedSensitive:
    """Codes of the sensitive column and its global distribution.

    Without a hierarchy, codes follow numeric order when every value is a number, else text
    order (the order used by ordered-distance t-closeness). With a hierarchy, codes follow its
    rows, and the hierarchy's levels give the groups for hierarchical distance.
    """
    if hierarchy is not None:
        codes = encode_column(table=table, column=column, hierarchy=hierarchy)
        labels: Sequence[str] = hierarchy.labels[0]
    else:
        encoded = column_strings(table, column).dictionary_encode()
        dictionary = encoded.dictionary.to_pylist()
        ordered = _sort_key(dictionary)
        position = {value: code for code, value in enumerate(ordered)}
        lookup = np.asarray([position[value] for value in dictionary], dtype=np.int64)
        codes = np.asarray(lookup[dictionary_indices(encoded)], dtype=np.int64)
        labels = ordered
    counts = np.bincount(codes, minlength=len(labels)).astype(np.int64)
    domain = sensitive_domain(column=column, labels=labels, counts=counts, hierarchy=hierarchy)
    return EncodedSensitive(domain=domain, codes=codes)
