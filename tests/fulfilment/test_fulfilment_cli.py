"""``kojin request run`` and ``kojin datamap infer`` against the sample company, and the purge of
what jobs found once the request's holding period is over."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fulfilment_support import Fulfilment, request_in_review
from typer.testing import CliRunner

from company import Company, person
from kojin.cli import app
from kojin.datamap.load import load_datamap
from kojin.datamap.model import Identity
from kojin.db.base import utcnow
from kojin.fulfilment.job_schemas import JobState
from kojin.fulfilment.service import latest_job, purge_job_data, start_fulfilment
from kojin.policy import load_policy
from kojin.requests.models import DataRequest


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, fulfilment: Fulfilment) -> CliRunner:
    """The command line pointed at the test registry, the company's data map and stores."""
    settings = fulfilment.settings
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE", "KOJIN_STORE_URLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOJIN_HOME", str(settings.home))
    monkeypatch.setenv("KOJIN_KEYS_DIR", str(settings.resolved_keys_dir()))
    monkeypatch.setenv("KOJIN_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("KOJIN_DATAMAP_FILE", str(settings.datamap_file))
    for key in ("shop", "support"):
        url = settings.store_urls[key].get_secret_value()
        monkeypatch.setenv(f"KOJIN_STORE_{key.upper()}_URL", url)
    return CliRunner()


def test_request_run_starts_approves_and_applies_an_erasure(
    cli_env: CliRunner, fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    request_id = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="erasure", subject_id=subject_id
    )
    # without --approve the job stops at its preview
    first = cli_env.invoke(app, ["request", "run", request_id[:10], "--start"])
    assert first.exit_code == 0, first.output
    assert "awaiting_approval" in first.stdout
    done = cli_env.invoke(app, ["request", "run", request_id, "--approve"])
    assert done.exit_code == 0, done.output
    assert "done" in done.stdout
    with fulfilment.database.read() as session:
        job = latest_job(session=session, request_id=request_id)
    assert job is not None
    assert job.state is JobState.DONE
    assert job.rows_written == job.rows_planned > 0
    # nothing personal is printed: ids, kinds, states and counts only
    target = person(0)
    for shown in (first.output, done.output):
        assert target.email not in shown
        assert target.customer_number not in shown


def test_request_run_answers_bad_ids_in_one_line(cli_env: CliRunner) -> None:
    unknown = cli_env.invoke(app, ["request", "run", "0123456789abcdef"])
    assert unknown.exit_code != 0
    assert "request not found" in unknown.output
    assert "Traceback" not in unknown.output


def test_datamap_infer_drafts_a_map_that_finds_the_keys_and_identities(
    cli_env: CliRunner, company: Company, tmp_path: Path
) -> None:
    out = tmp_path / "draft.yaml"
    schema = [] if company.shop_schema is None else ["--schema", company.shop_schema]
    command = ["datamap", "infer", "--url", company.shop_url, *schema, "--out", str(out)]
    result = cli_env.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    draft = load_datamap(out)
    [system] = draft.systems
    collections = {c.name: c for d in system.datasets for c in d.collections}
    assert {"customers", "orders", "order_items", "payments"} <= set(collections)
    customers = collections["customers"]
    assert customers.primary_key == ("id",)
    email = customers.field("email")
    assert email is not None
    assert email.identity is Identity.EMAIL
    orders = collections["orders"]
    customer_id = orders.field("customer_id")
    assert customer_id is not None
    assert [(r.collection, r.field) for r in customer_id.references] == [("customers", "id")]


def test_the_purge_empties_what_jobs_found_after_the_holding_period(
    fulfilment: Fulfilment, company: Company, subject_id: str
) -> None:
    request_id = request_in_review(
        fulfilment.database, fulfilment.cipher, kind="disclosure", subject_id=subject_id
    )
    with fulfilment.database.uow() as session:
        job = start_fulfilment(
            session=session,
            cipher=fulfilment.cipher,
            settings=fulfilment.settings,
            request_id=request_id,
            actor="staff:hanako",
        )
    assert fulfilment.run(job.id).state is JobState.DONE
    policy = load_policy(None)
    holding = policy.general.inquiries.handling.document_holding_days
    closed = utcnow()
    with fulfilment.database.uow() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        row.state, row.closed_at = "completed", closed
    with fulfilment.database.uow() as session:
        early = closed + timedelta(days=holding - 1)
        assert purge_job_data(session, policy, early, "kojin:housekeeping") == 0
    with fulfilment.database.uow() as session:
        late = closed + timedelta(days=holding + 1)
        assert purge_job_data(session, policy, late, "kojin:housekeeping") == 1
    from kojin.fulfilment.service import job_result

    with fulfilment.database.read() as session:
        assert job_result(session=session, cipher=fulfilment.cipher, job_id=job.id) is None
