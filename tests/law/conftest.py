"""Fixtures for the decision-engine tests (helpers live in law_support.py)."""

from __future__ import annotations

import pytest
from law_support import SEED

from kojin.law import PolicyFacts


@pytest.fixture
def seed_policy() -> PolicyFacts:
    return SEED
