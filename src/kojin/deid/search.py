"""Optimal search of the generalization lattice, and the exhaustive search it must agree with.

The optimal search visits nodes in increasing order of the loss lower bound (the metric without
suppression, known for every node up front) and stops once the bound exceeds the best loss found.
It resolves an unknown node the way ARX's Flash does: it walks a path upwards (cheapest successor
first) to a node known to pass or to the top, then binary-searches that chain; every check tags
nodes by monotonicity (a passing node's generalizations pass, a failing node's specializations
fail). When suppression makes a model non-monotone, only failures of the models that stay
monotone (k-anonymity, distinct l-diversity) are propagated.

Ties in loss are broken by the node's position in the lattice (lexicographic order of levels),
so every search and engine chooses the same node.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kojin.deid.choices import Metric, SearchMethod
from kojin.deid.lattice import LatticeProblem, NodeResult

UNKNOWN, PASS, FAIL = 0, 1, 2

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SearchOutcome:
    """The chosen node (None when no node satisfies every model) and what it took."""

    best: NodeResult | None
    checked: int
    nodes: int
    seconds: float
    method: SearchMethod


def _digits(problem: LatticeProblem) -> int:
    return 4 if problem.metric is Metric.ENTROPY else 9


def rank(problem: LatticeProblem, loss: float, index: int) -> tuple[float, int]:
    """Sort key of a candidate: loss (rounded against float noise), then lattice position."""
    return (round(loss, _digits(problem)), index)


class _Tags:
    def __init__(self, problem: LatticeProblem) -> None:
        self.problem = problem
        self.state = np.zeros(problem.size, dtype=np.int8)

    def passed(self, index: int) -> None:
        levels = self.problem.levels
        self.state[(levels >= levels[index]).all(axis=1)] = PASS

    def failed(self, index: int) -> None:
        levels = self.problem.levels
        self.state[(levels <= levels[index]).all(axis=1)] = FAIL


def exhaustive_search(
    problem: LatticeProblem, *, progress: Progress | None = None
) -> SearchOutcome:
    """Check every node; the reference the optimal search is tested against."""
    started = time.perf_counter()
    best: NodeResult | None = None
    best_rank: tuple[float, int] | None = None
    for index in range(problem.size):
        result = problem.evaluate(problem.node(index))
        if progress is not None:
            progress(index + 1, problem.size)
        if not result.passes:
            continue
        candidate = rank(problem, result.loss, index)
        if best_rank is None or candidate < best_rank:
            best, best_rank = result, candidate
    return SearchOutcome(
        best=best,
        checked=problem.size,
        nodes=problem.size,
        seconds=time.perf_counter() - started,
        method=SearchMethod.EXHAUSTIVE,
    )


class _OptimalSearch:
    def __init__(self, problem: LatticeProblem, progress: Progress | None) -> None:
        self.problem = problem
        self.tags = _Tags(problem)
        self.results: dict[int, NodeResult] = {}
        self.progress = progress

    def check(self, index: int) -> NodeResult:
        cached = self.results.get(index)
        if cached is not None:
            return cached
        result = self.problem.evaluate(self.problem.node(index))
        self.results[index] = result
        if self.progress is not None:
            self.progress(len(self.results), self.problem.size)
        if self.problem.monotone:
            if result.passes:
                self.tags.passed(index)
            else:
                self.tags.failed(index)
        else:
            if result.monotone_fails:
                self.tags.failed(index)
            self.tags.state[index] = PASS if result.passes else FAIL
        return result

    def successor(self, index: int) -> int | None:
        """The direct generalization of ``index`` with the lowest loss bound (first on ties)."""
        problem = self.problem
        options = [
            (float(problem.lower_bound[index + stride]), index + stride)
            for level, height, stride in zip(
                problem.levels[index], problem.heights, problem.strides, strict=True
            )
            if level < height
        ]
        return min(options)[1] if options else None

    def resolve(self, index: int) -> None:
        """Tag ``index`` by checking nodes on a chain that runs up from it."""
        if not self.problem.monotone:
            self.check(index)
            return
        path = [index]
        current = index
        while True:
            following = self.successor(current)
            if following is None or self.tags.state[following] == PASS:
                break
            path.append(following)
            current = following
        low, high = 0, len(path) - 1
        while low <= high:
            middle = (low + high) // 2
            if self.tags.state[path[middle]] == PASS:
                high = middle - 1
                continue
            if self.tags.state[path[middle]] == FAIL:
                low = middle + 1
                continue
            if self.check(path[middle]).passes:
                high = middle - 1
            else:
                low = middle + 1

    def run(self) -> tuple[NodeResult | None, int]:
        problem = self.problem
        rounded = np.round(problem.lower_bound, _digits(problem))
        order = np.lexsort((np.arange(problem.size), rounded))
        exact_bound = problem.suppression_limit == 0
        best: NodeResult | None = None
        best_rank: tuple[float, int] | None = None
        for raw in order:
            index = int(raw)
            if best_rank is not None and rounded[index] > best_rank[0]:
                break
            if self.tags.state[index] == UNKNOWN:
                self.resolve(index)
            if self.tags.state[index] != PASS:
                continue
            result = self.check(index)
            candidate = rank(problem, result.loss, index)
            if best_rank is None or candidate < best_rank:
                best, best_rank = result, candidate
            if exact_bound:
                # without suppression the loss is the bound: the first passing node in bound
                # order (ties by position) is the optimum
                break
        return best, len(self.results)


def optimal_search(problem: LatticeProblem, *, progress: Progress | None = None) -> SearchOutcome:
    """The node of least loss among those that satisfy every model."""
    started = time.perf_counter()
    best, checked = _OptimalSearch(problem, progress).run()
    return SearchOutcome(
        best=best,
        checked=checked,
        nodes=problem.size,
        seconds=time.perf_counter() - started,
        method=SearchMethod.OPTIMAL,
    )


def search(
    problem: LatticeProblem, *, method: SearchMethod, progress: Progress | None = None
) -> SearchOutcome:
    if method is SearchMethod.EXHAUSTIVE:
        return exhaustive_search(problem, progress=progress)
    return optimal_search(problem, progress=progress)
