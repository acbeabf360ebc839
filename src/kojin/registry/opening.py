"""Opening the registry for a command: one engine, migrated to the newest schema first.

Kept apart from :mod:`kojin.registry.bootstrap` (``kojin init``), which loads the policy, the
keyring and the ledger import: a command that only reads the registry loads none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.keys_folder import ensure_keys_dir
from kojin.db.engine import private_folder
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.settings import Settings

#: the audit action ``kojin init`` chains last: the registry is ready once it is there
INITIALISED = "system.initialised"


@dataclass(frozen=True, slots=True)
class Folders:
    """Where kojin keeps its data and, apart from it, its keys."""

    data: Path
    keys: Path


def prepare_folders(settings: Settings) -> Folders:
    """The data folder and the keys folder, created (or narrowed) for their owner only (0700);
    keys an earlier release kept in ``<home>/keys`` are moved to the keys folder first."""
    return Folders(data=private_folder(settings.home), keys=ensure_keys_dir(settings))


def open_database(settings: Settings) -> Database:
    """The registry configured by `settings`, migrated to the newest schema (one query when it
    is there already, through the same engine). The caller disposes of it."""
    database = Database.from_settings(settings)
    try:
        upgrade(settings.resolved_database_url(), engine=database.engine)
    except BaseException:
        database.dispose()
        raise
    return database


def initialised(database: Database) -> bool:
    """Whether ``kojin init`` has completed on `database`."""
    query = select(AuditEntry.seq).where(AuditEntry.action == INITIALISED).limit(1)
    with database.read() as session:
        return session.execute(query).first() is not None


def is_initialised(*, settings: Settings) -> bool:
    """Whether ``kojin init`` has completed for these settings (migrates the database first)."""
    database = open_database(settings)
    try:
        return initialised(database)
    finally:
        database.dispose()
