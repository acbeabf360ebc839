"""One web application (``/admin`` or ``/portal``): FastAPI with HTML pages and guards.

:func:`new_web_app` builds the application both areas start from. Its middleware, outermost
first: the access-log route naming, the security headers, the language, the body limits; its
error handlers answer HTML pages; and `csrf` is a dependency of every route, so no form can be
posted without a valid token (:mod:`kojin.web.csrf`). It has no OpenAPI document: the pages are
not part of the API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.params import Depends as DependsParam

from kojin.api.state import STATE_ATTRIBUTE
from kojin.web.body_limits import WebBodyLimitMiddleware
from kojin.web.context import CONTEXT_ATTRIBUTE, WebContext
from kojin.web.csrf import csrf_protect
from kojin.web.errors import install_error_pages
from kojin.web.headers import MountedRouteMiddleware, SecurityHeadersMiddleware
from kojin.web.language import LanguageMiddleware


def new_web_app(
    context: WebContext,
    *,
    csrf: Callable[..., Any] = csrf_protect,
    dependencies: Sequence[DependsParam] = (),
) -> FastAPI:
    """A web application for `context`, its routes guarded by `csrf` (the double submit by
    default; ``/admin`` passes its session-bound check) and `dependencies`."""
    app = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(csrf), *dependencies],
    )
    setattr(app.state, STATE_ATTRIBUTE, context.state)  # kojin.api.state.app_state works here
    setattr(app.state, CONTEXT_ATTRIBUTE, context)
    install_error_pages(app)
    settings = context.state.settings
    app.add_middleware(WebBodyLimitMiddleware, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(LanguageMiddleware, secure_cookies=context.site.secure_cookies)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MountedRouteMiddleware, prefix=context.prefix)
    return app
