"""The reference a person keeps and the one-time code mailed to them.

A reference is 100 random bits written in Crockford's base32, ``KJ-XXXXX-XXXXX-XXXXX-XXXXX``:
unguessable, and easy to read out and type (no I, L, O or U; on input, case, full-width letters,
spaces and hyphens do not matter, and O, I and L are read as 0, 1 and 1). The database keeps a
keyed blind index of it, and of each code, never the code itself.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Final

from kojin.crypto.cipher import FieldCipher

#: Crockford's base32 alphabet
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX: Final = "KJ"
GROUPS: Final = 4
GROUP_LENGTH: Final = 5
#: random bits in a reference (5 per character)
REFERENCE_BITS: Final = 5 * GROUPS * GROUP_LENGTH
CODE_DIGITS: Final = 6
_READ_AS: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff70]+")
_VALID: Final = re.compile(f"[{ALPHABET}]{{{GROUPS * GROUP_LENGTH}}}")


def new_reference() -> str:
    """A fresh reference, ``KJ-`` and four groups of five characters."""
    value = secrets.randbits(REFERENCE_BITS)
    chars = []
    for _ in range(GROUPS * GROUP_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    body = "".join(chars)
    groups = [body[i : i + GROUP_LENGTH] for i in range(0, len(body), GROUP_LENGTH)]
    return "-".join([PREFIX, *groups])


def normalize_reference(typed: str) -> str | None:
    """The reference `typed` stands for, in its canonical form; None when it cannot be one."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed)).upper()
    if len(text) == len(PREFIX) + GROUPS * GROUP_LENGTH and text.startswith(PREFIX):
        text = text[len(PREFIX) :]
    text = text.translate(_READ_AS)
    if not _VALID.fullmatch(text):
        return None
    groups = [text[i : i + GROUP_LENGTH] for i in range(0, len(text), GROUP_LENGTH)]
    return "-".join([PREFIX, *groups])


def reference_index(cipher: FieldCipher, reference: str) -> str:
    """The blind index of a canonical reference."""
    return cipher.blind_index(field="data_requests.reference", value=reference)


def email_index(cipher: FieldCipher, email: str) -> str:
    """The blind index of a requester's e-mail (case and width insensitive)."""
    return cipher.blind_index(field="data_requests.email", value=email)


def new_code() -> str:
    """A six-digit one-time code."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalize_code(typed: str) -> str | None:
    """The six digits `typed` stands for (full-width digits and spaces allowed), or None."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", typed))
    return text if re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", text) else None


def code_digest(cipher: FieldCipher, *, request_id: str, code: str) -> str:
    """The keyed digest kept for `code`, bound to its request."""
    return cipher.blind_index(field=f"request_verification_codes.code:{request_id}", value=code)
