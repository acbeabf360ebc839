"""Staff passwords: the rules a new password must meet, argon2id hashing and verification.

Hashes are argon2id with argon2-cffi's defaults (RFC 9106's second recommended profile: three
passes over 64 MiB, four lanes), which meet OWASP's minimum. A stored hash names its own
parameters, so hashes made under older ones still verify; :func:`needs_rehash` tells a sign-in
to store a fresh hash once the password is known to be right. :func:`verify_dummy` does the
work of a verification for a user name that does not exist, so the time an answer takes does
not tell which names do.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kojin.errors import InputError

MIN_LENGTH = 12
MAX_LENGTH = 1024
#: characters of generated passwords (letters and digits: easy to type, 5.95 bits each)
GENERATED_ALPHABET = string.ascii_letters + string.digits

#: the hasher in force; tests may swap it for cheaper parameters
HASHER = PasswordHasher()

#: a hash of a random password per parameter set, verified when the user name is unknown
_dummy_hashes: dict[tuple[int, int, int, int, int], str] = {}


def _hasher() -> PasswordHasher:
    return HASHER


def check_password_rules(password: str) -> None:
    """InputError (field ``password``) naming the rule a new password breaks; never the password."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"password must be at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InputError(f"password must be at most {MAX_LENGTH} characters", field="password")
    if len(set(password)) == 1:
        raise InputError("password must not repeat a single character", field="password")


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (the rules are checked by the caller)."""
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash; False also for a hash that cannot be read."""
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether `stored` was made under other parameters than the hasher in force."""
    try:
        return _hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True


def verify_dummy(password: str) -> None:
    """Verify `password` against a hash no password matches: the same work as a real check."""
    hasher = _hasher()
    params = (
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
    )
    dummy = _dummy_hashes.get(params)
    if dummy is None:
        dummy = _dummy_hashes.setdefault(params, hasher.hash(secrets.token_urlsafe(32)))
    verify_password(dummy, password)


def generate_password(length: int = 20) -> str:
    """A random password of letters and digits that meets the rules (e.g. the first admin's)."""
    if length < MIN_LENGTH:
        raise ValueError(f"a generated password needs at least {MIN_LENGTH} characters")
    while True:
        password = "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(length))
        if len(set(password)) > 1:
            return password
