"""The keys folder: where kojin keeps its keys, outside the data folder and for its owner only.

The folder is :meth:`kojin.settings.Settings.resolved_keys_dir` (``KOJIN_KEYS_DIR``, default
``<home>-keys`` beside the data folder), so that a copy of the data folder carries no key.
Releases before it kept keys in ``<home>/keys``. On first use that folder is moved, with one
rename, to the keys folder when the keys folder is missing or empty, and a warning says so.
When both folders hold files, or the rename is impossible (another file system), nothing is
moved and :class:`~kojin.errors.ConfigurationError` says what to do.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kojin.errors import ConfigurationError
from kojin.settings import Settings

#: owner-only permissions of the keys folder and of every key file kojin writes
FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: the folder inside the data folder where earlier releases kept the keys
LEGACY_FOLDER = "keys"

log = logging.getLogger("kojin.keys")


def legacy_keys_dir(settings: Settings) -> Path:
    """Where earlier releases kept the keys: ``<home>/keys``."""
    return settings.home / LEGACY_FOLDER


def _holds_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _same(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return False


def adopt_legacy_keys(settings: Settings) -> Path | None:
    """Move ``<home>/keys`` to the keys folder when only the old folder holds keys; returns the
    old folder's path when it was moved (and logs a warning naming both), else None."""
    old = legacy_keys_dir(settings)
    new = settings.resolved_keys_dir()
    if not _holds_files(old) or _same(old, new):
        return None
    if _holds_files(new):
        raise ConfigurationError(
            f"keys are in the old folder {old} and in the keys folder {new}: kojin uses {new}; "
            f"move what {old} holds there (or away) and remove {old}"
        )
    try:
        if new.is_dir():
            new.rmdir()  # empty
        new.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old, new)
    except OSError as exc:
        if not old.exists() and _holds_files(new):  # another process moved it meanwhile
            return None
        raise ConfigurationError(
            f"keys are in the old folder {old} and cannot be moved to the keys folder {new}: "
            f"move it there yourself (mv {old} {new}) or set KOJIN_KEYS_DIR"
        ) from exc
    os.chmod(new, FOLDER_MODE)
    log.warning(
        "kojin: moved the keys folder from %s to %s: keys are now kept outside the data folder",
        old,
        new,
    )
    return old


def ensure_keys_dir(settings: Settings) -> Path:
    """The keys folder, created (or narrowed) to owner-only, with keys of an earlier release
    moved into it (see :func:`adopt_legacy_keys`)."""
    adopt_legacy_keys(settings)
    folder = settings.resolved_keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.chmod(folder, FOLDER_MODE)
    return folder
