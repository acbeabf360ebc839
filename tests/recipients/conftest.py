"""Fixtures for the recipient register: a SQLite registry (``sqlite_url``, tests/conftest.py)
and a field cipher over a fresh keyring; ``pg_database`` for the few tests where the database
matters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring
from kojin.db.uow import Database


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    database = Database.from_url(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def rcipher(tmp_path: Path) -> FieldCipher:
    path = tmp_path / "keys" / "keyring.json"
    path.parent.mkdir()
    Keyring.generate(path=path).save()
    return FieldCipher(Keyring.read(path))
