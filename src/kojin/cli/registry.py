"""Registry commands: keys rotate, ledger import/export/due, records purge. Thin: parse, call
a service, render.

The services (and with them SQLAlchemy and Alembic) are imported inside the commands, so that
``kojin --help`` and the other command groups start without them.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from kojin.cli.output import (
    cli_actor,
    cli_errors,
    load_settings,
    progress_task,
)
from kojin.cli.registry_db import registry_database, write_atomically
from kojin.errors import InputError

keys_app = typer.Typer(help="Field-encryption keys.", no_args_is_help=True)
ledger_app = typer.Typer(help="The personal-information ledger (CSV).", no_args_is_help=True)
records_app = typer.Typer(help="Provision records.", no_args_is_help=True)


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 500,
) -> None:
    """Make a new data key current and re-encrypt under it every subject, every request (with
    its documents and notes), the mail outbox, the payments behind payment records, the
    incident register, the obligation tasks' owners, documents and reasons, the recipient
    register, internal audits, the risk assessments, the training roster and the management
    reviews."""
    from kojin.drp.rotation import DRP_STORE
    from kojin.fulfilment.jobs import ENCRYPTED_STORE as JOBS_STORE
    from kojin.incidents.rotation import INCIDENTS_STORE, PEOPLE_STORE
    from kojin.management.audits.rotation import AUDITS_STORE
    from kojin.management.review.rotation import REVIEWS_STORE
    from kojin.management.risks.rotation import RISKS_STORE
    from kojin.management.task_rotation import TASKS_STORE
    from kojin.management.training.rotation import WORKERS_STORE
    from kojin.mynumber.filing.rotation import FILING_STORE
    from kojin.registry.keys import EncryptedStore
    from kojin.registry.recipients import rotation as recipients_rotation
    from kojin.requests.rotation import rotate_all_keys

    settings = load_settings()
    with (
        cli_errors(),
        registry_database() as database,
        progress_task("re-encrypting") as progress,
    ):
        result = rotate_all_keys(
            settings=settings,
            database=database,
            actor=cli_actor(),
            batch_size=batch_size,
            on_total=progress.set_total,
            on_progress=progress.advance,
            more_stores=(
                DRP_STORE,
                JOBS_STORE,
                FILING_STORE,
                INCIDENTS_STORE,
                PEOPLE_STORE,
                AUDITS_STORE,
                REVIEWS_STORE,
                TASKS_STORE,
                EncryptedStore(
                    "recipients",
                    recipients_rotation.count_stale_recipients,
                    recipients_rotation.reencrypt_recipients,
                ),
                EncryptedStore(
                    "recipient_checks",
                    recipients_rotation.count_stale_checks,
                    recipients_rotation.reencrypt_checks,
                ),
                RISKS_STORE,
                WORKERS_STORE,
            ),
        )
    typer.echo(
        f"new key {result.key_id} is current (was {result.previous_key_id}); "
        f"{result.reencrypted} subject(s) re-encrypted, as were "
        f"{result.stores.get('requests', 0)} request row(s) and document(s) and "
        f"{result.stores.get('mail_outbox', 0)} outbox message(s), "
        f"{result.stores.get('fulfilment_jobs', 0)} fulfilment job(s) and "
        f"{result.stores.get('drp_requests', 0)} protocol callback address(es) and "
        f"{result.stores.get('filing_payments', 0)} payment(s) behind payment records, "
        f"{result.stores.get('incidents', 0)} incident(s) and "
        f"{result.stores.get('incident_people', 0)} person(s) affected by them, "
        f"{result.stores.get('audits', 0)} internal-audit row(s), "
        f"{result.stores.get('obligation_tasks', 0)} obligation task row(s), "
        f"{result.stores.get('recipients', 0)} recipient(s) and "
        f"{result.stores.get('recipient_checks', 0)} recipient check(s), "
        f"{result.stores.get('risk_assessments', 0)} risk assessment(s), "
        f"{result.stores.get('training_workers', 0)} worker(s) on the training roster and "
        f"{result.stores.get('management_reviews', 0)} management review(s); "
        "older keys stay readable"
    )


@ledger_app.command("import")
def ledger_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="Ledger CSV with a header row: UTF-8 (with or without BOM) or Shift_JIS."
        ),
    ],
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="The file's encoding: utf-8, cp932 (sjis, Shift_JIS), euc-jp... "
            "Default: detected from its first bytes.",
        ),
    ] = None,
) -> None:
    """Import ledger rows; nothing is imported when any row is bad.

    Each row's category and purposes must be ids the policy in force declares for it.
    """
    from kojin.policy import load_policy, to_facts
    from kojin.registry.ledger.csvio import decode_csv, import_csv

    with cli_errors():
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"{file}: cannot be read ({exc.strerror})", field="path") from None
        text = decode_csv(data, source=str(file), encoding=encoding, option="--encoding")
        policy = to_facts(load_policy(load_settings().policy_file))
        with registry_database() as database, database.uow() as session:
            result = import_csv(
                session=session, source=io.StringIO(text), actor=cli_actor(), policy=policy
            )
    typer.echo(f"ledger imported: {result.created} created, {result.updated} updated")


@ledger_app.command("export")
def ledger_export(
    file: Annotated[Path | None, typer.Argument(help="Output CSV; stdout when omitted.")] = None,
) -> None:
    """Export the ledger as CSV."""
    from kojin.registry.ledger.csvio import export_csv

    with cli_errors(), registry_database() as database, database.read() as session:
        buffer = io.StringIO()
        count = export_csv(session=session, out=buffer)
    data = buffer.getvalue().encode("utf-8")
    if file is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_atomically(file, lambda handle: handle.write(data))
    typer.echo(f"{count} ledger row(s) written to {file}")


@ledger_app.command("due")
def ledger_due(
    today: Annotated[
        str | None, typer.Option("--today", help="Review date (ISO); default: today.")
    ] = None,
) -> None:
    """List ledger rows due for their yearly review (never reviewed, or a year ago or more)."""
    from kojin.registry.ledger.service import entries_due_for_review

    with cli_errors():
        try:
            day = date.fromisoformat(today) if today else date.today()
        except ValueError:
            raise InputError("--today is not an ISO date (YYYY-MM-DD)", field="today") from None
        with registry_database() as database, database.read() as session:
            due = entries_due_for_review(session=session, today=day)
    typer.echo(f"{len(due)} ledger row(s) due for review as of {day.isoformat()}")
    for entry in due:
        reviewed = entry.last_reviewed.isoformat() if entry.last_reviewed else "never"
        typer.echo(f"  {entry.id}  {entry.category}  last reviewed {reviewed}  {entry.item}")


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("--now is not an ISO 8601 date or time", field="now") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@records_app.command("purge")
def records_purge(
    now: Annotated[
        str | None, typer.Option("--now", help="Purge as of this ISO time (UTC if no zone).")
    ] = None,
) -> None:
    """Delete provision records whose retention period has ended, and list them."""
    from kojin.registry.provisions.service import purge_expired

    with cli_errors():
        moment = _parse_now(now)
        with registry_database() as database, database.uow() as session:
            purged = purge_expired(session=session, now=moment, actor=cli_actor())
    typer.echo(f"{len(purged)} expired provision record(s) purged as of {moment.isoformat()}")
    for record_id in purged:
        typer.echo(f"  {record_id}")


def register(app: typer.Typer) -> None:
    """Add the registry commands to the root `app`."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(records_app, name="records")
