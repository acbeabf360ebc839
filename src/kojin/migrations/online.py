"""What both migration environments run (the registry's ``env.py`` and the vault's): online
migrations against the URL :mod:`kojin.db.migrate` passes, serialized on PostgreSQL by an
advisory lock taken before the version is read."""

from __future__ import annotations

from collections.abc import Callable

from alembic import context
from sqlalchemy import MetaData, text

from kojin.db.engine import make_engine

IncludeName = Callable[[str | None, str, object], bool]


def advisory_lock_key(name: bytes) -> int:
    """A PostgreSQL advisory-lock key from eight bytes of `name`."""
    return int.from_bytes(name[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def run_online(
    *,
    target_metadata: MetaData,
    include_name: IncludeName,
    lock_key: int,
    version_table: str = "alembic_version",
) -> None:
    """Run the environment's migrations on the URL given in the Alembic configuration."""
    if context.is_offline_mode():
        raise RuntimeError("kojin runs its migrations online only")
    url = context.config.attributes.get("kojin_url")
    if not isinstance(url, str):
        raise RuntimeError("run migrations through kojin.db.migrate")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                version_table=version_table,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_name,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Concurrent upgrades queue here; the version is read after the lock.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key}
                    )
                context.run_migrations()
    finally:
        engine.dispose()
