"""Engines for the registry: a SQLite file by default (WAL, foreign keys, busy timeout, the
configured ``synchronous`` level), or any PostgreSQL URL.

A SQLite database file kojin creates is made readable by its owner only (0600) before SQLite
opens it; SQLite gives its ``-wal`` and ``-shm`` files the same permissions. A folder created
for it is 0700. Existing files are narrowed to 0600 when their owner runs kojin.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so that writers queue on the
database lock at the start instead of failing when a read transaction is upgraded; read-only
sessions (see :mod:`kojin.db.uow`) use a deferred ``BEGIN``.

Pooling is SQLAlchemy's queue pool with the sizes below, without a liveness ping per checkout
(no extra round trip per transaction); connections are recycled hourly on PostgreSQL. The
statements of the hot paths are in :mod:`kojin.db.writes`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Literal

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

from kojin.errors import ConfigurationError

#: Execution option that marks an engine or connection as read-only (deferred BEGIN on SQLite).
READ_ONLY_OPTION = "kojin_read_only"

#: Milliseconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: SQLite ``PRAGMA synchronous`` levels kojin allows: FULL syncs the write-ahead log on every
#: commit; NORMAL syncs it only at checkpoints, so a power loss (never a process crash) may
#: undo the last commits
SqliteSynchronous = Literal["FULL", "NORMAL"]
SQLITE_SYNCHRONOUS_LEVELS: tuple[SqliteSynchronous, ...] = ("FULL", "NORMAL")
DEFAULT_SQLITE_SYNCHRONOUS: SqliteSynchronous = "FULL"

#: files and folders of a SQLite registry: the owner's only
FILE_MODE = 0o600
FOLDER_MODE = 0o700
#: what SQLite adds to a database file's name for its side files
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

#: connections a registry engine keeps open, and how many more it opens under load
POOL_SIZE = 5
POOL_OVERFLOW = 10
#: the most connections a registry engine hands out at once
MAX_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(
    url: str,
    *,
    echo: bool = False,
    sqlite_synchronous: SqliteSynchronous = DEFAULT_SQLITE_SYNCHRONOUS,
) -> Engine:
    """Create an engine for `url`; a SQLite file gets its parent folder and itself created with
    owner-only permissions, and runs with ``PRAGMA synchronous=<sqlite_synchronous>``."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError; the URL itself may hold secrets
        raise ConfigurationError("database URL cannot be parsed (KOJIN_DATABASE_URL)") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(
            url, database=parsed.database, echo=echo, synchronous=sqlite_synchronous
        )
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            echo=echo,
            pool_recycle=3600,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            json_serializer=_json_dumps,
        )
    raise ConfigurationError(
        f"unsupported registry database backend {backend!r}: use SQLite or PostgreSQL"
    )


def private_folder(path: Path) -> Path:
    """Create the folder `path` (and its parents) for its owner only, or narrow an existing one
    of this user to 0700; returns `path`."""
    if not path.exists():
        missing = [folder for folder in (path, *path.parents) if not folder.exists()]
        for folder in reversed(missing):  # the outermost first, each for its owner only
            folder.mkdir(exist_ok=True, mode=FOLDER_MODE)
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    else:
        _narrow(path, FOLDER_MODE)
    return path


def private_sqlite_file(path: Path) -> None:
    """Create the SQLite file `path` for its owner only (a missing folder 0700), or narrow an
    existing one and its side files to 0600; a file of another user is left as it is."""
    folder = path.parent
    if not folder.exists():
        private_folder(folder)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)  # an empty file is an empty SQLite database
    for candidate in (path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES)):
        _narrow(candidate, FILE_MODE)


def _narrow(path: Path, mode: int) -> None:
    getuid = getattr(os, "getuid", None)  # POSIX only: elsewhere permissions are not modes
    if getuid is None:
        return
    try:
        info = path.stat()
        if stat.S_IMODE(info.st_mode) & ~mode and info.st_uid == getuid():
            os.chmod(path, stat.S_IMODE(info.st_mode) & mode)
    except OSError:  # absent, or not ours to change
        pass


def _sqlite_engine(
    url: str, *, database: str | None, echo: bool, synchronous: SqliteSynchronous
) -> Engine:
    if not database or database == ":memory:":
        raise ConfigurationError("the registry needs a SQLite file, not an in-memory database")
    if synchronous not in SQLITE_SYNCHRONOUS_LEVELS:
        raise ConfigurationError("KOJIN_SQLITE_SYNCHRONOUS must be FULL or NORMAL")
    private_sqlite_file(Path(database))
    engine = create_engine(
        url,
        echo=echo,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        json_serializer=_json_dumps,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
