"""Fixtures for the Data Rights Protocol tests: the whole API over the per-test registry with the
protocol mounted at /drp as :func:`kojin.api.create_app` mounts it, a trusted directory of agents
with real keys, and a callback server on 127.0.0.1."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

import pytest
from drp_support import BUSINESS_ID, Agent, CallbackServer, Directory
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning
from starlette.routing import Mount

from kojin.api import body_limits, create_app
from kojin.api.routers.drp import DRP_PREFIX, create_drp_app
from kojin.api.state import state_of
from kojin.db.uow import Database
from kojin.drp import models as _models  # noqa: F401 - the tables join the metadata
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.policy.model import Policy
from kojin.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(None)


@pytest.fixture(scope="session")
def facts(policy: Policy) -> PolicyFacts:
    return to_facts(policy)


@pytest.fixture
def drp_settings(settings: Settings) -> Settings:
    """The test registry's settings, with this business's id and callbacks allowed to reach the
    loopback server."""
    return settings.model_copy(
        update={"drp_business_id": BUSINESS_ID, "drp_callback_private_hosts": True}
    )


@pytest.fixture
def agent_a() -> Agent:
    return Agent("AGENT_A")


@pytest.fixture
def agent_b() -> Agent:
    return Agent("AGENT_B")


@pytest.fixture
def directory(agent_a: Agent, agent_b: Agent) -> Directory:
    return Directory([agent_a, agent_b])


@pytest.fixture
def build_app(
    database: Database, directory: Directory, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Settings], FastAPI]:
    """The API for some settings with the protocol mounted at /drp (replacing any mount there),
    and the API's body limits leaving /drp to the protocol's own, as the integration does."""
    if not body_limits.is_web_path(DRP_PREFIX + "/v1/data-rights-request"):
        monkeypatch.setattr(body_limits, "WEB_PREFIXES", (*body_limits.WEB_PREFIXES, DRP_PREFIX))

    def build(settings: Settings) -> FastAPI:
        app = create_app(settings, database=database)
        app.router.routes[:] = [
            route
            for route in app.router.routes
            if not (isinstance(route, Mount) and route.path == DRP_PREFIX)
        ]
        drp = create_drp_app(state_of(app), directory=directory.current)
        app.router.routes.append(Mount(DRP_PREFIX, app=drp))
        return app

    return build


@pytest.fixture
def client(
    build_app: Callable[[Settings], FastAPI], drp_settings: Settings
) -> Iterator[TestClient]:
    with TestClient(build_app(drp_settings)) as test_client:
        yield test_client


@pytest.fixture
def registered(client: TestClient, agent_a: Agent, agent_b: Agent) -> tuple[Agent, Agent]:
    """Both agents with their pair-wise tokens."""
    agent_a.register(client)
    agent_b.register(client)
    return agent_a, agent_b


@pytest.fixture
def callback_server() -> Iterator[CallbackServer]:
    with CallbackServer().running() as server:
        yield server
