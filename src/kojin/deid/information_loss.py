"""Information-loss metrics for full-domain generalization with record suppression.

Each metric gives every record and quasi-identifier a cost that depends on the record's original
value and the level it is generalized to; a suppressed record costs what the top level (``*``)
costs. The table's loss is the sum over records and quasi-identifiers (``loss`` and ``precision``
are then divided by records × quasi-identifiers, so they lie in [0, 1]).

- ``loss`` (generalization loss, Iyengar's LM): a value generalized to g costs
  ``(leaves(g) - 1) / (leaves - 1)``, where ``leaves(g)`` counts the original values of the
  hierarchy under g and ``leaves`` all of them.
- ``precision`` (Sweeney): a value at level L of a hierarchy of height H costs ``L / H``.
- ``entropy`` (non-uniform entropy, Gionis and Tassa): a value v generalized to g costs
  ``-log2(count(v) / count(g))`` bits, counts taken over the input table; reported in bits.

Without suppression the loss of a node is the sum of per-column terms that depend only on the
column's level, so it is known for every node before any data is grouped. Suppression only adds
cost, so that sum is also a lower bound of the loss with suppression. What suppressing a record
adds depends only on its generalized values (for ``entropy`` the ``-log2 count(v)`` parts cancel:
``log2(records) - log2(count(g))``), so it is computed per class from the class's key.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kojin.deid.choices import Metric
from kojin.deid.hierarchy import Hierarchy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def value_costs(
    *, metric: Metric, hierarchy: Hierarchy, leaf_counts: IntArray
) -> tuple[FloatArray, ...]:
    """Per level, the cost of one record for each original value (indexed by level-0 code).

    ``leaf_counts`` counts the records of each original value (used by ``entropy``).
    """
    costs: list[FloatArray] = []
    height = hierarchy.height
    leaves = len(hierarchy.labels[0])
    for level in range(height + 1):
        parents = hierarchy.parents[level]
        if metric is Metric.PRECISION:
            costs.append(np.full(leaves, level / height if height else 0.0))
        elif metric is Metric.LOSS:
            under = hierarchy.leaves_under(level)[parents]
            denominator = max(leaves - 1, 1)
            costs.append((under - 1) / denominator)
        else:
            group_counts = np.bincount(
                parents, weights=leaf_counts, minlength=len(hierarchy.labels[level])
            )[parents]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(leaf_counts > 0, leaf_counts / np.maximum(group_counts, 1), 1.0)
            costs.append(-np.log2(ratio))
    return tuple(np.asarray(cost, dtype=np.float64) for cost in costs)


def suppression_costs(
    *, metric: Metric, hierarchy: Hierarchy, leaf_counts: IntArray
) -> tuple[FloatArray, ...]:
    """Per level, what suppressing one record adds, for each generalized value at that level."""
    height = hierarchy.height
    leaves = len(hierarchy.labels[0])
    records = float(leaf_counts.sum())
    costs: list[FloatArray] = []
    for level in range(height + 1):
        width = len(hierarchy.labels[level])
        if metric is Metric.PRECISION:
            costs.append(np.full(width, (height - level) / height if height else 0.0))
        elif metric is Metric.LOSS:
            if leaves <= 1:
                costs.append(np.zeros(width))
                continue
            under = hierarchy.leaves_under(level)
            costs.append(1.0 - (under - 1) / (leaves - 1))
        else:
            group_counts = np.bincount(
                hierarchy.parents[level], weights=leaf_counts, minlength=width
            )
            with np.errstate(divide="ignore"):
                extra = np.log2(max(records, 1.0)) - np.log2(np.maximum(group_counts, 1.0))
            costs.append(np.where(group_counts > 0, extra, 0.0))
    return tuple(np.asarray(cost, dtype=np.float64) for cost in costs)


def normalizer(*, metric: Metric, records: int, columns: int) -> float:
    """What the summed cost is divided by to give the reported value."""
    if metric is Metric.ENTROPY:
        return 1.0
    return float(max(records * columns, 1))
