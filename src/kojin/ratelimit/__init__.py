"""Rate limits for sign-in and code requests: in memory, or in Redis shared by all workers.

:mod:`kojin.ratelimit.limiter` holds the rules and the limiter; they are re-exported here.
"""

from kojin.ratelimit.limiter import LIMITS, LimitRule, RateLimiter, hashed_key

__all__ = ["LIMITS", "LimitRule", "RateLimiter", "hashed_key"]
