"""Privacy models checked on equivalence classes (R-AN-1(5): measures suited to the data).

Each model decides, for every equivalence class of a generalized table, whether the class passes.
Classes are given as sizes (C,) and, for models about a sensitive attribute, a histogram (C, m) of
the sensitive codes. Records of failing classes are suppressed, up to the suppression limit.

All models here are monotone without suppression: when a table passes, every coarser
generalization passes too (merging classes keeps k, distinct and entropy diversity, recursive
(c,l)-diversity and EMD-based t-closeness). With suppression only k-anonymity and distinct
l-diversity stay monotone: a record in a passing class stays in a passing class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kojin.deid.choices import LVariant, TDistance
from kojin.errors import InputError

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_EPS = 1e-9


@dataclass(frozen=True)
class SensitiveDomain:
    """The sensitive attribute: its values in code order and their frequency in the whole table.

    ``groups`` holds, for hierarchy levels 1..H, the group of each code at that level (only when
    a hierarchy for the sensitive attribute is given; needed by hierarchical t-closeness).
    """

    column: str
    labels: tuple[str, ...]
    global_freq: FloatArray
    groups: tuple[IntArray, ...] = ()


class PrivacyModel(Protocol):
    """A model decides which equivalence classes pass."""

    @property
    def needs_sensitive(self) -> bool: ...

    @property
    def monotone_with_suppression(self) -> bool: ...

    def passing(
        self, *, sizes: IntArray, hist: IntArray | None, domain: SensitiveDomain | None
    ) -> BoolArray: ...

    def describe(self) -> str: ...


def _require(
    hist: IntArray | None, domain: SensitiveDomain | None
) -> tuple[IntArray, SensitiveDomain]:
    if hist is None or domain is None:
        raise InputError("this privacy model needs a sensitive column (--sensitive)")
    return hist, domain


@dataclass(frozen=True)
class KAnonymity:
    """Every class holds at least k records."""

    k: int
    needs_sensitive: bool = False
    monotone_with_suppression: bool = True

    def __post_init__(self) -> None:
        if self.k < 1:
            raise InputError(f"k must be at least 1, got {self.k}", field="k")

    def passing(
        self, *, sizes: IntArray, hist: IntArray | None, domain: SensitiveDomain | None
    ) -> BoolArray:
        return np.asarray(sizes >= self.k)

    def describe(self) -> str:
        return f"{self.k}-anonymity"


@dataclass(frozen=True)
class LDiversity:
    """Distinct, entropy or recursive (c,l)-diversity of the sensitive attribute in each class."""

    l: int  # noqa: E741 - the model's name
    variant: LVariant = LVariant.DISTINCT
    c: float = 1.0
    needs_sensitive: bool = True

    def __post_init__(self) -> None:
        if self.l < 1:
            raise InputError(f"l must be at least 1, got {self.l}", field="l")
        if self.variant is LVariant.RECURSIVE and self.c <= 0:
            raise InputError(f"c must be positive, got {self.c}", field="c")

    def passing(
        self, *, sizes: IntArray, hist: IntArray | None, domain: SensitiveDomain | None
    ) -> BoolArray:
        counts, _ = _require(hist, domain)
        if self.variant is LVariant.DISTINCT:
            return np.asarray((counts > 0).sum(axis=1) >= self.l)
        if self.variant is LVariant.ENTROPY:
            return np.asarray(class_entropy(counts) >= math.log(self.l) - _EPS)
        ordered = -np.sort(-counts, axis=1)
        if ordered.shape[1] < self.l:
            return np.zeros(len(sizes), dtype=np.bool_)
        tail = ordered[:, self.l - 1 :].sum(axis=1)
        return np.asarray(ordered[:, 0] < self.c * tail)

    @property
    def monotone_with_suppression(self) -> bool:
        """Merging a class that has l distinct values with any class keeps l distinct values;
        entropy and recursive diversity can be lost by merging with a failing class."""
        return self.variant is LVariant.DISTINCT

    def describe(self) -> str:
        if self.variant is LVariant.RECURSIVE:
            return f"recursive ({self.c:g},{self.l})-diversity"
        return f"{self.variant.value} {self.l}-diversity"


def class_entropy(counts: IntArray) -> FloatArray:
    """Natural-log entropy of each row of a histogram."""
    totals = counts.sum(axis=1, keepdims=True).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(counts > 0, counts / np.maximum(totals, 1.0), 1.0)
        return np.asarray(-(np.where(counts > 0, p * np.log(p), 0.0)).sum(axis=1))


@dataclass(frozen=True)
class TCloseness:
    """The sensitive distribution of each class is within EMD t of the whole table's."""

    t: float
    distance: TDistance = TDistance.EQUAL
    needs_sensitive: bool = True
    monotone_with_suppression: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.t <= 1.0:
            raise InputError(f"t must be between 0 and 1, got {self.t}", field="t")

    def passing(
        self, *, sizes: IntArray, hist: IntArray | None, domain: SensitiveDomain | None
    ) -> BoolArray:
        counts, dom = _require(hist, domain)
        return np.asarray(emd(counts=counts, domain=dom, distance=self.distance) <= self.t + _EPS)

    def describe(self) -> str:
        return f"{self.t:g}-closeness ({self.distance.value} distance)"


def emd(*, counts: IntArray, domain: SensitiveDomain, distance: TDistance) -> FloatArray:
    """Earth mover's distance of each class's distribution to the global one (Li et al. 2007)."""
    totals = np.maximum(counts.sum(axis=1, keepdims=True), 1).astype(np.float64)
    diff = counts / totals - domain.global_freq[None, :]
    m = counts.shape[1]
    if distance is TDistance.EQUAL:
        return np.asarray(0.5 * np.abs(diff).sum(axis=1))
    if distance is TDistance.ORDERED:
        if m < 2:
            return np.zeros(counts.shape[0])
        return np.asarray(np.abs(np.cumsum(diff, axis=1)).sum(axis=1) / (m - 1))
    if not domain.groups:
        raise InputError(
            "hierarchical t-closeness needs a hierarchy for the sensitive column "
            "(--sensitive-hierarchy)",
            field=domain.column,
        )
    height = len(domain.groups)
    total = np.zeros(counts.shape[0])
    below = diff  # extras of the nodes one level down, per class
    below_group = np.arange(m)  # group of each leaf one level down (leaves themselves first)
    for level, group in enumerate(domain.groups, start=1):
        width = int(group.max()) + 1
        # every node one level down has exactly one parent at this level (the hierarchy is a tree)
        child_parent = np.zeros(below.shape[1], dtype=np.int64)
        child_parent[below_group] = group
        link = np.zeros((below.shape[1], width))
        link[np.arange(below.shape[1]), child_parent] = 1.0
        positive = np.maximum(below, 0.0) @ link
        negative = np.maximum(-below, 0.0) @ link
        total += (level / height) * np.minimum(positive, negative).sum(axis=1)
        below = below @ link
        below_group = group
    return total
