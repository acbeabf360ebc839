"""AES-GCM encryption of single fields and the keyed blind index used to find them.

A stored value reads ``<key id>:<base64(nonce || ciphertext+tag)>``. The associated data binds
the ciphertext to its table, column and row, so a value cannot be moved to another row or field
without decryption failing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kojin.crypto.keyring import Keyring
from kojin.errors import IntegrityError

NONCE_BYTES = 12
#: seconds between checks of the keyring file for a rotation done by another process
RELOAD_INTERVAL_S = 1.0


def _normalize(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def blind_index_value(index_key: bytes, *, field: str, value: str) -> str:
    """HMAC-SHA256 of the normalized `value` under `index_key`, namespaced by `field` (hex)."""
    message = f"{field}\x00{_normalize(value)}".encode()
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()


class FieldCipher:
    """Encrypts and decrypts fields with a keyring; one AESGCM object per key id, built lazily.

    When the keyring came from a file, the file is checked for changes at most once every
    :data:`RELOAD_INTERVAL_S` seconds and whenever an unknown key id is met, so a long-running
    server follows ``kojin keys rotate`` without a restart.
    """

    __slots__ = ("_aead", "_checked_at", "_mtime", "keyring")

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._aead: dict[str, AESGCM] = {}
        self._checked_at = time.monotonic()
        self._mtime = self._file_mtime()

    def _file_mtime(self) -> int | None:
        path = self.keyring.path
        if path is None:
            return None
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    def _reload_if_changed(self, *, force: bool = False) -> None:
        if self.keyring.path is None:
            return
        now = time.monotonic()
        if not force and now - self._checked_at < RELOAD_INTERVAL_S:
            return
        self._checked_at = now
        mtime = self._file_mtime()
        if mtime is not None and mtime != self._mtime:
            self.keyring = Keyring.read(self.keyring.path)
            self._mtime = mtime

    @property
    def current_key_id(self) -> str:
        """The key id new values are encrypted under."""
        self._reload_if_changed()
        return self.keyring.current

    def _for(self, kid: str) -> AESGCM:
        aead = self._aead.get(kid)
        if aead is None:
            if kid not in self.keyring.keys:
                self._reload_if_changed(force=True)
            aead = AESGCM(self.keyring.key(kid))
            self._aead[kid] = aead
        return aead

    def encrypt(self, plaintext: str, *, context: str, key_id: str | None = None) -> str:
        """Encrypt `plaintext` under `key_id` (default: the current key); `context` names the
        table, column and row."""
        kid = key_id or self.current_key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._for(kid).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{kid}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str, *, context: str) -> str:
        """Decrypt a value written by :meth:`encrypt` with the same `context`."""
        kid, sep, body = stored.partition(":")
        if not sep:
            raise IntegrityError(f"encrypted field {context}: missing key id")
        try:
            raw = base64.b64decode(body, validate=True)
            plain = self._for(kid).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError) as exc:
            raise IntegrityError(f"encrypted field {context} fails authentication") from exc
        return plain.decode()

    @staticmethod
    def key_id_of(stored: str) -> str:
        """The key id a stored value was encrypted under."""
        return stored.partition(":")[0]

    def blind_index(self, *, field: str, value: str) -> str:
        """The blind index of `value` for `field` (equal inputs after normalization match)."""
        return blind_index_value(self.keyring.index_key, field=field, value=value)
