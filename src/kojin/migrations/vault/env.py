"""Alembic environment of the My Number vault: runs online against the URL given by
:func:`kojin.db.migrate.upgrade_vault`, sees only the vault's ``mynumber_*`` tables and keeps
its revision in ``mynumber_alembic_version``."""

from __future__ import annotations

from kojin.db.migrate import VAULT_VERSION_TABLE
from kojin.migrations.online import advisory_lock_key, run_online
from kojin.mynumber.models import VaultBase, include_vault_name

#: PostgreSQL advisory-lock key that serializes vault migrations ("kojinvlt" as an integer)
LOCK_KEY = advisory_lock_key(b"kojinvlt")

run_online(
    target_metadata=VaultBase.metadata,
    include_name=include_vault_name,
    lock_key=LOCK_KEY,
    version_table=VAULT_VERSION_TABLE,
)
