"""Keyed pseudonym tokens and the key file (R-PS-1 surrogate IDs, R-PS-2 deletion info).

A token is a keyed hash of the value: keyed BLAKE2b (default) or HMAC-SHA256, 128 bits, hex.
Without the key a token cannot be recomputed from a guessed value (an unsalted hash could be,
which R-PS-1 rules out). Keys live in a JSON key file created with 0600 permissions, apart from
the output; rotation adds a key and makes it current, and the key id goes into the deletion info.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa

from kojin.deid.choices import TokenAlgorithm
from kojin.deid.column_codes import dictionary_indices
from kojin.deid.table_io import write_bytes
from kojin.errors import ConfigurationError

DIGEST_BYTES = 16


@dataclass(frozen=True)
class PseudonymKey:
    key_id: str
    algorithm: TokenAlgorithm
    secret: bytes
    created_at: str


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: tuple[PseudonymKey, ...]

    def get(self, key_id: str) -> PseudonymKey:
        for key in self.keys:
            if key.key_id == key_id:
                return key
        raise ConfigurationError(f"key {key_id!r} is not in the key file")

    @property
    def active(self) -> PseudonymKey:
        return self.get(self.current)


def _new_key(*, number: int, algorithm: TokenAlgorithm) -> PseudonymKey:
    return PseudonymKey(
        key_id=f"k{number}",
        algorithm=algorithm,
        secret=secrets.token_bytes(32),
        created_at=datetime.now(UTC).isoformat(),
    )


def _dump(ring: KeyRing) -> bytes:
    return orjson.dumps(
        {
            "version": 1,
            "current": ring.current,
            "keys": [
                {
                    "id": key.key_id,
                    "algorithm": key.algorithm.value,
                    "secret": base64.b64encode(key.secret).decode("ascii"),
                    "created_at": key.created_at,
                }
                for key in ring.keys
            ],
        },
        option=orjson.OPT_INDENT_2,
    )


def _load(path: Path) -> KeyRing:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"key file {path} is open to other users (mode {mode:o}); restrict it with chmod 600"
        )
    try:
        data = orjson.loads(path.read_bytes())
        keys = tuple(
            PseudonymKey(
                key_id=str(entry["id"]),
                algorithm=TokenAlgorithm(entry["algorithm"]),
                secret=base64.b64decode(entry["secret"]),
                created_at=str(entry["created_at"]),
            )
            for entry in data["keys"]
        )
        ring = KeyRing(current=str(data["current"]), keys=keys)
        ring.active  # noqa: B018 - validates that the current key exists
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"key file {path} is unreadable ({exc.__class__.__name__})"
        ) from None
    return ring


def open_key_ring(*, path: Path, algorithm: TokenAlgorithm, rotate: bool = False) -> KeyRing:
    """Load the key file, creating it (0600) when absent; ``rotate`` adds a new current key."""
    if path.exists():
        ring = _load(path)
        if not rotate:
            return ring
        key = _new_key(number=len(ring.keys) + 1, algorithm=algorithm)
        ring = KeyRing(current=key.key_id, keys=(*ring.keys, key))
    else:
        key = _new_key(number=1, algorithm=algorithm)
        ring = KeyRing(current=key.key_id, keys=(key,))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_bytes(_dump(ring), path, mode=0o600)
    os.chmod(path, 0o600)
    return ring


def _digests(values: list[bytes], *, key: PseudonymKey) -> list[bytes]:
    """Raw 16-byte keyed digests; the keyed state is set up once and copied per value."""
    out: list[bytes] = []
    append = out.append
    if key.algorithm is TokenAlgorithm.BLAKE2B:
        fresh = hashlib.blake2b(key=key.secret, digest_size=DIGEST_BYTES).copy
        for value in values:
            state = fresh()
            state.update(value)
            append(state.digest())
        return out
    # HMAC-SHA256 (RFC 2104) with the padded key blocks hashed once
    secret = key.secret if len(key.secret) <= 64 else hashlib.sha256(key.secret).digest()
    block = secret.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block)).copy
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block)).copy
    for value in values:
        first = inner()
        first.update(value)
        final = outer()
        final.update(first.digest())
        append(final.digest()[:DIGEST_BYTES])
    return out


def _hex_array(digests: list[bytes]) -> pa.Array:
    """Hex strings of equal-length digests, built in one pass over the joined bytes."""
    chars = b"".join(digests).hex().encode("ascii")
    width = DIGEST_BYTES * 2
    offsets = np.arange(0, len(digests) * width + 1, width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        len(digests), pa.py_buffer(offsets.tobytes()), pa.py_buffer(chars)
    )


def tokenize(values: pa.Array, *, key: PseudonymKey) -> pa.Array:
    """Token of every value of a string array, in order (no de-duplication)."""
    if len(values) == 0:
        return pa.array([], type=pa.string())
    return _hex_array(_digests(values.cast(pa.binary()).to_pylist(), key=key))


def tokenize_array(values: pa.Array, *, key: PseudonymKey) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Tokens for a string array, hashing each distinct value once.

    Returns the token column, the distinct values and their tokens (the mapping, if kept).
    """
    encoded = values.dictionary_encode()
    distinct = encoded.dictionary
    tokens = tokenize(distinct, key=key)
    indices = dictionary_indices(encoded)
    return tokens.take(pa.array(indices)), distinct, tokens
