"""Alembic environment: runs online against the URL given by :func:`kojin.db.migrate.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from kojin.db.engine import make_engine
from kojin.migrations.metadata import include_name, metadata

config = context.config
#: PostgreSQL advisory-lock key that serializes kojin migrations ("kojinmig" as an integer)
LOCK_KEY = int.from_bytes(b"kojinmig", "big") & 0x7FFF_FFFF_FFFF_FFFF


def run_migrations_online() -> None:
    url = config.attributes.get("kojin_url")
    if not isinstance(url, str):
        raise RuntimeError("run migrations through kojin.db.migrate.upgrade(url)")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_name,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Concurrent upgrades queue here; the version is read after the lock.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("kojin runs its migrations online only")
run_migrations_online()
