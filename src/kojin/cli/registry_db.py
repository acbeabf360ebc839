"""What the registry commands share: the registry database, opened per command, and atomic file
writes. SQLAlchemy and the services are imported inside, so ``kojin --help`` stays light."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kojin.cli.output import load_settings

if TYPE_CHECKING:
    from kojin.db.uow import Database


@contextmanager
def registry_database() -> Iterator[Database]:
    """The registry named by the settings, disposed of when the block ends."""
    from kojin.registry.opening import open_database

    database = open_database(load_settings())
    try:
        yield database
    finally:
        database.dispose()


def write_atomically(path: Path, write: Callable[[IO[bytes]], int]) -> int:
    """Write through a temp file in the same folder, renamed over `path` only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            count = write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
