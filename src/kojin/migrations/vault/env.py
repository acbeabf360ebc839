"""Alembic environment of the My Number vault: runs online against the URL given by
:func:`kojin.db.migrate.upgrade_vault`, sees only the vault's ``mynumber_*`` tables and keeps
its revision in ``mynumber_alembic_version``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from kojin.db.engine import make_engine
from kojin.db.migrate import VAULT_VERSION_TABLE
from kojin.mynumber.models import VaultBase, include_vault_name

config = context.config
#: PostgreSQL advisory-lock key that serializes vault migrations ("kojinvlt" as an integer)
LOCK_KEY = int.from_bytes(b"kojinvlt", "big") & 0x7FFF_FFFF_FFFF_FFFF


def run_migrations_online() -> None:
    url = config.attributes.get("kojin_url")
    if not isinstance(url, str):
        raise RuntimeError("run vault migrations through kojin.db.migrate.upgrade_vault(url)")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=VaultBase.metadata,
                version_table=VAULT_VERSION_TABLE,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_vault_name,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("kojin runs its migrations online only")
run_migrations_online()
