"""Rate limits: each rule refuses after its allowance, keys are normalized and hashed, counts
are shared through Redis between workers, and an unreachable Redis does not open the gate."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import redis
from limits.storage import MemoryStorage

from kojin.errors import ConfigurationError
from kojin.ratelimit import LIMITS, LimitRule, RateLimiter, hashed_key
from kojin.settings import Settings

EXPECTED = {
    LimitRule.SIGN_IN_ACCOUNT: (5, "5/15 minutes"),
    LimitRule.SIGN_IN_ADDRESS: (20, "20/15 minutes"),
    LimitRule.CODE_REQUEST_EMAIL: (5, "5/hour"),
    LimitRule.CODE_REQUEST_ADDRESS: (20, "20/hour"),
    LimitRule.CODE_ATTEMPT_ADDRESS: (30, "30/hour"),
    LimitRule.SUBMIT_ADDRESS: (10, "10/hour"),
    LimitRule.STATUS_ADDRESS: (60, "60/hour"),
}


def _allowed(limiter: RateLimiter, rule: LimitRule, key: str, times: int) -> list[bool]:
    return [limiter.allow(rule, key) for _ in range(times)]


def test_every_rule_has_its_allowance() -> None:
    assert set(LIMITS) == set(LimitRule) == set(EXPECTED)
    for rule, (_, text) in EXPECTED.items():
        assert rule.limit == text


@pytest.mark.parametrize("rule", list(LimitRule))
def test_memory_limits_refuse_after_the_allowance(rule: LimitRule) -> None:
    limiter = RateLimiter.from_settings(Settings(redis_url=None))
    assert isinstance(limiter.storage, MemoryStorage)
    allowance = EXPECTED[rule][0]
    assert _allowed(limiter, rule, "198.51.100.7", allowance) == [True] * allowance
    assert _allowed(limiter, rule, "198.51.100.7", 2) == [False, False]
    assert limiter.allow(rule, "198.51.100.8")  # another key has its own count


def test_rules_count_apart_and_clear_resets_one() -> None:
    limiter = RateLimiter(MemoryStorage())
    _allowed(limiter, LimitRule.SIGN_IN_ACCOUNT, "sato", 5)
    assert not limiter.allow(LimitRule.SIGN_IN_ACCOUNT, "sato")
    assert limiter.allow(LimitRule.CODE_REQUEST_EMAIL, "sato")  # another rule, another count
    limiter.clear(LimitRule.SIGN_IN_ACCOUNT, "sato")
    assert limiter.allow(LimitRule.SIGN_IN_ACCOUNT, "sato")


def test_keys_are_normalized_so_case_and_width_do_not_escape() -> None:
    limiter = RateLimiter(MemoryStorage())
    full_width = "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"  # typed with a Japanese input method
    for key in ["Taro@Example.jp", "taro@example.jp", full_width, " TARO@example.JP "]:
        limiter.allow(LimitRule.CODE_REQUEST_EMAIL, key)
    limiter.allow(LimitRule.CODE_REQUEST_EMAIL, "taro@example.jp")
    assert not limiter.allow(LimitRule.CODE_REQUEST_EMAIL, "TARO@EXAMPLE.JP")


def test_the_storage_sees_only_digests() -> None:
    storage = MemoryStorage()
    limiter = RateLimiter(storage)
    limiter.allow(LimitRule.CODE_REQUEST_EMAIL, "hanako@example.jp")
    stored = " ".join(str(key) for key in storage.events)
    assert "hanako" not in stored
    assert hashed_key(LimitRule.CODE_REQUEST_EMAIL, "hanako@example.jp") in stored
    # the same key under another rule hashes differently
    assert hashed_key(LimitRule.CODE_REQUEST_EMAIL, "x") != hashed_key(
        LimitRule.STATUS_ADDRESS, "x"
    )


def test_redis_counts_are_shared_between_workers(
    redis_pair: tuple[RateLimiter, RateLimiter], redis_url: str
) -> None:
    first, second = redis_pair
    rule = LimitRule.SIGN_IN_ACCOUNT
    results = [(first if i % 2 else second).allow(rule, "suzuki") for i in range(5)]
    assert results == [True] * 5
    assert not first.allow(rule, "suzuki")
    assert not second.allow(rule, "suzuki")
    second.clear(rule, "suzuki")  # a good sign-in on one worker clears it for all
    assert first.allow(rule, "suzuki")
    client = redis.Redis.from_url(redis_url)
    try:
        prefix = first.storage.key_prefix  # type: ignore[attr-defined]
        keys = [k.decode() for k in client.scan_iter(f"{prefix}:*")]
    finally:
        client.close()
    assert keys
    assert all("suzuki" not in key for key in keys)
    assert any(hashed_key(rule, "suzuki") in key for key in keys)


def test_settings_choose_redis(redis_url: str) -> None:
    limiter = RateLimiter.from_settings(Settings(redis_url=redis_url))
    assert type(limiter.storage).__name__ == "RedisStorage"


def test_an_unreachable_redis_still_limits(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="kojin.ratelimit")
    limiter = RateLimiter.from_url("redis://127.0.0.1:1/0")
    results = _allowed(limiter, LimitRule.SIGN_IN_ACCOUNT, "kato@example.jp", 7)
    assert results == [True] * 5 + [False] * 2
    assert "counting in this process" in caplog.text
    assert len(caplog.records) == 1  # one warning, then memory until the retry interval ends
    assert "kato" not in caplog.text


def test_a_url_that_is_not_redis_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="KOJIN_REDIS_URL"):
        RateLimiter.from_url(f"nosuch://{tmp_path}")
