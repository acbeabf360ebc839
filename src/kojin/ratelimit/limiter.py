"""Rate limits by rule and key with the `limits` library (moving windows).

Counts live in memory (one process) or, with ``KOJIN_REDIS_URL``, in Redis, where every worker
process shares them. A key (a user name, an e-mail address, a client address) is normalized
(NFKC, trimmed, case-folded) and hashed with SHA-256 under the rule's name before it reaches
the storage, so Redis holds no address in clear. When Redis cannot be reached a limiter
counts in its own memory for :data:`RETRY_AFTER` seconds before it tries Redis again, with a
warning in the log: the rules still hold in each worker, nothing fails open, and a Redis that
does not answer slows no request for longer than one timeout per interval.
"""

from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
from enum import StrEnum
from typing import TYPE_CHECKING

from limits import RateLimitItem, parse
from limits.errors import ConfigurationError as LimitsConfigurationError
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from kojin.errors import ConfigurationError

if TYPE_CHECKING:
    from kojin.settings import Settings

logger = logging.getLogger("kojin.ratelimit")

#: what kojin's keys in Redis start with
KEY_PREFIX = "kojin-limits"
#: seconds a Redis connection or command may take before the limiter counts in memory
REDIS_TIMEOUT = 2.0
#: seconds a limiter counts in memory after Redis failed, before it tries Redis again
RETRY_AFTER = 30.0


class LimitRule(StrEnum):
    """What is limited and per what; :attr:`limit` is the allowance in `limits` notation."""

    SIGN_IN_ACCOUNT = "sign_in_account"
    SIGN_IN_ADDRESS = "sign_in_address"
    CODE_REQUEST_EMAIL = "code_request_email"
    CODE_REQUEST_ADDRESS = "code_request_address"
    CODE_ATTEMPT_ADDRESS = "code_attempt_address"
    SUBMIT_ADDRESS = "submit_address"
    STATUS_ADDRESS = "status_address"

    @property
    def limit(self) -> str:
        """The allowance, e.g. ``5/15 minutes``."""
        return LIMITS[self]


#: each rule's allowance: sign-in attempts per user name and per client address; e-mail codes
#: sent per address and per client; codes entered, requests submitted and status look-ups per
#: client address
LIMITS: dict[LimitRule, str] = {
    LimitRule.SIGN_IN_ACCOUNT: "5/15 minutes",
    LimitRule.SIGN_IN_ADDRESS: "20/15 minutes",
    LimitRule.CODE_REQUEST_EMAIL: "5/hour",
    LimitRule.CODE_REQUEST_ADDRESS: "20/hour",
    LimitRule.CODE_ATTEMPT_ADDRESS: "30/hour",
    LimitRule.SUBMIT_ADDRESS: "10/hour",
    LimitRule.STATUS_ADDRESS: "60/hour",
}


def hashed_key(rule: LimitRule, key: str) -> str:
    """SHA-256 (hex) of the normalized `key`, prefixed by the rule: what the storage sees."""
    normal = unicodedata.normalize("NFKC", key).strip().casefold()
    return hashlib.sha256(f"kojin:{rule.value}\x00{normal}".encode()).hexdigest()


class RateLimiter:
    """Counts hits per rule and key; :meth:`allow` says whether one more is within the limit."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._primary = MovingWindowRateLimiter(storage)
        self._fallback: MovingWindowRateLimiter | None = None
        #: monotonic time before which the storage is not asked (it failed); 0: ask it
        self._retry_at = 0.0
        self._items: dict[LimitRule, RateLimitItem] = {rule: parse(rule.limit) for rule in LIMITS}

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """Redis when ``settings.redis_url`` is set (shared by all workers), else memory."""
        if settings.redis_url:
            return cls.from_url(settings.redis_url)
        return cls(MemoryStorage())

    @classmethod
    def from_url(cls, url: str, *, key_prefix: str = KEY_PREFIX) -> RateLimiter:
        """A limiter over the storage at `url` (``redis://…``, ``memory://``); `key_prefix`
        starts every key it writes in Redis."""
        options: dict[str, float | str | bool] = {"wrap_exceptions": True}
        if url.startswith(("redis", "rediss", "valkey")):
            options.update(
                key_prefix=key_prefix,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
        try:
            storage = storage_from_string(url, **options)
        except LimitsConfigurationError:
            raise ConfigurationError(
                "KOJIN_REDIS_URL must name a Redis server (redis://...)"
            ) from None
        if not isinstance(storage, Storage):  # e.g. ``async+redis://``: kojin counts in sync
            raise ConfigurationError("KOJIN_REDIS_URL must name a Redis server (redis://...)")
        return cls(storage)

    @property
    def storage(self) -> Storage:
        """The storage the counts are kept in."""
        return self._storage

    def _memory(self) -> MovingWindowRateLimiter:
        if self._fallback is None:
            self._fallback = MovingWindowRateLimiter(MemoryStorage())
        return self._fallback

    def _degraded(self) -> bool:
        return self._retry_at > 0 and time.monotonic() < self._retry_at

    def allow(self, rule: LimitRule, key: str) -> bool:
        """Count one hit of `rule` for `key`; False when the limit is already reached (the
        caller refuses the action)."""
        item, digest = self._items[rule], hashed_key(rule, key)
        if not self._degraded():
            try:
                allowed = self._primary.hit(item, rule.value, digest)
            except StorageError as exc:
                self._storage_failed(exc)
            else:
                self._storage_answered()
                return allowed
        return self._memory().hit(item, rule.value, digest)

    def clear(self, rule: LimitRule, key: str) -> None:
        """Forget the hits of `rule` for `key` (e.g. the account's after a good sign-in)."""
        item, digest = self._items[rule], hashed_key(rule, key)
        if self._fallback is not None:
            self._fallback.clear(item, rule.value, digest)
        if self._degraded():
            return
        try:
            self._primary.clear(item, rule.value, digest)
        except StorageError as exc:
            self._storage_failed(exc)

    def _storage_failed(self, exc: StorageError) -> None:
        self._retry_at = time.monotonic() + RETRY_AFTER
        cause = type(exc.storage_error).__name__
        logger.warning(
            "rate-limit storage unavailable (%s): counting in this process for %.0f s",
            cause,
            RETRY_AFTER,
        )

    def _storage_answered(self) -> None:
        if self._retry_at:
            self._retry_at = 0.0
            logger.info("rate-limit storage available again")
