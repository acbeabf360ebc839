"""AES-GCM encryption of single fields and the keyed blind index used to find them.

A stored value reads ``<key id>:<base64(nonce || ciphertext+tag)>``. The associated data binds
the ciphertext to its table, column and row, so a value cannot be moved to another row or field
without decryption failing. Binary values (uploaded documents) are sealed the same way without
the base64 step: ``b"<key id>:" || nonce || ciphertext+tag``.
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
from kojin.errors import ConfigurationError, IntegrityError

NONCE_BYTES = 12
#: AES-GCM authentication tag length
TAG_BYTES = 16
#: the longest key id a binary value may name (key ids are short ASCII words)
MAX_KEY_ID_BYTES = 64
#: seconds between checks of the keyring file for a rotation done by another process
RELOAD_INTERVAL_S = 1.0


def _normalize(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _is_key_id(head: bytes) -> bool:
    """Whether `head` can be a key id at the start of a binary value (printable ASCII, no
    colon, no space)."""
    return 0 < len(head) <= MAX_KEY_ID_BYTES and all(0x20 < b < 0x7F and b != 0x3A for b in head)


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

    def encrypt_bytes(self, data: bytes, *, context: str, key_id: str | None = None) -> bytes:
        """Encrypt binary `data` (e.g. an uploaded document) under `key_id` (default: the
        current key); the result is ``b"<key id>:" || nonce || ciphertext+tag``."""
        kid = key_id or self.current_key_id
        head = kid.encode("ascii", errors="replace")
        if not _is_key_id(head):
            raise ConfigurationError("this key id cannot name a binary value")
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._for(kid).encrypt(nonce, data, context.encode())
        return head + b":" + nonce + sealed

    def decrypt_bytes(self, stored: bytes, *, context: str) -> bytes:
        """Decrypt a value written by :meth:`encrypt_bytes` with the same `context`.

        IntegrityError (naming the context only) when the value is malformed, was altered or
        belongs to another context.
        """
        kid = self.key_id_of_bytes(stored, context=context)
        raw = stored[len(kid) + 1 :]
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise IntegrityError(f"encrypted field {context}: too short")
        try:
            return self._for(kid).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except InvalidTag as exc:
            raise IntegrityError(f"encrypted field {context} fails authentication") from exc

    @staticmethod
    def key_id_of_bytes(stored: bytes, *, context: str = "value") -> str:
        """The key id a binary value was encrypted under; IntegrityError when it names none."""
        head, sep, _ = stored[: MAX_KEY_ID_BYTES + 1].partition(b":")
        if not sep or not _is_key_id(head):
            raise IntegrityError(f"encrypted field {context}: missing key id")
        return head.decode("ascii")

    @staticmethod
    def key_id_of(stored: str) -> str:
        """The key id a stored value was encrypted under."""
        return stored.partition(":")[0]

    def blind_index(self, *, field: str, value: str) -> str:
        """The blind index of `value` for `field` (equal inputs after normalization match)."""
        return blind_index_value(self.keyring.index_key, field=field, value=value)
