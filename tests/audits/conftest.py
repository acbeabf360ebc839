"""Fixtures for the internal-audit services: the seed policy's facts (the registry, its cipher
and settings come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts


@pytest.fixture(scope="session")
def facts() -> PolicyFacts:
    return to_facts(load_policy(None))
