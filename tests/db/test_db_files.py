"""SQLite registry files are their owner's only (0600, folder 0700), and the engine runs with
the configured ``PRAGMA synchronous``."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kojin.db.engine import make_engine, private_folder
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.settings import Settings

#: what SQLite's ``PRAGMA synchronous`` answers for each level
SYNCHRONOUS = {"NORMAL": 1, "FULL": 2}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The umask most systems run with: files 0644 and folders 0755 unless kojin says."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_registry_is_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "var"
    settings = Settings(home=home)
    database = Database.from_settings(settings)
    try:
        upgrade(settings.resolved_database_url(), engine=database.engine)
        with database.uow() as session:
            session.execute(text("SELECT 1"))
        with database.engine.connect() as conn:  # keep a connection: -wal and -shm stay
            conn.execute(text("SELECT count(*) FROM api_tokens"))
            files = sorted(p.name for p in home.iterdir())
            assert files == ["kojin.sqlite3", "kojin.sqlite3-shm", "kojin.sqlite3-wal"]
            for path in home.iterdir():
                assert _mode(path) == 0o600, path.name
    finally:
        database.dispose()
    assert _mode(home) == 0o700


def test_an_existing_registry_is_narrowed(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    path = folder / "kojin.sqlite3"
    upgrade(f"sqlite:///{path}")
    wal = path.with_name(path.name + "-wal")
    wal.touch()
    os.chmod(path, 0o644)
    os.chmod(wal, 0o664)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600
    assert _mode(wal) == 0o600
    assert _mode(folder) == 0o755  # a folder kojin did not create is left as it is


@pytest.mark.parametrize("level", ["FULL", "NORMAL"])
def test_the_engine_runs_with_the_configured_synchronous_level(
    tmp_path: Path, level: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_SQLITE_SYNCHRONOUS", level)
    database = Database.from_settings(Settings(home=tmp_path / "var"))
    try:
        for session_of in (database.uow, database.read):
            with session_of() as session:
                value = session.execute(text("PRAGMA synchronous")).scalar_one()
            assert value == SYNCHRONOUS[level]
    finally:
        database.dispose()


def test_full_is_the_default(tmp_path: Path) -> None:
    assert Settings(home=tmp_path).sqlite_synchronous == "FULL"
    engine = make_engine(f"sqlite:///{tmp_path / 'kojin.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar_one() == SYNCHRONOUS["FULL"]
    finally:
        engine.dispose()


def test_a_private_folder_is_created_with_private_parents(tmp_path: Path) -> None:
    """Every folder created on the way is its owner's only, not just the last one."""
    target = tmp_path / "home-keys" / "vault"
    assert private_folder(target) == target
    for folder in (target, target.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
