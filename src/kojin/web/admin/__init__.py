"""The staff pages under ``/admin``: sign-in, the dashboard, the request queue and workflow,
and the mail outbox. :func:`create_admin` builds the application."""

from kojin.web.admin.app import create_admin

__all__ = ["create_admin"]
