"""``kojin requests``: the data-subject request queue for scripts, and the scheduled purge.
Thin: parse, call a service, render. Nothing printed is personal: ids, kinds, states, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.output import cli_actor, cli_errors, load_settings, write_json_line
from kojin.cli.registry_db import registry_database
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.requests.schemas import QueueRow

requests_app = typer.Typer(help="Data-subject requests.", no_args_is_help=True)


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("--now is not an ISO 8601 date or time", field="now") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("--today is not an ISO date (YYYY-MM-DD)", field="today") from None


def _cell(value: object) -> str:
    return "-" if value is None else str(value)


def _line(row: QueueRow) -> str:
    received = None if row.received_at is None else f"{row.received_at:%Y-%m-%dT%H:%MZ}"
    days = None if row.days_left is None else f"{row.days_left}{' overdue' if row.overdue else ''}"
    return (
        f"{row.short_id:<11} {row.kind.value:<21} {row.state.value:<19} "
        f"{_cell(received):<18} {_cell(row.due_on):<11} {_cell(days)}"
    )


@requests_app.command("list")
def requests_list(
    open_only: Annotated[
        bool,
        typer.Option(
            "--open/--all",
            help="Only requests that arrived and are not closed (default), or every request "
            "whose e-mail was verified.",
        ),
    ] = True,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
    today: Annotated[
        str | None,
        typer.Option("--today", help="Count the days left as of this ISO date; default: today."),
    ] = None,
) -> None:
    """List the request queue, the earliest due first: short id, kind, state, received, due
    date, business days left. Never a name, an address or what the person wrote."""
    from kojin.policy import load_policy
    from kojin.requests.clock import tokyo_date
    from kojin.requests.schemas import QueueFilter
    from kojin.requests.service import list_queue

    with cli_errors():
        day = _parse_today(today) or tokyo_date(datetime.now(UTC))
        policy = load_policy(load_settings().policy_file)
        with registry_database() as database, database.read() as session:
            rows = list_queue(
                session=session,
                filters=QueueFilter(open_only=open_only),
                policy=policy,
                today=day,
            )
    if json_lines:
        for row in rows:
            write_json_line(row.model_dump(mode="json"))
        return
    typer.echo(
        f"{'request':<11} {'kind':<21} {'state':<19} {'received (UTC)':<18} {'due':<11} days left"
    )
    for row in rows:
        typer.echo(_line(row))
    typer.echo(f"{len(rows)} request(s) as of {day.isoformat()}")


@requests_app.command("purge")
def requests_purge(
    now: Annotated[
        str | None, typer.Option("--now", help="Purge as of this ISO time (UTC if no zone).")
    ] = None,
) -> None:
    """Purge what is past its time: request documents and inquiry data after the policy's
    holding periods, mail outbox messages after 30 days, ended staff sessions."""
    from kojin.fulfilment.service import purge_job_data
    from kojin.policy import load_policy
    from kojin.requests.housekeeping import run_housekeeping

    with cli_errors():
        moment = _parse_now(now)
        policy = load_policy(load_settings().policy_file)
        with registry_database() as database, database.uow() as session:
            report = run_housekeeping(
                session=session,
                policy=policy,
                now=moment,
                actor=cli_actor(),
                more=(purge_job_data,),
            )
    typer.echo(f"purged as of {moment.isoformat()}:")
    typer.echo(f"  {report.requests_purged} request document(s) or request record(s)")
    typer.echo(f"  {report.outbox_purged} outbox message(s)")
    typer.echo(f"  {report.sessions_purged} staff session(s)")
    typer.echo(f"  {report.jobs_purged} fulfilment job(s) with rows found in the stores")


def requests_run(
    request_id: Annotated[str, typer.Argument(help="The request's id (or its first 8+ digits).")],
    start: Annotated[
        bool,
        typer.Option("--start", help="Create the fulfilment job first (the request is in review)."),
    ] = False,
    approve: Annotated[
        bool,
        typer.Option(
            "--approve", help="Approve the job's preview (erasure, correction) and apply it."
        ),
    ] = False,
) -> None:
    """Run the request's fulfilment job here with a progress bar: find the person's rows in
    the data map's stores and export, erase or correct them; exit 1 if the job failed."""
    from kojin.cli.worker import job_summary, load_handlers, run_request_job
    from kojin.fulfilment.job_schemas import JobState
    from kojin.fulfilment.service import prepare_cli_run

    with cli_errors():
        settings = load_settings()
        with registry_database() as database, database.uow() as session:
            full_id = prepare_cli_run(
                session=session,
                settings=settings,
                request_id=request_id,
                actor=cli_actor(),
                start=start,
                approve=approve,
            )
        handlers = load_handlers(settings)
        job = run_request_job(settings=settings, request_id=full_id, handlers=handlers)
        if approve and job.state is JobState.AWAITING_APPROVAL:
            with registry_database() as database, database.uow() as session:
                prepare_cli_run(
                    session=session,
                    settings=settings,
                    request_id=full_id,
                    actor=cli_actor(),
                    start=False,
                    approve=True,
                )
            job = run_request_job(settings=settings, request_id=full_id, handlers=handlers)
    typer.echo(job_summary(job))
    if job.state is JobState.FAILED:
        raise typer.Exit(1)


requests_app.command("run")(requests_run)
#: ``kojin request run ID``: the same command under the singular group name
request_app = typer.Typer(help="One data-subject request.", no_args_is_help=True)
request_app.command("run")(requests_run)


def register(app: typer.Typer) -> None:
    """Add the request commands to the root `app`."""
    app.add_typer(requests_app, name="requests")
    app.add_typer(request_app, name="request")
