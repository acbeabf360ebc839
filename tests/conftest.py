"""Shared fixtures: a fresh registry database per test, built by the migrations.

Every test database holds the registry's schema and the My Number vault's (the vault shares the
registry's database unless a test gives it its own).

``db_url`` is parametrized over SQLite (a fresh file per test, copied from one migrated
template) and PostgreSQL (one schema per test session in the database named by
KOJIN_TEST_DATABASE_URL, migrated once, every table emptied after each test and the schema
dropped at the end; skipped with a reason when that variable is unset). Tests that take
``db_url``, ``database``, ``settings`` or ``cipher`` run on both.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, create_engine, insert, text
from sqlalchemy.engine import URL, make_url

from kojin.audit.models import GENESIS_HASH, HEAD_ID, AuditHead
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.migrate import upgrade, upgrade_vault
from kojin.db.uow import Database
from kojin.migrations.metadata import metadata
from kojin.mynumber.models import VaultBase
from kojin.settings import Settings

PG_ENV = "KOJIN_TEST_DATABASE_URL"

#: pytester for the guard's own tests; the number guard fails any test that shows a My Number
#: outside the vault's authorized responses (tests/number_guard)
pytest_plugins = ["pytester", "number_guard.plugin", "spark_cluster.plugin"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "number_guard_exempt(reason, channel=None, where=None): the number guard lets this "
        "test's own input, echoed by the test harness, through (see tests/number_guard)",
    )


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "kojin.sqlite3"
    upgrade(f"sqlite:///{path.as_posix()}")
    upgrade_vault(f"sqlite:///{path.as_posix()}")
    return path


def _pg_base_url() -> URL:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: the PostgreSQL variant needs a server URL")
    base = make_url(url)
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    return base


@contextmanager
def _pg_schema(base: URL) -> Iterator[str]:
    schema = f"kojin_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _pg_migrated_schema() -> Iterator[str]:
    with _pg_schema(_pg_base_url()) as url:
        upgrade(url)
        upgrade_vault(url)
        yield url


@pytest.fixture
def pg_empty_url() -> Iterator[str]:
    """An empty PostgreSQL schema of its own (no migrations applied); skips when not set."""
    with _pg_schema(_pg_base_url()) as url:
        yield url


@pytest.fixture
def pg_url(_pg_migrated_schema: str) -> Iterator[str]:
    """A migrated PostgreSQL schema (skips when not configured), emptied after the test."""
    yield _pg_migrated_schema
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    tables += [t.name for t in reversed(VaultBase.metadata.sorted_tables)]
    engine = create_engine(_pg_migrated_schema)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)}"))
            conn.execute(
                insert(cast(Table, AuditHead.__table__)).values(
                    id=HEAD_ID, seq=0, hash=GENESIS_HASH
                )
            )
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite file of its own for this test."""
    path = tmp_path / "registry" / "kojin.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path.as_posix()}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated registry: SQLite, and PostgreSQL when KOJIN_TEST_DATABASE_URL is set."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """The registry at `db_url`, disposed after the test."""
    db = Database.from_url(db_url)
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings with a home folder holding a fresh keyring, pointing at `db_url`."""
    home = tmp_path / "home"
    configured = Settings(home=home, database_url=db_url)
    Keyring.generate(path=keyring_path(configured)).save()
    return configured


@pytest.fixture
def cipher(settings: Settings) -> FieldCipher:
    """A field cipher over the test keyring."""
    return FieldCipher(Keyring.read(keyring_path(settings)))
