"""In-memory engine: numpy over the base table (fastest on data that fits in memory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kojin.deid.choices import EngineName
from kojin.deid.engines.base import Grouped, IntArray, as_int64
from kojin.deid.equivalence_classes import combine_keys


@dataclass(frozen=True)
class Aggregated:
    """Distinct encoded rows with their record counts (the base table)."""

    codes: tuple[IntArray, ...]
    sensitive: IntArray | None
    counts: IntArray


def aggregate_arrays(*, codes: Sequence[IntArray], sensitive: IntArray | None) -> Aggregated:
    """Distinct rows of the code columns with their counts (numpy, sort based)."""
    columns = [*codes, *([sensitive] if sensitive is not None else [])]
    radices = [int(column.max(initial=0)) + 1 for column in columns]
    keys = combine_keys(columns=columns, radices=radices)
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    parts = [as_int64(column[first]) for column in columns]
    return Aggregated(
        codes=tuple(parts[: len(codes)]),
        sensitive=parts[len(codes)] if sensitive is not None else None,
        counts=as_int64(counts),
    )


class MemoryEngine:
    """Groups with numpy; the base table is kept as arrays."""

    def __init__(self) -> None:
        self._base: Aggregated | None = None
        self._parents: list[list[IntArray]] = []

    @property
    def name(self) -> EngineName:
        return EngineName.MEMORY

    def aggregate(self, *, codes: Sequence[IntArray], sensitive: IntArray | None) -> None:
        self._base = aggregate_arrays(codes=codes, sensitive=sensitive)

    def set_levels(self, *, parents: Sequence[Sequence[IntArray]]) -> None:
        self._parents = [list(levels) for levels in parents]

    @property
    def base_rows(self) -> int:
        return 0 if self._base is None else len(self._base.counts)

    def group(self, *, node: Sequence[int], with_sensitive: bool) -> Grouped:
        base = self._base
        if base is None:
            raise RuntimeError("aggregate() must run before group()")
        keys = tuple(
            self._parents[i][level][base.codes[i]] if level else base.codes[i]
            for i, level in enumerate(node)
        )
        return Grouped(
            keys=keys,
            sensitive=base.sensitive if with_sensitive else None,
            counts=base.counts,
        )

    def close(self) -> None:
        self._base = None
