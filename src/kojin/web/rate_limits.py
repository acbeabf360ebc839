"""Rate limits for the pages: who is asking (the client address) and the 429 page.

The limiter is the site's (:meth:`kojin.web.context.WebSite.limiter`): in memory on the
embedded default, in Redis when ``KOJIN_REDIS_URL`` is set. The address is the one the ASGI
server saw (``scope["client"]``); kojin does not trust forwarded-for headers (uvicorn runs with
``proxy_headers=False``), so behind a proxy every visitor shares the proxy's address.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.requests import HTTPConnection

from kojin.ratelimit import LimitRule
from kojin.web.context import web_context

UNKNOWN_ADDRESS = "unknown"


class TooManyRequests(HTTPException):
    """429: answered by the error page, with ``Retry-After``."""

    def __init__(self, retry_after_seconds: int = 900) -> None:
        super().__init__(
            status_code=429, detail="rate", headers={"Retry-After": str(retry_after_seconds)}
        )


def client_address(connection: HTTPConnection) -> str:
    """The client's address as the server saw it."""
    client = connection.scope.get("client")
    if client and client[0]:
        return str(client[0])
    return UNKNOWN_ADDRESS


def allowed(connection: HTTPConnection, rule: LimitRule, key: str) -> bool:
    """Count one hit of `rule` for `key`; False when the limit is passed."""
    return web_context(connection).site.limiter().allow(rule, key)


def enforce(connection: HTTPConnection, rule: LimitRule, key: str) -> None:
    """Count one hit; raise :class:`TooManyRequests` when the limit is passed."""
    if not allowed(connection, rule, key):
        raise TooManyRequests


def clear(connection: HTTPConnection, rule: LimitRule, key: str) -> None:
    web_context(connection).site.limiter().clear(rule, key)
