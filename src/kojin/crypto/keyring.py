"""The keyring: AES-256 data keys by key id, the current key id, and the blind-index key.

Stored as ``keyring.json`` (mode 0600) in the keys folder (:mod:`kojin.crypto.keys_folder`:
``KOJIN_KEYS_DIR``, default ``<home>-keys`` beside the data folder), never in the database.
Rotation adds a key and makes it current; older keys stay in the keyring so that rows (and
backups) written under them remain readable. ``KOJIN_MASTER_KEY`` may replace the file: both
keys are then derived from it with HKDF and rotation is done by changing that setting's owner,
not by kojin.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kojin.crypto.keys_folder import FILE_MODE, FOLDER_MODE, adopt_legacy_keys
from kojin.errors import ConfigurationError
from kojin.settings import Settings

KEY_BYTES = 32
KEYRING_NAME = "keyring.json"


def keys_dir(settings: Settings) -> Path:
    """Where the keyring lives: the keys folder, ``KOJIN_KEYS_DIR`` or ``<home>-keys``."""
    return settings.resolved_keys_dir()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, *, what: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError(f"{what} is not valid base64") from exc
    if len(data) != KEY_BYTES:
        raise ConfigurationError(f"{what} must decode to {KEY_BYTES} bytes")
    return data


def _new_key_id(existing: set[str]) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    while True:
        kid = f"k{stamp}{secrets.token_hex(3)}"
        if kid not in existing:
            return kid


@dataclass(frozen=True, slots=True)
class Keyring:
    """Data keys by id, which one encrypts new values, and the blind-index HMAC key."""

    current: str
    keys: dict[str, bytes]
    index_key: bytes
    path: Path | None = field(default=None, compare=False)

    def key(self, kid: str) -> bytes:
        """The data key `kid`; ConfigurationError when the keyring does not hold it."""
        try:
            return self.keys[kid]
        except KeyError:
            raise ConfigurationError(f"key id {kid!r} is not in the keyring") from None

    @classmethod
    def generate(cls, *, path: Path | None = None) -> Keyring:
        """A fresh keyring with one data key and one index key."""
        kid = _new_key_id(set())
        return cls(
            current=kid,
            keys={kid: secrets.token_bytes(KEY_BYTES)},
            index_key=secrets.token_bytes(KEY_BYTES),
            path=path,
        )

    def with_new_key(self) -> Keyring:
        """A copy with a new current data key; every older key is kept for reading."""
        kid = _new_key_id(set(self.keys))
        keys = dict(self.keys)
        keys[kid] = secrets.token_bytes(KEY_BYTES)
        return Keyring(current=kid, keys=keys, index_key=self.index_key, path=self.path)

    @classmethod
    def from_master_key(cls, master: str) -> Keyring:
        """Derive a one-key keyring from KOJIN_MASTER_KEY (base64 of 32 bytes)."""
        secret = _unb64(master, what="KOJIN_MASTER_KEY")

        def derive(info: bytes) -> bytes:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info)
            return hkdf.derive(secret)

        data_key = derive(b"kojin field encryption")
        kid = "m" + hashes_hex(data_key)[:10]
        return cls(current=kid, keys={kid: data_key}, index_key=derive(b"kojin blind index"))

    def save(self, path: Path | None = None) -> Path:
        """Write the keyring atomically with owner-only permissions; returns the path."""
        target = path or self.path
        if target is None:
            raise ConfigurationError("this keyring has no file to be saved to")
        target.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        os.chmod(target.parent, FOLDER_MODE)
        payload = {
            "format": 1,
            "current": self.current,
            "keys": {kid: _b64(key) for kid, key in self.keys.items()},
            "index_key": _b64(self.index_key),
        }
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(fd, FILE_MODE)  # a leftover temp file keeps its mode through O_CREAT
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        return target

    @classmethod
    def read(cls, path: Path) -> Keyring:
        """Read a keyring file written by :meth:`save`."""
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            current = payload["current"]
            keys = {
                str(kid): _unb64(value, what=f"key {kid!r} in {path.name}")
                for kid, value in payload["keys"].items()
            }
            index_key = _unb64(payload["index_key"], what=f"index_key in {path.name}")
        except FileNotFoundError:
            raise ConfigurationError(
                f"no keyring at {path}: run `kojin init` or set KOJIN_MASTER_KEY"
            ) from None
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ConfigurationError(f"keyring {path} is malformed") from exc
        if current not in keys:
            raise ConfigurationError(f"keyring {path}: current key {current!r} is missing")
        return cls(current=current, keys=keys, index_key=index_key, path=path)


def hashes_hex(data: bytes) -> str:
    """SHA-256 of `data` as hex (used for key ids, never for secrets' storage)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize().hex()


def keyring_path(settings: Settings) -> Path:
    """The keyring file for these settings."""
    return keys_dir(settings) / KEYRING_NAME


def load_keyring(settings: Settings) -> Keyring:
    """The keyring for these settings: derived from KOJIN_MASTER_KEY, else read from the file
    (keys of an earlier release in ``<home>/keys`` are moved to the keys folder first)."""
    if settings.master_key is not None:
        return Keyring.from_master_key(settings.master_key.get_secret_value())
    adopt_legacy_keys(settings)
    return Keyring.read(keyring_path(settings))
