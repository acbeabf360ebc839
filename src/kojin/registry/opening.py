"""Opening the registry for a command: one engine, migrated to the newest schema first.

Kept apart from :mod:`kojin.registry.bootstrap` (``kojin init``), which loads the policy, the
keyring and the ledger import: a command that only reads the registry loads none of them.
"""

from __future__ import annotations

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.settings import Settings

#: the audit action ``kojin init`` chains last: the registry is ready once it is there
INITIALISED = "system.initialised"


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
