"""Signed messages: decoding, the signature, the envelope and the claims (section 3.07).

A message is a JSON object signed in libsodium's combined mode (the 64-byte Ed25519 signature
followed by the message bytes), the whole buffer base64-encoded and sent as ``text/plain``. It
is checked in the protocol's order: it decodes; the signature verifies with the agent's key;
``agent-id`` is that agent; ``business-id`` is this business; ``issued-at`` is not in the
future and ``expires-at`` not in the past (each with :data:`CLOCK_SKEW` of allowance).

Errors name the claim and what is wrong with it, never its value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from kojin.drp.vocabulary import DRP_VERSION
from kojin.errors import InputError, PermissionDeniedError

#: how far the clocks of the agent and of kojin may disagree
CLOCK_SKEW: Final = timedelta(seconds=60)
#: the longest validity a message may claim (the protocol recommends ten minutes)
MAX_LIFETIME: Final = timedelta(hours=1)
SIGNATURE_BYTES: Final = 64
#: a token-like string of the protocol (exercise, regime): letters, digits, ``: _ . -``
_WORD: Final = re.compile(r"[A-Za-z0-9:_.-]{1,64}")


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """A message whose signature verified."""

    claims: dict[str, Any]
    #: SHA-256 (hex) of the decoded buffer (signature and message): the same message twice
    #: has the same digest
    sha256: str


def decode_body(body: bytes) -> bytes:
    """The signed buffer a base64 body carries; InputError when it is not base64 of a signature
    and something signed."""
    text = body.strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("the body must be a base64-encoded signed message") from None
    if len(raw) <= SIGNATURE_BYTES:
        raise InputError("the body must be a base64-encoded signed message")
    return raw


def open_signed(body: bytes, verify_key: bytes) -> SignedMessage:
    """Check `body`'s signature with `verify_key` and parse the JSON object it signs.

    InputError (400) when it does not decode or the signed bytes are not a JSON object;
    PermissionDeniedError (403) when the signature does not verify.
    """
    raw = decode_body(body)
    try:
        signed = VerifyKey(verify_key).verify(raw)
    except BadSignatureError:
        raise PermissionDeniedError("the signature does not verify with the agent's key") from None
    try:
        claims = json.loads(signed)
    except ValueError:
        raise InputError("the signed message is not JSON") from None
    if not isinstance(claims, dict):
        raise InputError("the signed message must be a JSON object")
    return SignedMessage(claims=claims, sha256=hashlib.sha256(raw).hexdigest())


def parse_time(claims: Mapping[str, Any], name: str) -> datetime:
    """An ISO 8601 timestamp claim as an aware UTC datetime (a time without an offset is read
    as UTC); InputError naming the claim."""
    value = claims.get(name)
    if not isinstance(value, str) or len(value) > 64:
        raise InputError(f"claim {name} must be an ISO 8601 timestamp", field=name)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"claim {name} must be an ISO 8601 timestamp", field=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Envelope:
    """The claims that root a message in one agent, one business and one moment."""

    agent_id: str
    business_id: str
    issued_at: datetime
    expires_at: datetime


def check_envelope(
    claims: Mapping[str, Any],
    *,
    agent_id: str,
    business_id: str,
    now: datetime,
    require_version: bool = True,
) -> Envelope:
    """The envelope of `claims`, checked against the agent the token (or the path) names, this
    business and `now` in the protocol's order.

    PermissionDeniedError (403) when ``agent-id`` or ``business-id`` is not the expected one;
    InputError (400) when a time is malformed, ``issued-at`` lies in the future, the message
    has expired or claims a validity longer than :data:`MAX_LIFETIME`, or ``drp.version`` is
    not :data:`DRP_VERSION` (when `require_version`).
    """
    if claims.get("agent-id") != agent_id:
        raise PermissionDeniedError("claim agent-id is not the agent the token was issued to")
    if claims.get("business-id") != business_id:
        raise PermissionDeniedError("claim business-id is not this business")
    issued_at = parse_time(claims, "issued-at")
    expires_at = parse_time(claims, "expires-at")
    if issued_at > now + CLOCK_SKEW:
        raise InputError("claim issued-at lies in the future", field="issued-at")
    if expires_at <= now - CLOCK_SKEW:
        raise InputError("the message has expired (expires-at has passed)", field="expires-at")
    if expires_at <= issued_at:
        raise InputError("claim expires-at must be after issued-at", field="expires-at")
    if expires_at - issued_at > MAX_LIFETIME:
        raise InputError(
            f"the message may be valid for at most {int(MAX_LIFETIME.total_seconds() // 60)} "
            "minutes",
            field="expires-at",
        )
    version = claims.get("drp.version")
    if (require_version or version is not None) and version != DRP_VERSION:
        raise InputError(f"claim drp.version must be {DRP_VERSION!r}", field="drp.version")
    return Envelope(
        agent_id=agent_id, business_id=business_id, issued_at=issued_at, expires_at=expires_at
    )


def text_claim(
    claims: Mapping[str, Any], name: str, *, limit: int, multiline: bool = False
) -> str | None:
    """A text claim, stripped (None when absent or empty); InputError when it is not text, too
    long, or holds control characters (line breaks allowed when `multiline`)."""
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"claim {name} must be a string", field=name)
    text = value.strip()
    if len(text) > limit:
        raise InputError(f"claim {name} must be at most {limit} characters", field=name)
    allowed = "\t\n\r" if multiline else ""
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in text):
        raise InputError(f"claim {name} must not contain control characters", field=name)
    return text or None


def word_claim(claims: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    """A protocol word (``exercise``, ``regime``): letters, digits and ``: _ . -``."""
    value = claims.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _WORD.fullmatch(value):
        raise InputError(f"claim {name} must be a word of letters, digits and : _ . -", field=name)
    return value


def flag_claim(claims: Mapping[str, Any], name: str) -> bool:
    """A boolean claim (absent: false)."""
    value = claims.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InputError(f"claim {name} must be true or false", field=name)
    return value


def list_claim(claims: Mapping[str, Any], name: str, *, items: int, limit: int) -> list[str]:
    """A list of short strings (absent: empty)."""
    value = claims.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > items:
        raise InputError(f"claim {name} must be a list of at most {items} strings", field=name)
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or len(item) > limit or not item.strip():
            raise InputError(f"claim {name} must hold strings of 1-{limit} characters", field=name)
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in item):
            raise InputError(f"claim {name} must not contain control characters", field=name)
        out.append(item.strip())
    return out


#: the parts of an OpenID Connect address claim, in the order a person reads them
_ADDRESS_PARTS: Final = ("street_address", "locality", "region", "country")


def address_claim(claims: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(address text, postal code) from ``address``: a string, or an OpenID Connect address
    object (``formatted``, else its parts joined; ``postal_code`` apart)."""
    value = claims.get("address")
    if value is None or isinstance(value, str):
        return text_claim(claims, "address", limit=300, multiline=True), None
    if not isinstance(value, Mapping):
        raise InputError("claim address must be a string or an address object", field="address")
    formatted = text_claim(value, "formatted", limit=300, multiline=True)
    parts = [text_claim(value, part, limit=300, multiline=True) for part in _ADDRESS_PARTS]
    text = formatted or ", ".join(part for part in parts if part) or None
    postal = text_claim(value, "postal_code", limit=20)
    return text, postal
