"""``kojin worker`` through Typer, and :func:`kojin.cli.worker.run_request_job` (the foreground
run behind ``kojin request run ID``) with its progress bar, on the embedded SQLite registry."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from jobs_support import PERSON, PERSON_ROWS, ErasureHandlers, erasure_job, new_request, read_job
from rich.console import Console
from sqlalchemy import update
from typer.testing import CliRunner

from kojin.cli import output as cli_output
from kojin.cli import worker as worker_cli
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.base import utcnow
from kojin.db.uow import Database
from kojin.errors import NotFoundError
from kojin.fulfilment.job_schemas import JobState
from kojin.fulfilment.models import FulfilmentJob
from kojin.settings import Settings


@pytest.fixture
def registry(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stores: Path
) -> Iterator[tuple[Settings, Database, FieldCipher]]:
    home = tmp_path / "home"
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE", "KOJIN_KEYS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("JOBS_TEST_STORES", str(stores))
    settings = Settings(home=home, database_url=sqlite_url)
    Keyring.generate(path=keyring_path(settings)).save()
    database = Database.from_url(sqlite_url)
    yield settings, database, FieldCipher(Keyring.read(keyring_path(settings)))
    database.dispose()


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    worker_cli.register(app)

    @app.command("noop")
    def noop() -> None:  # a second command, so that Typer keeps "worker" as a subcommand
        """Nothing."""

    return app


def test_worker_once_runs_the_waiting_jobs(
    registry: tuple[Settings, Database, FieldCipher],
    cli: typer.Typer,
    monkeypatch: pytest.MonkeyPatch,
    stores: Path,
) -> None:
    _settings, database, cipher = registry
    monkeypatch.setattr(worker_cli, "HANDLERS_FACTORY", "jobs_worker_proc:build_handlers")
    job = erasure_job(database, cipher, new_request(database, cipher))
    result = CliRunner().invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "ended after 1 job run(s)" in result.output
    done = read_job(database, job.id)
    assert done.state is JobState.DONE
    assert done.rows_written == sum(PERSON_ROWS.values())
    assert PERSON not in result.output


def test_worker_refuses_bad_options_and_missing_handlers(
    registry: tuple[Settings, Database, FieldCipher],
    cli: typer.Typer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = CliRunner().invoke(cli, ["worker", "--once", "--concurrency", "0"])
    assert bad.exit_code == 2
    assert "--concurrency must be at least 1" in bad.output
    monkeypatch.setattr(worker_cli, "HANDLERS_FACTORY", "kojin_no_such_module:build")
    missing = CliRunner().invoke(cli, ["worker", "--once"])
    assert missing.exit_code == 1
    assert "no fulfilment handlers: kojin_no_such_module is missing" in missing.output


def test_run_request_job_draws_progress_and_returns_the_job(
    registry: tuple[Settings, Database, FieldCipher],
    monkeypatch: pytest.MonkeyPatch,
    stores: Path,
) -> None:
    settings, database, cipher = registry
    request_id = new_request(database, cipher)
    with pytest.raises(NotFoundError, match="no fulfilment job"):
        worker_cli.run_request_job(
            settings=settings, request_id=request_id, handlers=ErasureHandlers(stores).handlers()
        )
    job = erasure_job(database, cipher, request_id)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160)
    monkeypatch.setattr(cli_output, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(worker_cli, "stderr_console", lambda: console)
    done = worker_cli.run_request_job(
        settings=settings, request_id=request_id, handlers=ErasureHandlers(stores).handlers()
    )
    assert done.id == job.id
    assert done.state is JobState.DONE
    drawn = screen.getvalue()
    assert "tasks 4/4" in drawn
    assert "rows written 6" in drawn
    assert PERSON not in drawn
    assert worker_cli.job_summary(done) == (
        f"job {job.id} (erasure): done, stage erase, tasks 4/4, rows written 6"
    )


def test_run_request_job_follows_a_job_another_worker_holds(
    registry: tuple[Settings, Database, FieldCipher], stores: Path
) -> None:
    settings, database, cipher = registry
    request_id = new_request(database, cipher)
    job = erasure_job(database, cipher, request_id)
    with database.uow() as session:  # another worker has it, and stops renewing its lease
        session.execute(
            update(FulfilmentJob)
            .where(FulfilmentJob.id == job.id)
            .values(
                state="running",
                lease_owner="elsewhere:7#1",
                lease_until=utcnow() + timedelta(seconds=1),
            )
        )
    done = worker_cli.run_request_job(
        settings=settings, request_id=request_id, handlers=ErasureHandlers(stores).handlers()
    )
    assert done.state is JobState.DONE
