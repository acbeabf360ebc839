"""Alembic environment: runs online against the URL given by :func:`kojin.db.migrate.upgrade`."""

from __future__ import annotations

from kojin.migrations.metadata import include_name, metadata
from kojin.migrations.online import advisory_lock_key, run_online

#: PostgreSQL advisory-lock key that serializes kojin migrations ("kojinmig" as an integer)
LOCK_KEY = advisory_lock_key(b"kojinmig")

run_online(target_metadata=metadata, include_name=include_name, lock_key=LOCK_KEY)
