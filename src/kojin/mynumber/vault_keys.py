"""The vault keys: AES-256 keys that wrap the records' data keys, in a folder of their own.

The folder (``KOJIN_VAULT_KEYS_DIR``, default ``<keys folder>/vault``) is the owner's only
(0700) and holds one file per key, ``<key id>.key`` (32 raw bytes, 0600), and ``CURRENT``,
naming the key new data keys are wrapped under. Nothing of it is ever written to a database:
a copy of the database holds data keys only in wrapped form.

Data keys are wrapped with AES key wrap (RFC 3394), which authenticates as it unwraps: a wrong
or altered key is refused, never turned into a wrong data key.

Rotation (:meth:`VaultKeys.rotate`) adds a key and makes it current; once every data key has
been re-wrapped under it (:func:`kojin.mynumber.disposal.rotate_vault_key`), the old keys are
destroyed (:meth:`VaultKeys.destroy`: overwritten, synced, unlinked). A backup of the database
taken before then holds data keys wrapped under keys that no longer exist anywhere.

Several processes may share the folder (server workers, a command): changes are made under an
exclusive ``flock`` of ``.lock`` and by atomic renames, and each process notices them before it
wraps or unwraps (a changed folder or ``CURRENT`` is read again; a key that is not current is
used only while its file still exists).
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from kojin.db.engine import private_folder
from kojin.errors import ConfigurationError, ConflictError, IntegrityError

KEY_BYTES: Final = 32
FILE_MODE: Final = 0o600
CURRENT_NAME: Final = "CURRENT"
LOCK_NAME: Final = ".lock"
KEY_SUFFIX: Final = ".key"
#: a vault key's id: ``v``, the day it was made and eight hexadecimal digits
KEY_ID: Final = re.compile(r"v[0-9]{8}[0-9a-f]{8}")


def _new_key_id(existing: set[str]) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    while True:
        kid = f"v{stamp}{secrets.token_hex(4)}"
        if kid not in existing:
            return kid


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temp file, fsync, rename), owner-only."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class VaultKeys:
    """The wrapping keys of one vault folder, as this process knows them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._keys: dict[str, bytes] = {}
        self._current = ""
        self._seen: tuple[int, int, int] | None = None

    # --- opening and reading --------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path) -> VaultKeys:
        """The keys in `folder`, which is created (0700) with a first key when missing."""
        private_folder(folder)
        keys = cls(folder)
        with keys._locked(exclusive=True):
            if not (folder / CURRENT_NAME).exists():
                kid = _new_key_id(set(keys._files()))
                keys._write_key(kid, secrets.token_bytes(KEY_BYTES))
                _write_private(folder / CURRENT_NAME, kid.encode("ascii"))
                _fsync_folder(folder)
            keys._load()
        return keys

    @contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[None]:
        fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _files(self) -> list[str]:
        return sorted(
            p.name[: -len(KEY_SUFFIX)]
            for p in self.folder.glob(f"*{KEY_SUFFIX}")
            if KEY_ID.fullmatch(p.name[: -len(KEY_SUFFIX)])
        )

    def _signature(self) -> tuple[int, int, int]:
        """What changes when another process rotates or destroys a key."""
        try:
            folder = os.stat(self.folder)
            current = os.stat(self.folder / CURRENT_NAME)
        except FileNotFoundError:
            raise ConfigurationError(
                f"the vault keys folder {self.folder} lost its keys: restore it from where it is "
                "kept apart from the database backups"
            ) from None
        return folder.st_mtime_ns, current.st_ino, current.st_mtime_ns

    def _load(self) -> None:
        """Read the folder again (under a shared lock unless the caller holds one)."""
        signature = self._signature()
        current = (self.folder / CURRENT_NAME).read_text(encoding="ascii").strip()
        keys: dict[str, bytes] = {}
        for kid in self._files():
            known = self._keys.get(kid)
            keys[kid] = known if known is not None else self._read_key(kid)
        if current not in keys:
            raise ConfigurationError(
                f"the vault keys folder {self.folder}: the current key is missing"
            )
        self._keys, self._current, self._seen = keys, current, signature

    def _read_key(self, kid: str) -> bytes:
        data = self._key_file(kid).read_bytes()
        if len(data) != KEY_BYTES:
            raise ConfigurationError(f"vault key {kid} in {self.folder} is not {KEY_BYTES} bytes")
        return data

    def _refresh(self) -> None:
        if self._signature() != self._seen:
            with self._locked(exclusive=False):
                self._load()

    def _key_file(self, kid: str) -> Path:
        return self.folder / f"{kid}{KEY_SUFFIX}"

    def _write_key(self, kid: str, key: bytes) -> None:
        _write_private(self._key_file(kid), key)

    # --- the vault's use of its keys ------------------------------------------------------

    @property
    def current_id(self) -> str:
        """The id of the key new data keys are wrapped under."""
        self._refresh()
        return self._current

    def ids(self) -> list[str]:
        """The ids of every key in the folder, sorted."""
        self._refresh()
        return sorted(self._keys)

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        """`data_key` wrapped under the current key: (key id, wrapped bytes)."""
        self._refresh()
        kid = self._current
        return kid, aes_key_wrap(self._keys[kid], data_key)

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        """The data key `wrapped` under `key_id`; IntegrityError when that key is gone (the
        record was disposed of, or the backup predates a rotation) or the bytes were altered."""
        self._refresh()
        key = self._keys.get(key_id)
        gone = key is not None and key_id != self._current and not self._key_file(key_id).exists()
        if gone:  # destroyed by another process since this one last read the folder
            self._keys.pop(key_id, None)
            key = None
        if key is None:
            raise IntegrityError("the vault key this data key was wrapped under no longer exists")
        try:
            return aes_key_unwrap(key, wrapped)
        except (InvalidUnwrap, ValueError) as exc:
            raise IntegrityError("a wrapped data key fails authentication") from exc

    def rotate(self) -> str:
        """Make a new key current (older keys stay until destroyed); returns its id."""
        with self._locked(exclusive=True):
            kid = _new_key_id(set(self._files()))
            self._write_key(kid, secrets.token_bytes(KEY_BYTES))
            _write_private(self.folder / CURRENT_NAME, kid.encode("ascii"))
            _fsync_folder(self.folder)
            self._load()
        return kid

    def destroy(self, key_id: str) -> None:
        """Overwrite the key's file, sync it and unlink it; forget the key in this process.

        ConflictError for the current key; a key already gone is left as it is.
        """
        if not KEY_ID.fullmatch(key_id):
            raise IntegrityError("not a vault key id")
        with self._locked(exclusive=True):
            self._load()
            if key_id == self._current:
                raise ConflictError("the current vault key cannot be destroyed: rotate first")
            path = self._key_file(key_id)
            try:
                fd = os.open(path, os.O_WRONLY)
            except FileNotFoundError:
                self._keys.pop(key_id, None)
                return
            try:
                size = max(os.fstat(fd).st_size, KEY_BYTES)
                os.write(fd, secrets.token_bytes(size))
                os.fsync(fd)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, bytes(size))
                os.fsync(fd)
            finally:
                os.close(fd)
            path.unlink()
            _fsync_folder(self.folder)
            self._keys.pop(key_id, None)
            self._seen = self._signature()
