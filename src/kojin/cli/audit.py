"""``kojin audit``: verify and export the audit chain."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kojin.cli.output import cli_errors, fail, progress_task
from kojin.cli.registry_db import registry_database, write_atomically

audit_app = typer.Typer(help="The audit chain.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole chain: exit 0 when intact, 1 naming the first bad entry."""
    from kojin.audit.service import verify_chain

    with (
        cli_errors(),
        registry_database() as database,
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

    with cli_errors(), registry_database() as database, database.read() as session:
        if file is None:
            export_chain(session=session, out=sys.stdout.buffer)
            sys.stdout.flush()
            return
        count = write_atomically(file, lambda handle: export_chain(session=session, out=handle))
    typer.echo(f"{count} audit entries written to {file}")


def register(app: typer.Typer) -> None:
    """Add ``audit`` to the root `app`."""
    app.add_typer(audit_app, name="audit")
