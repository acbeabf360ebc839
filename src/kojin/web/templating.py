"""Jinja2 for the pages: autoescaped templates, the translator, dates, and :func:`render`.

Templates live in ``templates/`` (``base.html``, ``macros/forms.html``, ``errors/``, then one
folder per area). Every page extends ``base.html`` and receives, besides its own values:

``lang``, ``t(key, **values)`` (the message in the page's language), ``has_t(key)``,
``url(path)`` (a path in the page's own application, mount and proxy prefix included),
``static_url(name)``,
``csrf_token()`` (the token the page's forms carry), ``lang_links`` (the language switch),
``area`` and ``staff`` (the signed-in staff session on ``/admin``, else None). The filters
``date`` and ``datetime`` write a date or a moment in Asia/Tokyo in the page's language.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kojin.web import csrf
from kojin.web.context import web_context
from kojin.web.i18n import catalog, format_date, format_datetime, format_short_date
from kojin.web.language import request_language, switch_links

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
#: key under ``scope["state"]`` where the staff dependency leaves the signed-in session
STAFF_STATE_KEY = "kojin_staff"


@pass_context
def _date_filter(context: Context, value: date | datetime | None) -> str:
    return "" if value is None else format_date(value, context["lang"])


@pass_context
def _short_date_filter(context: Context, value: date | datetime | None) -> str:
    return "" if value is None else format_short_date(value, context["lang"])


@pass_context
def _datetime_filter(context: Context, value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, context["lang"])


@functools.cache
def static_version(name: str) -> str:
    """A digest of the static file `name`: its URL changes whenever its content does, so it may
    be cached for a year."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def build_environment(folder: Path = TEMPLATES_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["date"] = _date_filter
    env.filters["short_date"] = _short_date_filter
    env.filters["datetime"] = _datetime_filter
    return env


def page_context(request: Request, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What every template receives, then `values`."""
    context = web_context(request)
    lang = request_language(request)
    messages = catalog()
    root = str(request.scope.get("root_path", "")).rstrip("/")
    app_root = str(request.scope.get("app_root_path", "")).rstrip("/")

    def t(key: str, /, **kw: Any) -> str:
        return messages.text(lang, key, **kw)

    def url(path: str = "/") -> str:
        return root + path

    def static_url(name: str) -> str:
        return f"{app_root}/static/{name}?v={static_version(name)}"

    def csrf_token() -> str:
        return csrf.form_token(request)

    base = {
        "request": request,
        "lang": lang,
        "t": t,
        "has_t": messages.has,
        "url": url,
        "static_url": static_url,
        "csrf_token": csrf_token,
        "csrf_field": csrf.CSRF_FIELD,
        "area": context.area,
        "staff": request.scope.get("state", {}).get(STAFF_STATE_KEY),
        "switch_path": request.url.path,
        "switch_query": request.url.query,
    }
    base.update(values or {})
    base["lang_links"] = switch_links(base["switch_path"], base["switch_query"], lang)
    return base


def translate(request: Request, key: str, /, **values: Any) -> str:
    """The message `key` in the language of `request` (for values computed before rendering,
    such as a form's error messages)."""
    return catalog().text(request_language(request), key, **values)


def render(
    request: Request,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page `template` for `request`. Pass ``switch_path`` (and ``switch_query``) in
    `values` when the language switch must lead to another address than the request's own
    (a page answering a POST)."""
    env = web_context(request).site.templates
    body = env.get_template(template).render(page_context(request, values))
    response = HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))
    csrf.attach_cookie(request, response)
    return response
