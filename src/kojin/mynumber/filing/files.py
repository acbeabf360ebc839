"""Files that hold individual numbers: written private (0600, in a folder kojin creates 0700),
whole or not at all, never over another file; removed only when they are the file recorded.

A payment-record file is written to a temporary file in the target's folder, flushed to disk,
then linked into place under its name, which fails if a file of that name exists (a file with
numbers is never replaced by accident). Whatever fails on the way, the temporary file is
removed: a partial file is never left under the name, nor beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from kojin.errors import ConflictError, InputError

#: permissions of a file holding individual numbers, and of a folder kojin creates for one
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def _sync_folder(folder: Path) -> None:
    """Make a new name in `folder` durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_private_file(path: Path, data: bytes) -> None:
    """Write `data` to `path`, readable by its owner alone; ConflictError when `path` exists,
    InputError when its folder cannot be written."""
    folder = path.parent
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(
            f"{folder}: cannot write a file there ({exc.strerror})", field="out"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise ConflictError(
                f"{path} exists: choose another name, or remove that file first"
            ) from None
        except OSError as exc:  # e.g. a file system without hard links
            raise InputError(
                f"{folder}: cannot create the file there ({exc.strerror})", field="out"
            ) from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    _sync_folder(folder)


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of the file at `path`."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def remove_recorded_file(path: Path, sha256: str) -> None:
    """Delete the file at `path` if it is the one recorded with `sha256`; ConflictError (and
    the file kept) when its content differs, InputError when it cannot be read."""
    try:
        found = file_sha256(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", field="file") from None
    if found != sha256:
        raise ConflictError(f"{path} is not the file this export recorded (its SHA-256 differs)")
    path.unlink()
    _sync_folder(path.parent)
