"""Carrying a new request's reference from the submission to the code page, outside any URL.

After a submission the browser is sent (303) to ``GET /portal/requests/verify``, so that a
reload does not post the form again. The reference must not travel in that address (addresses
reach access logs, history and bookmarks), so it travels in a cookie:

- sealed with AES-GCM under a key derived (HKDF) from the keyring's blind-index key, so the
  value is unreadable and unforgeable outside kojin (and every worker derives the same key);
- HttpOnly, SameSite=Strict, ``Secure`` on https, Path limited to ``/portal/requests``;
- short-lived: it opens for :data:`LIFETIME` (the code mailed with it lasts 15 minutes), the
  expiry sealed inside the value as well as set on the cookie, and it is deleted as soon as
  the code is accepted.

While it lives, the code page shows the reference (and the language switch or a reload shows
it again); afterwards only the e-mail and what the person wrote down hold it.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response

from kojin.web.context import web_context
from kojin.web.portal.common import root

COOKIE = "kojin_portal_reference"
LIFETIME = timedelta(minutes=30)
_INFO = b"kojin portal reference cookie"
_AAD = b"kojin-portal-reference:v1"
_NONCE = 12
_LONGEST = 512


def _key(request: Request) -> bytes:
    index_key = web_context(request).state.cipher().keyring.index_key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(index_key)


def _path(request: Request) -> str:
    return f"{root(request)}/requests"


def seal(request: Request, reference: str, now: datetime) -> str:
    expires = int((now + LIFETIME).timestamp())
    plain = json.dumps({"r": reference, "e": expires}, separators=(",", ":")).encode()
    nonce = secrets.token_bytes(_NONCE)
    sealed = AESGCM(_key(request)).encrypt(nonce, plain, _AAD)
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")


def unseal(request: Request, value: str, now: datetime) -> str | None:
    """The reference `value` carries, or None when it is not kojin's, altered or expired."""
    if not value or len(value) > _LONGEST:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        plain = AESGCM(_key(request)).decrypt(raw[:_NONCE], raw[_NONCE:], _AAD)
        data = json.loads(plain)
    except (ValueError, binascii.Error, InvalidTag):
        return None
    if not isinstance(data, dict):
        return None
    reference, expires = data.get("r"), data.get("e")
    if not isinstance(reference, str) or not isinstance(expires, int):
        return None
    return reference if now.timestamp() < expires else None


def remember(request: Request, response: Response, reference: str) -> None:
    now = web_context(request).site.now()
    response.set_cookie(
        COOKIE,
        seal(request, reference, now),
        max_age=int(LIFETIME.total_seconds()),
        path=_path(request),
        httponly=True,
        samesite="strict",
        secure=web_context(request).site.secure_cookies,
    )


def recall(request: Request) -> str | None:
    """The reference of the request this browser just submitted, while the cookie lives."""
    value = request.cookies.get(COOKIE)
    if value is None:
        return None
    return unseal(request, value, web_context(request).site.now())


def forget(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE,
        path=_path(request),
        httponly=True,
        samesite="strict",
        secure=web_context(request).site.secure_cookies,
    )
