"""The ``/admin`` application: every route behind a staff session (except the sign-in form),
every form bound to the session's CSRF token."""

from __future__ import annotations

from fastapi import FastAPI

from kojin.web.admin import (
    audits_pages,
    audits_view,
    dashboard,
    files,
    fulfilment,
    incidents_drafts,
    incidents_list,
    incidents_people,
    incidents_view,
    login,
    mynumber_filing,
    mynumber_handlers,
    mynumber_new,
    mynumber_records,
    mynumber_schedule,
    obligations,
    outbox,
    queue,
    recipients_pages,
    requests,
    reviews,
    risks,
    training,
)
from kojin.web.admin.nav import ADMIN_NAV
from kojin.web.apps import new_web_app
from kojin.web.context import WebContext
from kojin.web.staff_auth import admin_csrf, install_sign_in_redirect


def create_admin(context: WebContext) -> FastAPI:
    app = new_web_app(context, csrf=admin_csrf)
    install_sign_in_redirect(app)
    context.site.templates.globals["admin_nav"] = ADMIN_NAV
    modules = (login, dashboard, queue, requests, fulfilment, files, outbox)
    # the registration form's path must come before the record's
    mynumber = (
        mynumber_new,
        mynumber_records,
        mynumber_schedule,
        mynumber_filing,
        mynumber_handlers,
    )
    # the new incident's form must come before the incident's page
    incidents = (incidents_list, incidents_view, incidents_people, incidents_drafts)
    # the new assessment's form must come before the assessment's page
    management = (risks, training, reviews)
    for module in (*modules, *mynumber, *incidents, *management):
        app.include_router(module.router)
    # the new audit's form must come before the audit's page
    for module in (audits_pages, audits_view):
        app.include_router(module.router)
    app.include_router(recipients_pages.router)  # its /recipients/new before /recipients/{id}
    app.include_router(obligations.router)
    return app
