"""Portal fixtures: the site over a fresh SQLite registry whose mail goes to a real SMTP server
(aiosmtpd on a free port), and a test client of it. A test that needs other settings (a
smaller upload limit) builds its site with ``portal_support.settings_for``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from web_support import TestClient

from kojin.api.state import AppState, state_of
from kojin.settings import Settings
from kojin.web.site import create_site

from .portal_support import SmtpServer, client_of, settings_for, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def portal_settings(tmp_path: Path, sqlite_url: str, smtp: SmtpServer) -> Settings:
    return settings_for(tmp_path, sqlite_url, smtp)


@pytest.fixture
def portal_site(portal_settings: Settings) -> FastAPI:
    return create_site(portal_settings)


@pytest.fixture
def portal(portal_site: FastAPI) -> Iterator[TestClient]:
    with client_of(portal_site) as client:
        yield client


@pytest.fixture
def portal_state(portal_site: FastAPI) -> AppState:
    return state_of(portal_site)
