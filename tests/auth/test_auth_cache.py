"""The per-process token cache: trusted for a second from before the check, never past the
token's expiry, and one check for many requests that miss it together."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from kojin.api.security import TokenCache
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import AuthenticationError


def _actor(expires_at: datetime | None = None) -> ApiTokenOut:
    return ApiTokenOut(
        id="t1",
        name="n",
        role=Role.AUDITOR,
        prefix="kojin_abcd",
        created_at=datetime.now(UTC),
        expires_at=expires_at,
    )


def test_freshness_counts_from_before_the_check() -> None:
    cache = TokenCache(ttl=1.0)
    cache.put("k", _actor(), checked_at=time.monotonic() - 0.9)
    assert cache.get("k") is not None
    time.sleep(0.15)  # a second after the check began, though not after it was remembered
    assert cache.get("k") is None


def test_a_cached_token_is_refused_once_it_expires() -> None:
    cache = TokenCache(ttl=60)
    cache.put("k", _actor(datetime.now(UTC) + timedelta(milliseconds=100)))
    assert cache.get("k") is not None
    time.sleep(0.15)
    assert cache.get("k") is None
    cache.put("k", _actor(datetime.now(UTC) - timedelta(seconds=1)))
    assert cache.get("k") is None


def test_requests_missing_the_cache_together_wait_for_one_check() -> None:
    cache = TokenCache()
    calls = 0

    async def check() -> ApiTokenOut:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return _actor()

    async def many() -> list[ApiTokenOut]:
        return await asyncio.gather(*(cache.load("k", check) for _ in range(20)))

    actors = asyncio.run(many())
    assert calls == 1
    assert {a.id for a in actors} == {"t1"}
    assert cache.get("k") is not None


def test_a_refusal_reaches_every_waiting_request_and_is_not_cached() -> None:
    cache = TokenCache()
    calls = 0

    async def check() -> ApiTokenOut:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        raise AuthenticationError("invalid, revoked or expired API token")

    async def many() -> list[ApiTokenOut | BaseException]:
        return await asyncio.gather(
            *(cache.load("k", check) for _ in range(5)), return_exceptions=True
        )

    outcomes = asyncio.run(many())
    assert calls == 1
    assert all(isinstance(o, AuthenticationError) for o in outcomes)
    assert cache.get("k") is None


def test_waiters_check_for_themselves_when_the_first_request_is_cancelled() -> None:
    cache = TokenCache()
    calls = 0

    async def check() -> ApiTokenOut:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return _actor()

    async def scenario() -> ApiTokenOut:
        first = asyncio.create_task(cache.load("k", check))
        await asyncio.sleep(0.01)
        waiter = asyncio.create_task(cache.load("k", check))
        await asyncio.sleep(0.01)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        return await waiter

    assert asyncio.run(scenario()).id == "t1"
    assert calls == 2


def test_a_check_under_way_when_the_cache_is_cleared_is_not_remembered() -> None:
    cache = TokenCache()

    async def check() -> ApiTokenOut:
        await asyncio.sleep(0.05)
        return _actor()

    async def scenario() -> ApiTokenOut:
        under_way = asyncio.create_task(cache.load("k", check))
        await asyncio.sleep(0.01)
        cache.clear()  # a revocation committed in this worker meanwhile
        return await under_way

    assert asyncio.run(scenario()).id == "t1"
    assert cache.get("k") is None
