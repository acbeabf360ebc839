"""The whole site: the API (:func:`kojin.api.create_app`) with the web pages mounted on it.

- ``/admin``: the staff pages (:mod:`kojin.web.admin`);
- ``/portal``: the people's pages (:mod:`kojin.web.portal`, its ``router``);
- ``/static``: the stylesheet and other files of ``kojin/web/static``, cached for a year (their
  URLs carry a digest of their content);
- ``/``: a redirect to ``/portal/``.

Each web application is its own FastAPI app with HTML error pages, sharing the API's state
(settings, database, policy): see :mod:`kojin.web.apps`. ``kojin serve`` and ``kojin run`` run
:func:`create_site_from_env` in every worker.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kojin.api.app import create_app
from kojin.api.state import state_of
from kojin.db.uow import Database
from kojin.errors import ConfigurationError
from kojin.settings import Settings, get_settings
from kojin.web.apps import new_web_app
from kojin.web.context import WebContext, WebSite
from kojin.web.headers import MountedRouteMiddleware, SecurityHeadersMiddleware
from kojin.web.templating import STATIC_DIR, build_environment

ADMIN_PREFIX = "/admin"
PORTAL_PREFIX = "/portal"
STATIC_PREFIX = "/static"
STATIC_CACHE = "public, max-age=31536000, immutable"
SITE_ATTRIBUTE = "kojin_site"


class CachedStaticFiles(StaticFiles):
    """Static files with a year's cache: every URL kojin writes names the file's digest."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers["cache-control"] = STATIC_CACHE
        return response


async def _home(request: Request) -> Response:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return RedirectResponse(f"{root}{PORTAL_PREFIX}/", status_code=303)


def build_admin(site: WebSite) -> FastAPI:
    from kojin.web.admin import create_admin

    return create_admin(WebContext(site=site, area="admin", prefix=ADMIN_PREFIX))


def build_portal(site: WebSite) -> FastAPI:
    from kojin.web.portal import router

    portal = new_web_app(WebContext(site=site, area="portal", prefix=PORTAL_PREFIX))
    portal.include_router(router)
    return portal


def static_app() -> MountedRouteMiddleware:
    files = CachedStaticFiles(directory=STATIC_DIR, follow_symlink=False)
    return MountedRouteMiddleware(SecurityHeadersMiddleware(files), prefix=STATIC_PREFIX)


def create_site(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    freeze_heap: bool = False,
) -> FastAPI:
    """The API and the web pages for `settings` (see the module docstring)."""
    app = create_app(settings, database=database, freeze_heap=freeze_heap)
    site = WebSite(state=state_of(app), templates=build_environment())
    setattr(app.state, SITE_ATTRIBUTE, site)
    app.router.routes.extend(
        [
            Route("/", _home, methods=["GET", "HEAD"], include_in_schema=False),
            Mount(ADMIN_PREFIX, app=build_admin(site)),
            Mount(PORTAL_PREFIX, app=build_portal(site)),
            Mount(STATIC_PREFIX, app=static_app()),
        ]
    )
    return app


def site_of(app: FastAPI) -> WebSite:
    """The :class:`WebSite` :func:`create_site` attached to `app`."""
    site = getattr(app.state, SITE_ATTRIBUTE, None)
    if not isinstance(site, WebSite):
        raise ConfigurationError("this application was not built by kojin.web.create_site")
    return site


def create_site_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (``kojin serve``, ``kojin run``): each worker process
    builds its own site and engine."""
    return create_site(get_settings(), freeze_heap=True)
