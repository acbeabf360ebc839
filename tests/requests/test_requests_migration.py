"""The request tables: the migration builds exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from kojin.db.base import Base
from kojin.db.engine import make_engine
from kojin.migrations.metadata import include_name
from kojin.requests import models  # noqa: F401 - registers the request tables

TABLES = {"data_requests", "request_documents", "request_events", "request_verification_codes"}


def test_migration_matches_the_request_models(db_url: str) -> None:
    assert set(Base.metadata.tables) >= TABLES
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) >= TABLES
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
