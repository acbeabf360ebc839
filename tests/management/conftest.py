"""Fixtures for the risk and training services: a SQLite-only registry and its cipher (most
tests here do not depend on the database; the figures tests run on PostgreSQL too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.settings import Settings


@pytest.fixture
def sqlite_database(sqlite_url: str) -> Iterator[Database]:
    db = Database.from_url(sqlite_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_settings(tmp_path: Path, sqlite_url: str) -> Settings:
    configured = Settings(home=tmp_path / "home", database_url=sqlite_url)
    Keyring.generate(path=keyring_path(configured)).save()
    return configured


@pytest.fixture
def sqlite_cipher(sqlite_settings: Settings) -> FieldCipher:
    return FieldCipher(Keyring.read(keyring_path(sqlite_settings)))
