"""The vault's own migrations: only ``mynumber_*`` tables, their own version table, beside the
registry's in one database or alone in another."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from kojin.db.engine import make_engine
from kojin.db.migrate import (
    VAULT,
    VAULT_HEAD_REVISION,
    VAULT_VERSION_TABLE,
    current_revision,
    head_revision,
    upgrade_vault,
)
from kojin.migrations.metadata import include_name
from kojin.mynumber.models import TABLE_PREFIX, VaultBase, include_vault_name


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": include_vault_name,
                    "version_table": VAULT_VERSION_TABLE,
                },
            )
            return list(compare_metadata(context, VaultBase.metadata))
    finally:
        engine.dispose()


def test_the_vault_migrations_match_its_models(db_url: str) -> None:
    assert _differences(db_url) == []
    assert current_revision(db_url, version_table=VAULT_VERSION_TABLE) == VAULT_HEAD_REVISION


def test_the_head_constant_is_alembics_head() -> None:
    assert head_revision(VAULT) == VAULT_HEAD_REVISION


def test_a_database_of_its_own_holds_the_vault_tables_only(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'vault' / 'vault.sqlite3').as_posix()}"
    assert upgrade_vault(url) == VAULT_HEAD_REVISION
    assert upgrade_vault(url) == VAULT_HEAD_REVISION  # at head: nothing to do
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables == {*VaultBase.metadata.tables, VAULT_VERSION_TABLE}
    assert all(name.startswith(TABLE_PREFIX) for name in tables)
    assert current_revision(url) is None  # the registry's version table is not there
    assert _differences(url) == []


def test_each_environment_leaves_the_others_tables_alone() -> None:
    assert not include_name("mynumber_records", "table", None)
    assert not include_name(VAULT_VERSION_TABLE, "table", None)
    assert include_name("subjects", "table", None)
    assert include_vault_name("mynumber_records", "table", None)
    assert not include_vault_name("subjects", "table", None)
