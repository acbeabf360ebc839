"""API fixtures: an app over the shared per-test registry, and one token per role."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from kojin.api import create_app
from kojin.auth.roles import Role
from kojin.auth.service import create_token
from kojin.db.uow import Database
from kojin.settings import Settings

with warnings.catch_warnings():
    # Starlette's test client announces a future switch of HTTP library; the API is unchanged.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture
def api_app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database=database)


@pytest.fixture
def client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app) as test_client:
        yield test_client


@pytest.fixture
def tokens(database: Database) -> dict[Role, str]:
    """A plaintext token for every role."""
    made: dict[Role, str] = {}
    with database.uow() as session:
        for role in Role:
            _, plaintext = create_token(session=session, role=role, name=f"test {role}")
            made[role] = plaintext
    return made


@pytest.fixture
def auth(tokens: dict[Role, str]) -> dict[Role, dict[str, str]]:
    """Request headers carrying each role's token."""
    return {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
