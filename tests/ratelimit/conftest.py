"""Rate-limit fixtures: a Redis limiter pair under a key prefix of their own (skipped with a
reason unless KOJIN_TEST_REDIS_URL names a server), whose keys are deleted afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from kojin.ratelimit import RateLimiter

REDIS_ENV = "KOJIN_TEST_REDIS_URL"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set: the Redis variant needs a server URL")
    return url


@pytest.fixture
def redis_pair(redis_url: str) -> Iterator[tuple[RateLimiter, RateLimiter]]:
    """Two limiters on one Redis, as two worker processes hold, under a test-only prefix."""
    prefix = f"kojin-test-{uuid.uuid4().hex}"
    first = RateLimiter.from_url(redis_url, key_prefix=prefix)
    second = RateLimiter.from_url(redis_url, key_prefix=prefix)
    try:
        yield first, second
    finally:
        first.storage.reset()
