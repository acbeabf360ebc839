"""Envelope encryption of one vault record: a fresh AES-256 data key per record seals the
number (and the record's identity-document images) with AES-GCM; the data key itself is stored
only wrapped by a vault key (:mod:`kojin.mynumber.vault_keys`).

The associated data binds each ciphertext to its record and its role (``number`` or
``document:<id>``), so a ciphertext copied onto another record, or a document's ciphertext put
in the number's place, fails authentication instead of decrypting. Destroying the data key (and
every vault key that ever wrapped it) makes the ciphertext unreadable for good: crypto-shredding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kojin.errors import IntegrityError

DATA_KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
_AAD_PREFIX: Final = b"kojin.mynumber.v1\x00"


@dataclass(frozen=True, slots=True)
class Sealed:
    """A ciphertext (with its GCM tag) and the nonce it was sealed with."""

    nonce: bytes
    ciphertext: bytes


def new_data_key() -> bytes:
    """A fresh random AES-256 key for one record."""
    return os.urandom(DATA_KEY_BYTES)


def number_aad(record_id: str) -> bytes:
    """The associated data of a record's number."""
    return _AAD_PREFIX + record_id.encode("ascii") + b"\x00number"


def document_aad(record_id: str, document_id: str) -> bytes:
    """The associated data of one identity-document image of a record."""
    return _AAD_PREFIX + record_id.encode("ascii") + b"\x00document\x00" + document_id.encode()


def seal(data_key: bytes, plaintext: bytes, *, aad: bytes) -> Sealed:
    """Encrypt `plaintext` under `data_key` with a fresh nonce."""
    nonce = os.urandom(NONCE_BYTES)
    return Sealed(nonce=nonce, ciphertext=AESGCM(data_key).encrypt(nonce, plaintext, aad))


def unseal(data_key: bytes, sealed: Sealed, *, aad: bytes, what: str) -> bytes:
    """Decrypt `sealed`; IntegrityError naming `what` (never a value) when it fails."""
    try:
        return AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, aad)
    except (InvalidTag, ValueError) as exc:
        raise IntegrityError(f"{what} fails authentication") from exc
