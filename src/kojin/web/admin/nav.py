"""The staff navigation: each page's key, path (inside /admin) and the roles that see it."""

from __future__ import annotations

from kojin.web.admin import roles

#: (key under ``admin.nav``, path, roles that see the link)
ADMIN_NAV = (
    ("dashboard", "/", roles.HOME),
    ("requests", "/requests", roles.QUEUE_READ),
    ("incidents", "/incidents", roles.INCIDENTS_READ),
    ("audits", "/audits", roles.AUDITS_READ),
    ("recipients", "/recipients", roles.RECIPIENTS_READ),
    ("obligations", "/obligations", roles.OBLIGATIONS_READ),
    ("outbox", "/outbox", roles.OUTBOX_READ),
    ("mynumber", "/mynumber", roles.MYNUMBER_READ),
    ("management", "/risks", roles.MANAGEMENT_READ),
    ("reviews", "/reviews", roles.MANAGEMENT_READ),
)

#: the links between the My Number pages (key under ``mynumber.nav``, path, roles that see it)
MYNUMBER_NAV = (
    ("records", "/mynumber", roles.MYNUMBER_READ),
    ("new", "/mynumber/records/new", roles.MYNUMBER_HANDLE),
    ("schedule", "/mynumber/schedule", roles.MYNUMBER_READ),
    ("status", "/mynumber/status", roles.MYNUMBER_READ),
    ("export", "/mynumber/export", roles.MYNUMBER_READ),
    ("handlers", "/mynumber/handlers", roles.MYNUMBER_DESIGNATIONS_READ),
)

#: the links between the incident pages (key under ``incidents.nav``, path, roles that see it)
INCIDENTS_NAV = (
    ("open", "/incidents", roles.INCIDENTS_READ),
    ("closed", "/incidents?status=closed", roles.INCIDENTS_READ),
    ("new", "/incidents/new", roles.INCIDENTS_ACT),
)
