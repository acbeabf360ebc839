"""What the web pages share: the API's state, the templates, the CSRF key and the rate limiter.

One :class:`WebSite` per process (built by :func:`kojin.web.site.create_site`), and one
:class:`WebContext` per web application mounted in it (``/admin``, ``/portal``), reachable from
any request of that application through :func:`web_context`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jinja2 import Environment
from starlette.requests import HTTPConnection

from kojin.api.state import AppState
from kojin.errors import ConfigurationError
from kojin.ratelimit import RateLimiter

Area = Literal["admin", "portal"]

#: attribute of a web application's ``state`` holding its :class:`WebContext`
CONTEXT_ATTRIBUTE = "kojin_web"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class WebSite:
    """One per process: built once, shared by the web applications."""

    state: AppState
    templates: Environment
    #: the clock the pages read (tests replace it)
    now: Callable[[], datetime] = _utc_now
    _limiter: RateLimiter | None = field(default=None, repr=False)
    _csrf_key: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def limiter(self) -> RateLimiter:
        """The rate limiter (Redis when ``KOJIN_REDIS_URL`` is set, else in memory), built on
        first use."""
        with self._lock:
            if self._limiter is None:
                self._limiter = RateLimiter.from_settings(self.state.settings)
            return self._limiter

    def use_limiter(self, limiter: RateLimiter) -> None:
        """Use `limiter` from now on (tests, or a limiter shared with other applications)."""
        with self._lock:
            self._limiter = limiter

    def csrf_key(self) -> bytes:
        """The key that signs the portal's CSRF cookies: derived (HKDF) from the keyring's
        blind-index key, which never rotates, so every worker and restart derives the same."""
        if self._csrf_key is None:
            index_key = self.state.cipher().keyring.index_key
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"kojin web csrf")
            self._csrf_key = hkdf.derive(index_key)
        return self._csrf_key

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` when people reach kojin over https."""
        return self.state.settings.public_url.lower().startswith("https://")


@dataclass(frozen=True, slots=True)
class WebContext:
    """One web application: its area (which templates and messages) and the site."""

    site: WebSite
    area: Area
    #: where the application is mounted, e.g. ``/admin``
    prefix: str

    @property
    def state(self) -> AppState:
        return self.site.state


def web_context(connection: HTTPConnection) -> WebContext:
    """The :class:`WebContext` of the web application serving `connection`."""
    return context_of(connection.app)


def context_of(app: Any) -> WebContext:
    found = getattr(app.state, CONTEXT_ATTRIBUTE, None)
    if not isinstance(found, WebContext):
        raise ConfigurationError("this application was not built by kojin.web")
    return found
