"""Fixtures for the management review: the seed policy (the registry and its cipher come from
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring
from kojin.db.uow import Database
from kojin.policy import load_policy
from kojin.policy.model import Policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(None)


@pytest.fixture
def sqlite_database(sqlite_url: str) -> Iterator[Database]:
    """A fresh SQLite registry (the tests where the database engine does not matter)."""
    db = Database.from_url(sqlite_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_cipher(tmp_path: Path) -> FieldCipher:
    """A field cipher over a keyring of its own."""
    path = tmp_path / "review-keys" / "keyring.json"
    path.parent.mkdir()
    Keyring.generate(path=path).save()
    return FieldCipher(Keyring.read(path))
