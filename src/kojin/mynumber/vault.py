"""The vault: its database (the registry's, or its own), its keys and the policy, opened once.

:meth:`Vault.open` migrates the vault's tables (:func:`kojin.db.migrate.upgrade_vault`) and
opens the vault keys folder. :meth:`Vault.transaction` is the vault's unit of work: one session
when the vault shares the registry's database (so the record, the decision and the audit entry
commit together), or a session on each database otherwise, begun registry first and committed
registry first, so that the audit chain never misses what the vault did.

On SQLite every vault transaction runs with ``PRAGMA secure_delete=ON``: what a disposal deletes
or nulls is overwritten with zeros in the database file, not left in free pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from kojin.db.engine import READ_ONLY_OPTION
from kojin.db.migrate import upgrade_vault
from kojin.db.uow import Database
from kojin.errors import PermissionDeniedError
from kojin.law.policy_facts import PolicyFacts
from kojin.mynumber.vault_keys import VaultKeys
from kojin.settings import Settings


class DecisionRefusedError(PermissionDeniedError):
    """The decision engine denied the action: the decision is recorded (the transaction that
    holds it commits) and the action is not taken. The message gives the decision's reasons."""

    code = "decision_denied"

    def __init__(self, message: str, *, decision_id: str) -> None:
        super().__init__(message)
        self.decision_id = decision_id


@dataclass(frozen=True, slots=True)
class VaultSessions:
    """The sessions of one vault transaction: `registry` (subjects, decisions, the audit chain)
    and `vault` (the ``mynumber_*`` tables); the same session when the databases are shared."""

    registry: Session
    vault: Session

    @property
    def shared(self) -> bool:
        return self.registry is self.vault


def secure_delete(session: Session) -> None:
    """Begin `session`'s transaction; on SQLite, with deleted content overwritten by zeros."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete=ON")


def _database_url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


class Vault:
    """The open vault of one process: see the module docstring."""

    def __init__(
        self,
        *,
        settings: Settings,
        registry: Database,
        store: Database,
        keys: VaultKeys,
        policy: PolicyFacts,
    ) -> None:
        self.settings = settings
        self.registry = registry
        #: the vault's database: the same object as `registry` unless it has its own
        self.store = store
        self.keys = keys
        self.policy = policy
        self._registry_writer = sessionmaker(registry.engine, expire_on_commit=False)
        self._store_writer = sessionmaker(store.engine, expire_on_commit=False)
        self._registry_reader = sessionmaker(
            registry.engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )
        self._store_reader = sessionmaker(
            store.engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )

    @classmethod
    def open(cls, *, settings: Settings, registry: Database, policy: PolicyFacts) -> Vault:
        """Open the vault for `settings` beside the open `registry`: its database (a
        ``KOJIN_VAULT_DATABASE_URL`` of its own, else the registry's) migrated, its keys folder
        opened (created with a first key when missing). The caller closes it."""
        own_url = settings.vault_database_url
        url = None if own_url is None else own_url.get_secret_value()
        if url is None or url == _database_url(registry):
            store = registry
        else:
            store = Database.from_url(url, sqlite_synchronous=settings.sqlite_synchronous)
        try:
            upgrade_vault(_database_url(store), engine=store.engine)
            keys = VaultKeys.open(settings.resolved_vault_keys_dir())
        except BaseException:
            if store is not registry:
                store.dispose()
            raise
        return cls(settings=settings, registry=registry, store=store, keys=keys, policy=policy)

    @property
    def shared(self) -> bool:
        """Whether the vault's tables are in the registry's database."""
        return self.store is self.registry

    @property
    def sqlite(self) -> bool:
        """Whether the vault's database is a SQLite file."""
        return self.store.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[VaultSessions]:
        """A write transaction over the registry and the vault, committed when the block ends
        normally and rolled back on any exception except :class:`DecisionRefusedError`, which
        commits (the denied decision stays recorded) and is raised again."""
        with ExitStack() as stack:
            registry = stack.enter_context(self._registry_writer())
            vault = registry if self.shared else stack.enter_context(self._store_writer())
            sessions = VaultSessions(registry=registry, vault=vault)
            registry.begin()
            registry.connection()  # the registry's lock first, always (SQLite BEGIN IMMEDIATE)
            if not self.shared:
                vault.begin()
            secure_delete(vault)
            try:
                yield sessions
            except DecisionRefusedError:
                _commit(sessions)
                raise
            except BaseException:
                _rollback(sessions)
                raise
            _commit(sessions)

    @contextmanager
    def store_transaction(self) -> Iterator[Session]:
        """A write transaction on the vault's database alone (re-wrapping keys, purging
        documents beside another unit of work), committed when the block ends normally."""
        with self._store_writer() as session, session.begin():
            secure_delete(session)
            yield session

    def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database file and truncate it, so pages
        that held what was just destroyed leave the log as well (best effort: a reader still
        holding an old snapshot makes SQLite keep the log). Nothing to do on PostgreSQL."""
        if not self.sqlite:
            return
        raw = self.store.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()

    @contextmanager
    def read(self) -> Iterator[VaultSessions]:
        """A read-only transaction over the registry and the vault."""
        with ExitStack() as stack:
            registry = stack.enter_context(self._registry_reader())
            vault = registry if self.shared else stack.enter_context(self._store_reader())
            yield VaultSessions(registry=registry, vault=vault)

    def close(self) -> None:
        """Close the vault's own database connections (the registry is the caller's)."""
        if not self.shared:
            self.store.dispose()


def _commit(sessions: VaultSessions) -> None:
    """Flush both, then commit the registry (decisions, audit) before the vault."""
    sessions.vault.flush()
    if not sessions.shared:
        sessions.registry.flush()
    sessions.registry.commit()
    if not sessions.shared:
        sessions.vault.commit()


def _rollback(sessions: VaultSessions) -> None:
    sessions.registry.rollback()
    if not sessions.shared:
        sessions.vault.rollback()
