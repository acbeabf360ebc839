"""Re-identification risk of a released table, from its equivalence-class sizes.

Models (El Emam and Dankar):

- prosecutor: the attacker knows the person is in the table. A record's risk is 1/size of its
  class; reported as the highest risk and the average over records (classes / records).
- journalist: the attacker only knows the person is in the population the table was sampled
  from. With a sampling fraction f, a class of size s stands for about s / f people; the risk of
  a record is f / s (capped at 1); reported as the highest. With f = 1 (the default: the table
  is the population) it equals the prosecutor risk.
- marketer: the share of all records an attacker re-identifies by linking everyone; the average
  of the journalist record risk.

Sample uniques are records alone in their class.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kojin.deid.results import RiskReport
from kojin.errors import InputError

IntArray = npt.NDArray[np.int64]


def risk_report(*, sizes: IntArray, sampling_fraction: float = 1.0) -> RiskReport:
    """Risk figures for classes of the given sizes (empty classes ignored)."""
    values, counts = np.unique(sizes[sizes > 0], return_counts=True)
    return risk_from_histogram(
        sizes=np.asarray(values, dtype=np.int64),
        classes=np.asarray(counts, dtype=np.int64),
        sampling_fraction=sampling_fraction,
    )


def risk_from_histogram(
    *, sizes: IntArray, classes: IntArray, sampling_fraction: float = 1.0
) -> RiskReport:
    """Risk figures for ``classes[i]`` classes of size ``sizes[i]`` (sizes distinct, ascending,
    positive): what an engine that keeps the classes elsewhere sends back."""
    if not 0.0 < sampling_fraction <= 1.0:
        raise InputError(
            f"the sampling fraction must be in (0, 1], got {sampling_fraction}",
            field="sampling_fraction",
        )
    keep = sizes > 0
    sizes, classes = sizes[keep], classes[keep]
    records = int((sizes * classes).sum())
    if records == 0:
        return RiskReport(0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, sampling_fraction)
    count = int(classes.sum())
    uniques = int(classes[sizes == 1].sum())
    journalist = np.minimum(sampling_fraction / sizes, 1.0)
    return RiskReport(
        records=records,
        classes=count,
        smallest_class=int(sizes.min()),
        sample_uniques=uniques,
        sample_uniques_share=uniques / records,
        prosecutor_highest=float(1.0 / sizes.min()),
        prosecutor_average=count / records,
        journalist_highest=float(journalist.max()),
        marketer=float((journalist * sizes * classes).sum() / records),
        sampling_fraction=sampling_fraction,
    )
