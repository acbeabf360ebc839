"""Fixtures for the fulfilment job tests: company stores, a request, and for the tests that
need PostgreSQL to themselves (procrastinate's tables, worker processes) a fresh migrated
schema with its own keyring, dropped after the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import build_stores, new_request

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.fulfilment import models as _models  # noqa: F401 - the job tables join the metadata
from kojin.settings import Settings


@pytest.fixture
def stores(tmp_path: Path) -> Path:
    """The folder of three company stores holding the person's rows."""
    folder = tmp_path / "stores"
    build_stores(folder)
    return folder


@pytest.fixture
def request_id(database: Database, cipher: FieldCipher) -> str:
    return new_request(database, cipher)


@pytest.fixture
def pg_own_url(pg_empty_url: str) -> str:
    """A fresh PostgreSQL schema migrated to the newest revision, for this test alone."""
    upgrade(pg_empty_url)
    return pg_empty_url


@pytest.fixture
def pg_settings(tmp_path: Path, pg_own_url: str) -> Settings:
    home = tmp_path / "pg-home"
    configured = Settings(home=home, database_url=pg_own_url)
    Keyring.generate(path=keyring_path(configured)).save()
    return configured


@pytest.fixture
def pg_database(pg_own_url: str) -> Iterator[Database]:
    db = Database.from_url(pg_own_url)
    yield db
    db.dispose()


@pytest.fixture
def pg_cipher(pg_settings: Settings) -> FieldCipher:
    return FieldCipher(Keyring.read(keyring_path(pg_settings)))
