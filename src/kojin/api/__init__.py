"""kojin's REST API (FastAPI): one router per domain, one error shape, roles on every route."""

from __future__ import annotations

from kojin.api.app import create_app, create_app_from_env

__all__ = ["create_app", "create_app_from_env"]
