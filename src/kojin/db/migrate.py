"""Apply the Alembic migrations: the only way the registry schema changes.

The migrations live in the package :mod:`kojin.migrations`, above the domain packages whose
models they import. This module names that package for Alembic (which loads its ``env.py``)
and never imports it, so the database layer stays below the domains.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from kojin.db.engine import make_engine

#: the package that holds ``env.py``, ``script.py.mako`` and ``versions/``
MIGRATIONS_PACKAGE = "kojin.migrations"
#: Alembic keeps its migration context in module globals: one upgrade per process at a time.
_UPGRADE_LOCK = threading.Lock()


def migrations_folder() -> Path:
    """The folder of :data:`MIGRATIONS_PACKAGE` (an installed package, so a real folder)."""
    return Path(str(resources.files(MIGRATIONS_PACKAGE)))


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url` without any ini file."""
    config = Config()
    config.set_main_option("script_location", migrations_folder().as_posix())
    config.attributes["kojin_url"] = url
    return config


def upgrade(url: str, *, revision: str = "head") -> str | None:
    """Upgrade the database at `url` to `revision` (default: the newest) and return it.

    Safe to call from several threads and processes at once: Alembic's module state is guarded
    by a lock here, and the migration transaction itself is serialized in the database (SQLite
    ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock taken before the version is read).
    """
    with _UPGRADE_LOCK:
        command.upgrade(alembic_config(url), revision)
    return current_revision(url)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at, or None before the first migration."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision shipped with this version of kojin."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
