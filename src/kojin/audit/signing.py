"""The Ed25519 key that signs audit checkpoints, kept in the keys folder, never in the database.

``<keys dir>/audit-signing.key`` holds the private key (PKCS#8 PEM, mode 0600, folder 0700),
created on first need; ``audit-signing.pub`` beside it holds the public key as one line of
base64 (the raw 32 bytes), the same text every checkpoint line carries. Creation is safe when
several processes need the key at once: the first file linked into place wins.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kojin.errors import ConfigurationError, InputError

PRIVATE_KEY_NAME = "audit-signing.key"
PUBLIC_KEY_NAME = "audit-signing.pub"


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 public key: its base64 text (raw 32 bytes) and its key id."""

    key: Ed25519PublicKey
    text: str

    @property
    def key_id(self) -> str:
        return key_id_of(self.text)

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            self.key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    @classmethod
    def from_text(cls, text: str) -> PublicKey:
        """Parse base64 of the raw 32 bytes, or a PEM public key; ValueError when neither."""
        text = text.strip()
        if text.startswith("-----BEGIN"):
            try:
                loaded = serialization.load_pem_public_key(text.encode("ascii"))
            except (ValueError, UnsupportedAlgorithm):
                raise ValueError("not a PEM public key") from None
            if not isinstance(loaded, Ed25519PublicKey):
                raise ValueError("not an Ed25519 public key")
            return cls.from_key(loaded)
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("not base64") from None
        if len(raw) != 32:
            raise ValueError("not 32 bytes")
        return cls.from_key(Ed25519PublicKey.from_public_bytes(raw))

    @classmethod
    def from_key(cls, key: Ed25519PublicKey) -> PublicKey:
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(key=key, text=base64.b64encode(raw).decode("ascii"))


def key_id_of(public_key_text: str) -> str:
    """``ed25519:`` and the first 16 hex digits of the SHA-256 of the base64 public key text."""
    return "ed25519:" + hashlib.sha256(public_key_text.encode("ascii")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The private key and its public half."""

    private: Ed25519PrivateKey
    public: PublicKey

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def load_or_create_signing_key(keys_dir: Path) -> SigningKey:
    """The signing key in `keys_dir`, created (with its public key file) when there is none;
    ConfigurationError naming the folder when it cannot be made or read."""
    path = keys_dir / PRIVATE_KEY_NAME
    try:
        if not path.exists():
            _create(path)
        key = _read_private(path)
        _ensure_public_file(keys_dir / PUBLIC_KEY_NAME, key.public)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot use the audit signing key in {keys_dir} ({exc.strerror})"
        ) from None
    return key


def read_public_key(path: Path) -> PublicKey:
    """The public key in `path` (base64 or PEM); InputError when unreadable."""
    try:
        return PublicKey.from_text(path.read_text(encoding="ascii"))
    except OSError:
        raise InputError(f"cannot read the public key file {path}", field="public_key") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path} is not an Ed25519 public key ({exc})", field="public_key"
        ) from None


def trusted_public_key(keys_dir: Path) -> PublicKey | None:
    """The public key of the keys folder (its ``.pub`` file, else derived from the private key),
    or None when the folder holds neither."""
    public = keys_dir / PUBLIC_KEY_NAME
    if public.exists():
        return read_public_key(public)
    private = keys_dir / PRIVATE_KEY_NAME
    if private.exists():
        try:
            return _read_private(private).public
        except OSError as exc:
            raise ConfigurationError(f"cannot read {private} ({exc.strerror})") from None
    return None


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made one first: it wins
            os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _read_private(path: Path) -> SigningKey:
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(f"{path} may be read by others: make it 0600 (chmod 600)")
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigurationError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} is not an Ed25519 private key")
    return SigningKey(private=loaded, public=PublicKey.from_key(loaded.public_key()))


def _ensure_public_file(path: Path, public: PublicKey) -> None:
    if path.exists():
        try:
            found = read_public_key(path)
        except InputError as exc:
            raise ConfigurationError(exc.message) from None
        if found.text != public.text:
            raise ConfigurationError(f"{path} does not match {PRIVATE_KEY_NAME} beside it")
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(public.text + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
