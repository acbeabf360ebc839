"""A lattice problem: the encoded base table in an engine, the models, the metric and the lattice.

A lattice node assigns a generalization level to each quasi-identifier. Evaluating a node groups
the base table by the node's generalized codes, decides which classes pass every model, and counts
the records the failing classes would suppress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kojin.deid.choices import Metric
from kojin.deid.engines.base import Engine, Grouped
from kojin.deid.equivalence_classes import NodeStats, classes_from_rows
from kojin.deid.hierarchy import Hierarchy
from kojin.deid.information_loss import normalizer, suppression_costs, value_costs
from kojin.deid.privacy_models import PrivacyModel, SensitiveDomain
from kojin.errors import InputError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Largest lattice kojin enumerates (nodes = product of (height + 1) over quasi-identifiers).
MAX_NODES = 2_000_000

Node = tuple[int, ...]


#: Group-by results kept for roll-up: rows summed over all kept nodes, and how many nodes.
ROLLUP_BUDGET = 4_000_000
ROLLUP_NODES = 24


@dataclass(frozen=True)
class NodeResult:
    """The outcome of checking one node."""

    node: Node
    passes: bool
    monotone_fails: bool
    suppressed: int
    loss: float
    stats: NodeStats
    passing: BoolArray


class LatticeProblem:
    """Everything a search needs; build with :func:`prepare_problem`.

    A node is grouped by the engine, or rolled up from the classes of a node already checked
    that it generalizes, when that node has fewer rows than the base table (ARX's roll-up: the
    same integers either way, so every engine gives the same result).
    """

    def __init__(
        self,
        *,
        engine: Engine,
        hierarchies: Sequence[Hierarchy],
        domain: SensitiveDomain | None,
        models: Sequence[PrivacyModel],
        metric: Metric,
        records: int,
        suppression_limit: int,
        column_loss: Sequence[FloatArray],
        suppression_cost: Sequence[Sequence[FloatArray]],
    ) -> None:
        self.engine = engine
        self.hierarchies = tuple(hierarchies)
        self.domain = domain
        self.models = tuple(models)
        self.metric = metric
        self.records = records
        self.suppression_limit = suppression_limit
        self.heights = tuple(h.height for h in hierarchies)
        self.radices = [[len(labels) for labels in h.labels] for h in hierarchies]
        self.with_sensitive = any(model.needs_sensitive for model in self.models)
        self.norm = normalizer(metric=metric, records=records, columns=len(hierarchies))
        self._suppression_cost = [tuple(levels) for levels in suppression_cost]
        self._cache: dict[Node, Grouped] = {}
        size = int(np.prod([h + 1 for h in self.heights]))
        if size > MAX_NODES:
            raise InputError(
                f"the generalization lattice has {size:,} nodes (limit {MAX_NODES:,}); "
                "use fewer quasi-identifiers or shorter hierarchies"
            )
        grids = np.indices([h + 1 for h in self.heights]).reshape(len(self.heights), -1)
        self.levels = np.asarray(grids.T, dtype=np.int16)
        #: how far a node's index moves when one column's level goes up by one
        self.strides = tuple(
            int(np.prod([h + 1 for h in self.heights[column + 1 :]], dtype=np.int64))
            for column in range(len(self.heights))
        )
        lower = np.zeros(len(self.levels))
        for column, losses in enumerate(column_loss):
            lower += losses[self.levels[:, column]]
        self.lower_bound = lower / self.norm
        self.monotone = suppression_limit == 0 or all(
            model.monotone_with_suppression for model in self.models
        )

    @property
    def size(self) -> int:
        return len(self.levels)

    def node(self, index: int) -> Node:
        return tuple(int(level) for level in self.levels[index])

    def index(self, node: Sequence[int]) -> int:
        return sum(int(level) * stride for level, stride in zip(node, self.strides, strict=True))

    def _level_map(self, column: int, low: int, high: int) -> IntArray:
        """Code at level ``high`` of every code at level ``low`` (a tree: one parent each)."""
        hierarchy = self.hierarchies[column]
        mapping = np.zeros(len(hierarchy.labels[low]), dtype=np.int64)
        mapping[hierarchy.parents[low]] = hierarchy.parents[high]
        return mapping

    def _group(self, node: Node) -> Grouped:
        source = self._rollup_source(node)
        if source is not None:
            rows = self._cache[source]
            keys = tuple(
                self._level_map(i, low, high)[rows.keys[i]] if low != high else rows.keys[i]
                for i, (low, high) in enumerate(zip(source, node, strict=True))
            )
            return Grouped(keys=keys, sensitive=rows.sensitive, counts=rows.counts)
        return self.engine.group(node=node, with_sensitive=self.with_sensitive)

    def _rollup_source(self, node: Node) -> Node | None:
        """The kept node with the fewest rows that ``node`` generalizes, if it has fewer rows
        than the base table (the first of equals, in the order they were kept)."""
        if not self._cache:
            return None
        kept = list(self._cache)
        below = (np.asarray(kept, dtype=np.int64) <= np.asarray(node, dtype=np.int64)).all(axis=1)
        if not below.any():
            return None
        rows = np.asarray([self._cache[cached].rows for cached in kept], dtype=np.int64)
        source = kept[int(np.argmin(np.where(below, rows, np.iinfo(np.int64).max)))]
        return source if self._cache[source].rows < self.engine.base_rows else None

    def _remember(self, node: Node, stats: NodeStats) -> None:
        rows = stats.rows()
        if rows.rows >= self.engine.base_rows or rows.rows > ROLLUP_BUDGET:
            return
        self._cache[node] = rows
        while len(self._cache) > ROLLUP_NODES:
            del self._cache[next(iter(self._cache))]  # the oldest
        while sum(g.rows for g in self._cache.values()) > ROLLUP_BUDGET:
            largest = max(self._cache, key=lambda key: self._cache[key].rows)
            del self._cache[largest]

    def evaluate(self, node: Sequence[int]) -> NodeResult:
        key = tuple(int(level) for level in node)
        stats = classes_from_rows(
            grouped=self._group(key),
            radices=[self.radices[i][level] for i, level in enumerate(key)],
            sensitive_size=len(self.domain.labels) if self.domain is not None else 0,
        )
        self._remember(key, stats)
        passing = np.ones(len(stats.sizes), dtype=np.bool_)
        monotone_passing = np.ones(len(stats.sizes), dtype=np.bool_)
        for model in self.models:
            verdict = model.passing(sizes=stats.sizes, hist=stats.hist, domain=self.domain)
            passing &= verdict
            if model.monotone_with_suppression:
                monotone_passing &= verdict
        suppressed = int(stats.sizes[~passing].sum())
        monotone_suppressed = int(stats.sizes[~monotone_passing].sum())
        passes = suppressed <= self.suppression_limit and suppressed < self.records
        extra = 0.0
        if suppressed:
            failing = stats.keys[~passing]
            per_record = np.zeros(len(failing))
            for i, level in enumerate(key):
                per_record += self._suppression_cost[i][level][failing[:, i]]
            extra = float(per_record @ stats.sizes[~passing])
        loss = float(self.lower_bound[self.index(key)] + extra / self.norm)
        return NodeResult(
            node=key,
            passes=passes,
            monotone_fails=monotone_suppressed > self.suppression_limit
            or monotone_suppressed >= self.records,
            suppressed=suppressed,
            loss=loss,
            stats=stats,
            passing=passing,
        )


def prepare_problem(
    *,
    engine: Engine,
    codes: Sequence[IntArray],
    hierarchies: Sequence[Hierarchy],
    sensitive_codes: IntArray | None,
    domain: SensitiveDomain | None,
    models: Sequence[PrivacyModel],
    metric: Metric,
    suppression: float,
) -> LatticeProblem:
    """Aggregate the encoded table (level-0 codes per row) in the engine and build the problem."""
    check_suppression(suppression)
    records = len(codes[0]) if codes else 0
    if records == 0:
        raise InputError("the input table has no rows")
    needs_sensitive = _needs_sensitive(models, sensitive_codes is not None, domain)
    engine.aggregate(codes=codes, sensitive=sensitive_codes if needs_sensitive else None)
    leaf_counts = [
        np.bincount(codes[i], minlength=len(h.labels[0])).astype(np.int64)
        for i, h in enumerate(hierarchies)
    ]
    return problem_from_counts(
        engine=engine,
        hierarchies=hierarchies,
        leaf_counts=leaf_counts,
        records=records,
        domain=domain,
        models=models,
        metric=metric,
        suppression=suppression,
    )


def check_suppression(suppression: float) -> None:
    if not 0.0 <= suppression <= 1.0:
        raise InputError(f"suppression must be between 0 and 1, got {suppression}")


def _needs_sensitive(
    models: Sequence[PrivacyModel], has_codes: bool, domain: SensitiveDomain | None
) -> bool:
    needs = any(model.needs_sensitive for model in models)
    if needs and (not has_codes or domain is None):
        raise InputError("l-diversity and t-closeness need a sensitive column (--sensitive)")
    return needs


def needs_sensitive(models: Sequence[PrivacyModel], domain: SensitiveDomain | None) -> bool:
    """Whether the models group by the sensitive value (an error when there is none)."""
    return _needs_sensitive(models, domain is not None, domain)


def problem_from_counts(
    *,
    engine: Engine,
    hierarchies: Sequence[Hierarchy],
    leaf_counts: Sequence[IntArray],
    records: int,
    domain: SensitiveDomain | None,
    models: Sequence[PrivacyModel],
    metric: Metric,
    suppression: float,
) -> LatticeProblem:
    """The problem over a base table the engine already holds, from the records per level-0
    value of each quasi-identifier (``leaf_counts``): per-level losses are precomputed."""
    check_suppression(suppression)
    if records == 0:
        raise InputError("the input table has no rows")
    engine.set_levels(parents=[h.parents for h in hierarchies])
    column_loss: list[FloatArray] = []
    suppression_cost: list[tuple[FloatArray, ...]] = []
    for i, hierarchy in enumerate(hierarchies):
        counts = np.asarray(leaf_counts[i], dtype=np.int64)
        costs = value_costs(metric=metric, hierarchy=hierarchy, leaf_counts=counts)
        column_loss.append(np.asarray([float(counts @ cost) for cost in costs]))
        suppression_cost.append(
            suppression_costs(metric=metric, hierarchy=hierarchy, leaf_counts=counts)
        )
    limit = int(np.floor(suppression * records + 1e-9))
    return LatticeProblem(
        engine=engine,
        hierarchies=hierarchies,
        domain=domain,
        models=models,
        metric=metric,
        records=records,
        suppression_limit=limit,
        column_loss=column_loss,
        suppression_cost=suppression_cost,
    )
