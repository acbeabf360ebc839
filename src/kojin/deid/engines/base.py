"""The engine interface: the two group-bys a lattice search needs.

An engine first aggregates the encoded table to its distinct rows (level-0 codes of the
quasi-identifiers, the sensitive code, a record count): the base table. For a lattice node it
then groups the base table by the node's generalized codes (each level-0 code mapped up its
hierarchy) and, when asked, the sensitive code, summing the counts. Every engine returns the same
integers for the same input; row order does not matter (callers sort by key).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kojin.deid.choices import EngineName

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Grouped:
    """Rows of a group-by: key columns (one per quasi-identifier), sensitive code, counts."""

    keys: tuple[IntArray, ...]
    sensitive: IntArray | None
    counts: IntArray

    @property
    def rows(self) -> int:
        return len(self.counts)


class Engine(Protocol):
    """Runs the group-bys of a lattice search."""

    @property
    def name(self) -> EngineName: ...

    def aggregate(self, *, codes: Sequence[IntArray], sensitive: IntArray | None) -> None:
        """Group the encoded table (level-0 codes per row) into the base table and keep it."""
        ...

    def set_levels(self, *, parents: Sequence[Sequence[IntArray]]) -> None:
        """For each quasi-identifier and level, the generalized code of every level-0 code."""
        ...

    @property
    def base_rows(self) -> int: ...

    def group(self, *, node: Sequence[int], with_sensitive: bool) -> Grouped:
        """Group the base table by the generalized codes of ``node`` (and the sensitive code)."""
        ...

    def close(self) -> None: ...


def as_int64(array: npt.NDArray[np.generic]) -> IntArray:
    return np.asarray(array, dtype=np.int64)
