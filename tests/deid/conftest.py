"""Fixtures for de-identification tests: the Adult tables, read once per session."""

from __future__ import annotations

import pyarrow as pa
import pytest
from deid_data import ADULT_DIR

from kojin.deid.table_io import read_csv


@pytest.fixture(scope="session")
def adult() -> pa.Table:
    return read_csv(ADULT_DIR / "adult.csv")


@pytest.fixture(scope="session")
def adult_subset() -> pa.Table:
    return read_csv(ADULT_DIR / "adult_subset.csv")
