"""What the token tests share: a token with its plaintext, and one API worker."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import cast

from fastapi import FastAPI

from kojin.api.state import STATE_ATTRIBUTE, AppState
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.auth.service import create_token
from kojin.db.uow import Database

with warnings.catch_warnings():
    # Starlette's test client announces a future switch of HTTP library; the API is unchanged.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["Made", "TestClient", "Worker", "make_token"]


@dataclass(frozen=True)
class Made:
    """A token's description and its plaintext."""

    token: ApiTokenOut
    plaintext: str

    @property
    def header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.plaintext}"}


def make_token(database: Database, role: Role, name: str) -> Made:
    """A new token, created as ``kojin token create`` does."""
    with database.uow() as session:
        token, plaintext = create_token(session=session, role=role, name=name)
    return Made(token, plaintext)


@dataclass(frozen=True)
class Worker:
    """One application instance with its own engine, as one server worker process holds."""

    client: TestClient

    @property
    def state(self) -> AppState:
        state = getattr(cast(FastAPI, self.client.app).state, STATE_ATTRIBUTE)
        assert isinstance(state, AppState)
        return state
