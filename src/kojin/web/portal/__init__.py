"""The people's pages under ``/portal``: :data:`router` holds their routes (paths relative to
the mount), which :func:`kojin.web.site.create_site` includes in an application built by
:func:`kojin.web.apps.new_web_app` (HTML error pages, CSRF on every form, body limits).

- ``/``: what a person can ask (:mod:`.home`);
- ``/requests/new/{kind}``, ``/requests``: the request form (:mod:`.new_request`);
- ``/requests/verify``, ``/requests/resend``, ``/requests/received``: the e-mail code
  (:mod:`.verify`);
- ``/status`` and ``/status/*``: where a request stands, its downloads and more documents
  (:mod:`.status`).
"""

from fastapi import APIRouter

from kojin.web.portal import home, new_request, status, verify

router = APIRouter()
for _module in (home, new_request, verify, status):
    router.include_router(_module.router)
