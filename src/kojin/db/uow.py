"""The unit of work: services flush, this commits (or rolls back on any exception)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kojin.db.engine import (
    DEFAULT_SQLITE_SYNCHRONOUS,
    MAX_CONNECTIONS,
    READ_ONLY_OPTION,
    SqliteSynchronous,
    make_engine,
)
from kojin.settings import Settings


@dataclass(slots=True)
class Database:
    """An engine with two session factories: one for writes, one for read-only work."""

    engine: Engine
    #: the most connections `engine`'s pool hands out at once (see :func:`make_engine`)
    max_connections: int = MAX_CONNECTIONS
    _writer: sessionmaker[Session] = field(init=False)
    _reader: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        read_engine = self.engine.execution_options(**{READ_ONLY_OPTION: True})
        self._reader = sessionmaker(read_engine, expire_on_commit=False)

    @classmethod
    def from_url(
        cls, url: str, *, sqlite_synchronous: SqliteSynchronous = DEFAULT_SQLITE_SYNCHRONOUS
    ) -> Database:
        """Open the registry at `url` (no schema changes: see :func:`kojin.db.migrate.upgrade`);
        a SQLite registry runs with ``PRAGMA synchronous=<sqlite_synchronous>``."""
        return cls(make_engine(url, sqlite_synchronous=sqlite_synchronous))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Open the registry configured by KOJIN_DATABASE_URL, or the SQLite file in KOJIN_HOME,
        with the durability of KOJIN_SQLITE_SYNCHRONOUS."""
        return cls.from_url(
            settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous
        )

    @contextmanager
    def uow(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends normally, rolled back otherwise.

        Everything the services did inside the block is durable once the block has exited, so
        an interface answers its client only after leaving it.
        """
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (never blocks writers on SQLite); its connection is released
        (rolled back) at the end, and loaded objects stay readable."""
        with self._reader() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
