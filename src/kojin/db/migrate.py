"""Apply the Alembic migrations: the only way the registry and vault schemas change.

Two migration environments: the registry's, in the package :mod:`kojin.migrations` (version
table ``alembic_version``), and the My Number vault's, in :mod:`kojin.migrations.vault` (version
table ``mynumber_alembic_version``, tables ``mynumber_*`` only), so that the vault can live in
the registry's database or in one of its own. Both packages sit above the domain packages whose
models they import; this module names them for Alembic (which loads their ``env.py``) and never
imports them, so the database layer stays below the domains.

Every command that opens the registry calls :func:`upgrade` (and the vault, when opened,
:func:`upgrade_vault`). When the database is already at the head revision that costs one query
and no Alembic at all; Alembic and the migration environment are loaded only when there is
something to migrate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
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
HEAD_REVISION = "20261202_0017"
#: the table where Alembic records the revision a database is at
VERSION_TABLE = "alembic_version"
#: the My Number vault's migration environment, its newest revision and its version table
VAULT_MIGRATIONS_PACKAGE = "kojin.migrations.vault"
VAULT_HEAD_REVISION = "vault_0001"
VAULT_VERSION_TABLE = "mynumber_alembic_version"
#: Alembic keeps its migration context in module globals: one upgrade per process at a time.
_UPGRADE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class MigrationEnvironment:
    """One Alembic environment: its package, its newest revision and its version table."""

    package: str
    head: str
    version_table: str

    def folder(self) -> Path:
        """The package's folder (an installed package, so a real folder)."""
        return Path(str(resources.files(self.package)))


REGISTRY = MigrationEnvironment(MIGRATIONS_PACKAGE, HEAD_REVISION, VERSION_TABLE)
VAULT = MigrationEnvironment(VAULT_MIGRATIONS_PACKAGE, VAULT_HEAD_REVISION, VAULT_VERSION_TABLE)


def migrations_folder() -> Path:
    """The folder of :data:`MIGRATIONS_PACKAGE` (an installed package, so a real folder)."""
    return REGISTRY.folder()


def alembic_config(url: str, *, environment: MigrationEnvironment = REGISTRY) -> Config:
    """An Alembic configuration of `environment` for `url` without any ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", environment.folder().as_posix())
    config.attributes["kojin_url"] = url
    return config


def _upgrade(
    environment: MigrationEnvironment, url: str, revision: str, engine: Engine | None
) -> str | None:
    current = current_revision(url, engine=engine, version_table=environment.version_table)
    if revision == "head" and current == environment.head:
        return environment.head
    from alembic import command

    with _UPGRADE_LOCK:
        command.upgrade(alembic_config(url, environment=environment), revision)
    return current_revision(url, version_table=environment.version_table)


def upgrade(url: str, *, revision: str = "head", engine: Engine | None = None) -> str | None:
    """Upgrade the registry database at `url` to `revision` (default: the newest) and return it.

    A database already at the newest revision is left as it is after one query. Safe to call
    from several threads and processes at once: Alembic's module state is guarded by a lock
    here, and the migration transaction itself is serialized in the database (SQLite
    ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock taken before the version is read).
    `engine`, when given, is an open engine on `url` to ask for the current revision (saves
    opening another).
    """
    return _upgrade(REGISTRY, url, revision, engine)


def upgrade_vault(url: str, *, revision: str = "head", engine: Engine | None = None) -> str | None:
    """Upgrade the My Number vault's tables in the database at `url` (the registry's or the
    vault's own) to `revision`; as :func:`upgrade`, with the vault's environment."""
    return _upgrade(VAULT, url, revision, engine)


def current_revision(
    url: str, *, engine: Engine | None = None, version_table: str = VERSION_TABLE
) -> str | None:
    """The revision the database at `url` is at (by `version_table`: the registry's unless
    told), or None before the first migration (asked through `engine` when given, else through
    an engine opened and closed here)."""
    own = engine is None
    bound = make_engine(url) if engine is None else engine
    try:
        with bound.connect() as conn:
            try:
                rows = conn.execute(text(f"SELECT version_num FROM {version_table}")).all()
            except (OperationalError, ProgrammingError):  # no version table: never migrated
                return None
    finally:
        if own:
            bound.dispose()
    if len(rows) > 1:  # pragma: no cover - kojin's migrations form one line
        raise RuntimeError(f"{version_table} holds {len(rows)} heads; kojin's migrations have one")
    return str(rows[0][0]) if rows else None


def head_revision(environment: MigrationEnvironment = REGISTRY) -> str | None:
    """The newest revision of `environment` shipped with this version of kojin, as Alembic
    reads the scripts."""
    from alembic.script import ScriptDirectory

    config = alembic_config("sqlite://", environment=environment)
    return ScriptDirectory.from_config(config).get_current_head()
