"""The staff navigation: each page's key, path (inside /admin) and the roles that see it."""

from __future__ import annotations

from kojin.web.admin import roles

#: (key under ``admin.nav``, path, roles that see the link)
ADMIN_NAV = (
    ("dashboard", "/", roles.DASHBOARD),
    ("requests", "/requests", roles.QUEUE_READ),
    ("outbox", "/outbox", roles.OUTBOX_READ),
)
