"""Re-identification risk figures (prosecutor, journalist, marketer, sample uniques)."""

from __future__ import annotations

import numpy as np
import pytest

from kojin.deid.reidentification_risk import risk_report
from kojin.errors import InputError


def test_risk_from_class_sizes() -> None:
    report = risk_report(sizes=np.array([1, 2, 3, 0]))
    assert report.records == 6
    assert report.classes == 3
    assert report.smallest_class == 1
    assert report.sample_uniques == 1
    assert report.prosecutor_highest == 1.0
    assert report.prosecutor_average == pytest.approx(3 / 6)
    assert report.journalist_highest == report.prosecutor_highest
    assert report.marketer == pytest.approx(3 / 6)


def test_sampling_fraction_lowers_journalist_and_marketer_risk() -> None:
    report = risk_report(sizes=np.array([5, 10]), sampling_fraction=0.1)
    # a class of 5 sampled at 10% stands for about 50 people
    assert report.journalist_highest == pytest.approx(0.1 / 5)
    assert report.marketer == pytest.approx((5 * 0.1 / 5 + 10 * 0.1 / 10) / 15)
    assert report.prosecutor_highest == pytest.approx(1 / 5)


def test_bad_sampling_fraction() -> None:
    with pytest.raises(InputError, match="sampling fraction"):
        risk_report(sizes=np.array([3]), sampling_fraction=0.0)
