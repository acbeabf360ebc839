"""Apply the Alembic migrations: the only way the registry schema changes.

The migrations live in the package :mod:`kojin.migrations`, above the domain packages whose
models they import. This module names that package for Alembic (which loads its ``env.py``)
and never imports it, so the database layer stays below the domains.

Every command that opens the registry calls :func:`upgrade`. When the database is already at
:data:`HEAD_REVISION` that costs one query and no Alembic at all; Alembic and the migration
environment are loaded only when there is something to migrate.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from kojin.db.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

#: the package that holds ``env.py``, ``script.py.mako`` and ``versions/``
MIGRATIONS_PACKAGE = "kojin.migrations"
#: the newest revision in :data:`MIGRATIONS_PACKAGE` (a test holds it to Alembic's own head)
HEAD_REVISION = "20261201_0010"
#: the table where Alembic records the revision a database is at
VERSION_TABLE = "alembic_version"
#: Alembic keeps its migration context in module globals: one upgrade per process at a time.
_UPGRADE_LOCK = threading.Lock()


def migrations_folder() -> Path:
    """The folder of :data:`MIGRATIONS_PACKAGE` (an installed package, so a real folder)."""
    return Path(str(resources.files(MIGRATIONS_PACKAGE)))


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url` without any ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", migrations_folder().as_posix())
    config.attributes["kojin_url"] = url
    return config


def upgrade(url: str, *, revision: str = "head", engine: Engine | None = None) -> str | None:
    """Upgrade the database at `url` to `revision` (default: the newest) and return it.

    A database already at the newest revision is left as it is after one query. Safe to call
    from several threads and processes at once: Alembic's module state is guarded by a lock
    here, and the migration transaction itself is serialized in the database (SQLite
    ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock taken before the version is read).
    `engine`, when given, is an open engine on `url` to ask for the current revision (saves
    opening another).
    """
    if revision == "head" and current_revision(url, engine=engine) == HEAD_REVISION:
        return HEAD_REVISION
    from alembic import command

    with _UPGRADE_LOCK:
        command.upgrade(alembic_config(url), revision)
    return current_revision(url)


def current_revision(url: str, *, engine: Engine | None = None) -> str | None:
    """The revision the database at `url` is at, or None before the first migration (asked
    through `engine` when given, else through an engine opened and closed here)."""
    own = engine is None
    bound = make_engine(url) if engine is None else engine
    try:
        with bound.connect() as conn:
            try:
                rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
            except (OperationalError, ProgrammingError):  # no version table: never migrated
                return None
    finally:
        if own:
            bound.dispose()
    if len(rows) > 1:  # pragma: no cover - kojin's migrations form one line
        raise RuntimeError(f"{VERSION_TABLE} holds {len(rows)} heads; kojin's migrations have one")
    return str(rows[0][0]) if rows else None


def head_revision() -> str | None:
    """The newest revision shipped with this version of kojin, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
