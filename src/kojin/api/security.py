"""Authentication by API token and the role dependency every route declares.

A client sends ``Authorization: Bearer <token>``. The token is checked by
:func:`kojin.auth.authenticate` (tokens are stored hashed); a successful check is remembered in
this process for :data:`TOKEN_CACHE_SECONDS`, keyed by a SHA-256 digest of the token, so the hot
decision path does not query the token table on every call. A revoked token therefore stops
working within that many seconds.
"""

from __future__ import annotations

import hashlib
import time
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

TOKEN_CACHE_SECONDS = 5.0
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
    expires: float


class TokenCache:
    """Successful authentications, per process, for a few seconds."""

    def __init__(
        self, *, ttl: float = TOKEN_CACHE_SECONDS, limit: int = _TOKEN_CACHE_LIMIT
    ) -> None:
        self.ttl = ttl
        self.limit = limit
        self._entries: dict[str, _CachedActor] = {}

    @staticmethod
    def key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, key: str) -> ApiTokenOut | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires < time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry.actor

    def put(self, key: str, actor: ApiTokenOut) -> None:
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[key] = _CachedActor(actor=actor, expires=time.monotonic() + self.ttl)

    def clear(self) -> None:
        self._entries.clear()


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
    """The caller's token record; 401 when the header is missing or the token is unknown."""
    token = bearer_token(request)
    state = app_state(request)
    key = TokenCache.key(token)
    actor = state.token_cache.get(key)
    if actor is None:
        actor = await run_in_threadpool(_authenticate_in_session, state, token)
        state.token_cache.put(key, actor)
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
