"""The people's pages under ``/portal``: :data:`router` holds their routes (paths relative to
the mount), which :func:`kojin.web.site.create_site` includes in an application built by
:func:`kojin.web.apps.new_web_app` (HTML error pages, CSRF on every form, body limits)."""

from fastapi import APIRouter

router = APIRouter()
