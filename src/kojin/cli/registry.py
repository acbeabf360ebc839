"""Registry commands: init, db upgrade, token create, keys rotate, ledger import/export,
records purge, audit verify/export. Thin: parse, call a service, render.

The services (and with them SQLAlchemy and Alembic) are imported inside the commands, so that
``kojin --help`` and the other command groups start without them.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from kojin.auth.roles import Role
from kojin.cli.output import (
    cli_actor,
    cli_errors,
    fail,
    load_settings,
    progress_task,
    stderr_console,
)
from kojin.errors import ConflictError, InputError

if TYPE_CHECKING:
    from kojin.db.uow import Database

db_app = typer.Typer(help="The registry database.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
keys_app = typer.Typer(help="Field-encryption keys.", no_args_is_help=True)
ledger_app = typer.Typer(help="The personal-information ledger (CSV).", no_args_is_help=True)
records_app = typer.Typer(help="Provision records.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit chain.", no_args_is_help=True)


@contextmanager
def _database() -> Iterator[Database]:
    from kojin.registry.opening import open_database

    database = open_database(load_settings())
    try:
        yield database
    finally:
        database.dispose()


def _write_atomically(path: Path, write: Callable[[IO[bytes]], int]) -> int:
    """Write through a temp file in the same folder, renamed over `path` only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            count = write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def _run_init(*, sample: bool) -> None:
    from kojin.registry.bootstrap import initialise

    settings = load_settings()
    try:
        result = initialise(settings=settings, sample=sample, actor=cli_actor())
    except ConflictError as exc:
        typer.echo(f"kojin: {exc.message}")
        raise typer.Exit(1) from None
    typer.echo(f"kojin initialised in {settings.home}")
    typer.echo(f"  data key id: {result.key_id}")
    typer.echo(f"  policy recorded: sha256 {result.policy_sha256}")
    if sample:
        typer.echo(f"  sample ledger: {result.ledger_rows} rows")
    typer.echo("Admin API token (shown only now; store it safely):")
    typer.echo(result.admin_token)


def _init_command(
    sample: Annotated[
        bool, typer.Option("--sample", help="Also load the sample ledger of the default policy.")
    ] = False,
) -> None:
    """Set up kojin: home folder, keys, database, policy record and the first admin token."""
    with cli_errors():
        _run_init(sample=sample)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the registry database."""
    from kojin.db.migrate import upgrade

    with cli_errors():
        revision = upgrade(load_settings().resolved_database_url())
    typer.echo(f"registry database at revision {revision}")


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option("--role", help="Role the token acts with.")],
    name: Annotated[str, typer.Option("--name", help="A label for the token.")] = "token",
) -> None:
    """Create an API token and print it (shown only this once)."""
    from kojin.auth.service import create_token

    with cli_errors(), _database() as database, database.uow() as session:
        token, plaintext = create_token(session=session, role=role, name=name, actor=cli_actor())
    stderr_console().print(f"token {token.id} ({token.role}, {token.name}) created", markup=False)
    typer.echo(plaintext)


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 500,
) -> None:
    """Make a new data key current and re-encrypt every subject under it."""
    from kojin.registry.keys import rotate_keys

    settings = load_settings()
    with (
        cli_errors(),
        _database() as database,
        progress_task("re-encrypting subjects") as progress,
    ):
        result = rotate_keys(
            settings=settings,
            database=database,
            actor=cli_actor(),
            batch_size=batch_size,
            on_total=progress.set_total,
            on_progress=progress.advance,
        )
    typer.echo(
        f"new key {result.key_id} is current (was {result.previous_key_id}); "
        f"{result.reencrypted} subject(s) re-encrypted; older keys stay readable"
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
    """Import ledger rows; nothing is imported when any row is bad."""
    from kojin.encodings import read_text
    from kojin.registry.ledger.csvio import import_csv

    with cli_errors():
        text = read_text(file, encoding=encoding)
        with _database() as database, database.uow() as session:
            result = import_csv(session=session, source=io.StringIO(text), actor=cli_actor())
    typer.echo(f"ledger imported: {result.created} created, {result.updated} updated")


@ledger_app.command("export")
def ledger_export(
    file: Annotated[Path | None, typer.Argument(help="Output CSV; stdout when omitted.")] = None,
) -> None:
    """Export the ledger as CSV."""
    from kojin.registry.ledger.csvio import export_csv

    with cli_errors(), _database() as database, database.read() as session:
        buffer = io.StringIO()
        count = export_csv(session=session, out=buffer)
    data = buffer.getvalue().encode("utf-8")
    if file is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_atomically(file, lambda handle: handle.write(data))
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
            raise InputError(f"--today {today!r} is not an ISO date", field="today") from None
        with _database() as database, database.read() as session:
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
        raise InputError(f"--now {value!r} is not an ISO 8601 date or time", field="now") from None
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
        with _database() as database, database.uow() as session:
            purged = purge_expired(session=session, now=moment, actor=cli_actor())
    typer.echo(f"{len(purged)} expired provision record(s) purged as of {moment.isoformat()}")
    for record_id in purged:
        typer.echo(f"  {record_id}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole chain: exit 0 when intact, 1 naming the first bad entry."""
    from kojin.audit.service import verify_chain

    with (
        cli_errors(),
        _database() as database,
        database.read() as session,
        progress_task("verifying the audit chain", transient=True) as progress,
    ):
        result = verify_chain(session=session, on_progress=progress.advance)
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} entries, head {result.head_hash}")
        return
    where = f"entry {result.first_bad_seq}" if result.first_bad_seq else "the chain head"
    fail(f"audit chain broken at {where}: {result.reason}", code=1)


@audit_app.command("export")
def audit_export(
    file: Annotated[
        Path | None, typer.Argument(help="Output JSON lines; stdout if omitted.")
    ] = None,
) -> None:
    """Write the chain as JSON lines (see docs/registry.md to verify it independently)."""
    from kojin.audit.service import export_chain

    with cli_errors(), _database() as database, database.read() as session:
        if file is None:
            export_chain(session=session, out=sys.stdout.buffer)
            sys.stdout.flush()
            return
        count = _write_atomically(file, lambda handle: export_chain(session=session, out=handle))
    typer.echo(f"{count} audit entries written to {file}")


def register(app: typer.Typer) -> None:
    """Add the registry commands to the root `app`."""
    app.command("init")(_init_command)
    app.add_typer(db_app, name="db")
    app.add_typer(token_app, name="token")
    app.add_typer(keys_app, name="keys")
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(records_app, name="records")
    app.add_typer(audit_app, name="audit")
