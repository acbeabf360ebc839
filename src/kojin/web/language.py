"""The language of each web request, and the ``?lang=`` switch that the cookie remembers."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kojin.policy.model_base import Lang
from kojin.web.i18n import LANG_COOKIE, LANG_PARAM, LANGS, LANGUAGE_NAMES, as_lang, negotiate

#: key under ``scope["state"]`` holding the request's language once chosen
LANG_STATE_KEY = "kojin_lang"
#: the switch is remembered for a year
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header: as if there were none
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def asked_language(scope: Scope) -> Lang | None:
    """The language named by ``?lang=``, if a valid one."""
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == LANG_PARAM:
            return as_lang(value)
    return None


def scope_language(scope: Scope) -> Lang:
    """The language of the request `scope` (chosen once, then kept in its state)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    chosen = as_lang(state.get(LANG_STATE_KEY))
    if chosen is None:
        chosen = negotiate(
            asked=asked_language(scope),
            remembered=_cookie(scope, LANG_COOKIE),
            accept_language=_header(scope, b"accept-language"),
        )
        state[LANG_STATE_KEY] = chosen
    return chosen


def request_language(connection: HTTPConnection) -> Lang:
    return scope_language(connection.scope)


def switch_links(path: str, query_string: str, current: Lang) -> list[dict[str, Any]]:
    """One link per language to the same page (`path`, its other query values kept)."""
    kept = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k != LANG_PARAM]
    return [
        {
            "lang": lang,
            "name": LANGUAGE_NAMES[lang],
            "href": f"{path}?{urlencode([*kept, (LANG_PARAM, lang)])}",
            "current": lang == current,
        }
        for lang in LANGS
    ]


def lang_cookie_header(lang: Lang, *, secure: bool) -> str:
    parts = [
        f"{LANG_COOKIE}={lang}",
        "Path=/",
        f"Max-Age={LANG_COOKIE_MAX_AGE}",
        "HttpOnly",
        "SameSite=Lax",
    ]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


class LanguageMiddleware:
    """Chooses the request's language first thing, and remembers a ``?lang=`` switch in the
    ``kojin_lang`` cookie."""

    def __init__(self, app: ASGIApp, *, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = scope_language(scope)
        asked = asked_language(scope)
        if asked is None or asked == as_lang(_cookie(scope, LANG_COOKIE)):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", lang_cookie_header(lang, secure=self.secure_cookies))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
