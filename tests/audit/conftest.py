"""Audit fixtures: a kojin home whose CLI runs against the per-test registry."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def bare_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """KOJIN_HOME for the CLI (keys in ``<home>-keys``); the test names the database."""
    path = tmp_path / "home"
    monkeypatch.setenv("KOJIN_HOME", str(path))
    for name in ("KOJIN_KEYS_DIR", "KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE", "KOJIN_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture
def home(bare_home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """KOJIN_HOME for the CLI, over the registry at `db_url` (SQLite and PostgreSQL)."""
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    return bare_home
