"""Server start: migrations, a policy check, and every policy change chained once."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.cli import app
from kojin.cli.serve import prepare_registry
from kojin.db.uow import Database
from kojin.registry.bootstrap import POLICY_RECORDED
from kojin.settings import Settings


def _policy_entries(settings: Settings) -> int:
    database = Database.from_settings(settings)
    try:
        with database.read() as session:
            assert verify_chain(session=session).ok
            query = select(func.count()).where(AuditEntry.action == POLICY_RECORDED)
            return int(session.execute(query).scalar_one())
    finally:
        database.dispose()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KOJIN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    return tmp_path / "home"


def test_an_unchanged_policy_is_not_chained_again(home: Path) -> None:
    settings = Settings()
    assert _policy_entries(settings) == 1  # recorded by kojin init
    prepare_registry(settings)
    assert _policy_entries(settings) == 1


def test_a_changed_policy_is_chained_once(home: Path, tmp_path: Path) -> None:
    default = resources.files("kojin.policy").joinpath("default.yaml").read_text(encoding="utf-8")
    changed = default.replace("2022-03-09", "2026-11-29", 1)
    assert changed != default
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(changed, encoding="utf-8")
    settings = Settings(policy_file=policy_file)
    prepare_registry(settings)
    prepare_registry(settings)
    assert _policy_entries(settings) == 2


def test_an_invalid_policy_stops_the_start(home: Path, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("organization: [\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        prepare_registry(Settings(policy_file=policy_file))
    assert stopped.value.code == 2
    assert _policy_entries(Settings()) == 1
