"""Token fixtures: two admin tokens, and API applications over one shared registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from auth_tokens import Made, TestClient, Worker, make_token

from kojin.api import create_app
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.settings import Settings


@pytest.fixture
def admin(database: Database) -> Made:
    return make_token(database, Role.ADMIN, "first admin")


@pytest.fixture
def second_admin(database: Database) -> Made:
    return make_token(database, Role.ADMIN, "second admin")


@pytest.fixture
def workers(settings: Settings, db_url: str) -> Iterator[Callable[[], Worker]]:
    """Build API applications on the test registry, each with its own database engine (as
    separate worker processes have); all are closed after the test."""
    with ExitStack() as stack:

        def build() -> Worker:
            database = Database.from_url(db_url)
            stack.callback(database.dispose)
            client = stack.enter_context(TestClient(create_app(settings, database=database)))
            return Worker(client)

        yield build
