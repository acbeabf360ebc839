"""Authentication by API token and the role dependency every route declares.

A client sends ``Authorization: Bearer <token>``. The token is checked by
:func:`kojin.auth.authenticate` (tokens are stored hashed); a successful check is remembered in
this process for :data:`TOKEN_CACHE_SECONDS`, counted from before the database was asked and
keyed by a SHA-256 digest of the token, so the hot decision path asks the token table at most
about once a second per token and worker, and a token revoked in any process stops working in
every other within that second. A remembered token whose ``expires_at`` has passed is refused at
once. Requests that miss the cache together wait for one check instead of each asking.

Creating and revoking tokens check the caller's token again in their write transaction
(:mod:`kojin.auth.service`), never trusting this cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from kojin.api.access_log import ACTOR_STATE_KEY
from kojin.api.state import AppState, app_state
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.auth.service import authenticate
from kojin.errors import AuthenticationError, PermissionDeniedError

#: how long a successful check is trusted: the longest a revocation takes to reach every worker
TOKEN_CACHE_SECONDS = 1.0
_TOKEN_CACHE_LIMIT = 10_000

#: the OpenAPI security scheme every declared route refers to
SECURITY_SCHEME_NAME = "apiToken"
SECURITY_SCHEME: dict[str, str] = {
    "type": "http",
    "scheme": "bearer",
    "description": "API token: `Authorization: Bearer <token>` (shown once when created)",
}


@dataclass(frozen=True, slots=True)
class _CachedActor:
    actor: ApiTokenOut
    #: monotonic time until which the check is trusted
    fresh_until: float
    #: the token's own expiry as a POSIX timestamp (None: it does not expire)
    expires_at: float | None


class _CheckAgainError(Exception):
    """The request that was checking a token failed for a reason of its own (cancelled, the
    database unreachable): the requests waiting for it check for themselves."""


class TokenCache:
    """Successful authentications, per process, for at most `ttl` seconds each."""

    def __init__(
        self, *, ttl: float = TOKEN_CACHE_SECONDS, limit: int = _TOKEN_CACHE_LIMIT
    ) -> None:
        self.ttl = ttl
        self.limit = limit
        self._entries: dict[str, _CachedActor] = {}
        self._pending: dict[str, asyncio.Future[ApiTokenOut]] = {}
        #: bumped by :meth:`clear`: a check begun before it is not remembered after it
        self._generation = 0

    @staticmethod
    def key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, key: str) -> ApiTokenOut | None:
        """The remembered actor, or None when unknown, stale or past the token's expiry."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.fresh_until <= time.monotonic() or (
            entry.expires_at is not None and entry.expires_at <= time.time()
        ):
            self._entries.pop(key, None)
            return None
        return entry.actor

    def put(self, key: str, actor: ApiTokenOut, *, checked_at: float | None = None) -> None:
        """Remember `actor` from `checked_at` (monotonic time taken before the database was
        asked; default now) for :attr:`ttl` seconds, never past the token's expiry."""
        if len(self._entries) >= self.limit:
            self._entries.clear()
        start = time.monotonic() if checked_at is None else checked_at
        expires = None if actor.expires_at is None else actor.expires_at.timestamp()
        self._entries[key] = _CachedActor(
            actor=actor, fresh_until=start + self.ttl, expires_at=expires
        )

    async def load(self, key: str, check: Callable[[], Awaitable[ApiTokenOut]]) -> ApiTokenOut:
        """The actor for `key`: remembered, else from `check()`, awaited once however many
        requests of this event loop miss the cache for the same token meanwhile."""
        actor = self.get(key)
        if actor is not None:
            return actor
        loop = asyncio.get_running_loop()
        pending = self._pending.get(key)
        if pending is not None and pending.get_loop() is loop:
            try:
                return await asyncio.shield(pending)
            except AuthenticationError as exc:
                raise AuthenticationError(exc.message) from None
            except _CheckAgainError:
                pass
        future: asyncio.Future[ApiTokenOut] = loop.create_future()
        self._pending[key] = future
        generation = self._generation
        started = time.monotonic()
        try:
            actor = await check()
        except AuthenticationError as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters (if any) raise their own copy
            raise
        except BaseException:
            future.set_exception(_CheckAgainError())
            future.exception()
            raise
        finally:
            if self._pending.get(key) is future:
                del self._pending[key]
        if generation == self._generation:
            self.put(key, actor, checked_at=started)
        future.set_result(actor)
        return actor

    def clear(self) -> None:
        """Forget every check, including those under way (after a revocation here)."""
        self._entries.clear()
        self._pending.clear()
        self._generation += 1


def _authenticate_in_session(state: AppState, token: str) -> ApiTokenOut:
    with state.read() as session:
        return authenticate(session=session, token=token)


def bearer_token(request: Request) -> str:
    """The token from ``Authorization: Bearer <token>``; AuthenticationError when absent."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("missing API token: send 'Authorization: Bearer <token>'")
    return token


async def current_actor(request: Request) -> ApiTokenOut:
    """The caller's token record; 401 when the header is missing or the token is unknown,
    revoked or expired."""
    token = bearer_token(request)
    state = app_state(request)
    cache = state.token_cache
    key = TokenCache.key(token)
    actor = cache.get(key)
    if actor is None:
        actor = await cache.load(
            key, lambda: run_in_threadpool(_authenticate_in_session, state, token)
        )
    request.scope.setdefault("state", {})[ACTOR_STATE_KEY] = actor.id
    return actor


class Allow:
    """A route's role declaration; as a dependency it yields the authenticated actor or 403s."""

    def __init__(self, roles: frozenset[Role], *, name: str) -> None:
        self.roles = roles
        self.name = name

    async def __call__(self, request: Request) -> ApiTokenOut:
        actor = await current_actor(request)
        if actor.role not in self.roles:
            raise PermissionDeniedError(f"role '{actor.role}' may not {self.name}")
        return actor

    def __repr__(self) -> str:
        return f"Allow({self.name}: {', '.join(sorted(self.roles))})"


def allow(roles: frozenset[Role], *, name: str) -> Any:
    """``actor: Actor = allow(roles.LEDGER_READ, name="read the ledger")`` in a route signature."""
    return Depends(Allow(roles, name=name))


def actor_label(actor: ApiTokenOut) -> str:
    """How the audit chain names the caller: its token id (name and role are in the token list)."""
    return f"token:{actor.id}"
