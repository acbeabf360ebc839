"""Equivalence classes from group-by rows: combined integer keys, sizes, histograms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kojin.deid.engines.base import Grouped

IntArray = npt.NDArray[np.int64]

_KEY_LIMIT = 1 << 62


def combine_keys(*, columns: Sequence[IntArray], radices: Sequence[int]) -> IntArray:
    """One int64 key per row that sorts like the tuple of the columns (mixed radix).

    When the radix product would overflow, the partial key is replaced by its rank first.
    """
    rows = len(columns[0]) if columns else 0
    key = np.zeros(rows, dtype=np.int64)
    span = 1
    for column, radix in zip(columns, radices, strict=True):
        if span * radix >= _KEY_LIMIT:
            _, inverse = np.unique(key, return_inverse=True)
            key = np.asarray(inverse, dtype=np.int64).reshape(-1)
            span = int(key.max(initial=0)) + 1
        key = key * radix + column
        span *= radix
    return key


@dataclass(frozen=True)
class NodeStats:
    """The equivalence classes of one lattice node, in key order.

    ``keys`` (C, q) generalized codes, ``sizes`` records per class, ``hist`` (C, m) sensitive
    counts when asked for.
    """

    keys: IntArray
    sizes: IntArray
    hist: IntArray | None

    def rows(self) -> Grouped:
        """The classes back as group-by rows (one per class and sensitive value present)."""
        columns = tuple(self.keys[:, i] for i in range(self.keys.shape[1]))
        if self.hist is None:
            return Grouped(keys=columns, sensitive=None, counts=self.sizes)
        which, value = np.nonzero(self.hist)
        return Grouped(
            keys=tuple(column[which] for column in columns),
            sensitive=np.asarray(value, dtype=np.int64),
            counts=np.asarray(self.hist[which, value], dtype=np.int64),
        )


def classes_from_rows(
    *, grouped: Grouped, radices: Sequence[int], sensitive_size: int
) -> NodeStats:
    """Aggregate group-by rows (possibly several per class) into classes."""
    keys, counts, sensitive = grouped.keys, grouped.counts, grouped.sensitive
    rows = len(counts)
    span = 1
    for radix in radices:
        span *= radix
    combined = combine_keys(columns=keys, radices=radices)
    if span <= 8 * rows + 4096:
        # small key space: count straight into it, no sort
        occupied = np.bincount(combined, minlength=span) > 0
        unique = np.flatnonzero(occupied)
        rank = np.cumsum(occupied) - 1
        inverse = rank[combined]
    else:
        unique, inverse = np.unique(combined, return_inverse=True)
        inverse = inverse.reshape(-1)
    classes = len(unique)
    sizes = np.bincount(inverse, weights=counts, minlength=classes).round().astype(np.int64)
    hist: IntArray | None = None
    if sensitive is not None:
        flat = np.bincount(
            inverse * sensitive_size + sensitive,
            weights=counts,
            minlength=classes * sensitive_size,
        )
        hist = flat.round().astype(np.int64).reshape(classes, sensitive_size)
    if span < _KEY_LIMIT:
        key_matrix = _split(np.asarray(unique, dtype=np.int64), radices)
    else:
        first = np.zeros(classes, dtype=np.int64)
        first[inverse[::-1]] = np.arange(rows - 1, -1, -1)
        key_matrix = (
            np.stack([np.asarray(column)[first] for column in keys], axis=1)
            if keys
            else np.zeros((classes, 0), dtype=np.int64)
        )
    return NodeStats(keys=np.asarray(key_matrix, dtype=np.int64), sizes=sizes, hist=hist)


def _split(keys: IntArray, radices: Sequence[int]) -> IntArray:
    """Invert :func:`combine_keys` (when it did not re-rank): one column per radix."""
    out = np.zeros((len(keys), len(radices)), dtype=np.int64)
    rest = keys.copy()
    for position in range(len(radices) - 1, -1, -1):
        rest, out[:, position] = np.divmod(rest, radices[position])
    return out
