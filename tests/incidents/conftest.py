"""Fixtures for the incident services: the seed policy and a registry with its cipher (from
tests/conftest.py). Mail stays in the encrypted outbox (no SMTP server configured)."""

from __future__ import annotations

import pytest

from kojin.incidents import models as _models  # noqa: F401 - the tables join the metadata
from kojin.policy import load_policy
from kojin.policy.model import Policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(None)
