"""``kojin audit``: verify, checkpoint and export the audit chain."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.output import cli_errors, fail, load_settings, progress_task
from kojin.cli.registry_db import registry_database, write_atomically

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kojin.audit.checkpoints import Checkpoint
    from kojin.audit.signing import PublicKey

audit_app = typer.Typer(help="The audit chain.", no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """The result of one further check `kojin audit verify` runs after the chain's own."""

    ok: bool
    message: str


#: a further check: given a read session on the registry, its outcome
ExtraCheck = Callable[["Session"], CheckOutcome]


def extra_checks() -> list[ExtraCheck]:
    """The checks `verify` runs after the chain's own, in order, when the chain is intact (they
    rely on what it holds): each prints its message, on stderr when it failed, and a failed one
    makes the exit code 1."""
    return [_registry_rows]


def _registry_rows(session: Session) -> CheckOutcome:
    """The decision, provision, consent, withdrawal and stop-flag rows against their digests."""
    from kojin.registry.integrity import check_rows

    result = check_rows(session=session)
    if not result.ok:
        return CheckOutcome(
            ok=False, message=f"registry rows do not match the chain: {result.reason}"
        )
    return CheckOutcome(
        ok=True,
        message=(
            f"registry rows match the chain: {result.checked} checked, "
            f"{result.unchecked} recorded before digests, {result.purged} purged as recorded"
        ),
    )


@audit_app.command("verify")
def audit_verify(
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            help="A file of signed checkpoints the chain must hold (see docs/registry.md).",
        ),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="The checkpoints' public key; default: audit-signing.pub in the keys folder.",
        ),
    ] = None,
) -> None:
    """Check the whole chain: exit 0 when intact, 1 naming the first bad entry or checkpoint."""
    from kojin.audit.checkpoints import checkpoints_summary, read_checkpoints
    from kojin.audit.service import verify_chain

    failed = False
    with cli_errors():
        signed: list[Checkpoint] = []
        if checkpoints is not None:
            signed = read_checkpoints(checkpoints, trusted=_trusted_key(public_key))
        with registry_database() as database:
            with (
                database.read() as session,
                progress_task("verifying the audit chain", transient=True) as progress,
            ):
                result = verify_chain(
                    session=session, on_progress=progress.advance, checkpoints=signed
                )
            if result.ok:
                typer.echo(f"audit chain intact: {result.checked} entries, head {result.head_hash}")
                if checkpoints is not None:
                    typer.echo(f"checkpoints: {checkpoints_summary(signed)}")
            else:
                where = "" if result.first_bad_seq is None else f" at entry {result.first_bad_seq}"
                _error(f"audit chain broken{where}: {result.reason}")
                failed = True
            # the further checks trust the digests the chain holds: only an intact chain's
            for check in extra_checks() if result.ok else []:
                with database.read() as check_session:
                    outcome = check(check_session)
                if outcome.ok:
                    typer.echo(outcome.message)
                else:
                    _error(outcome.message)
                    failed = True
    if failed:
        raise SystemExit(1)


def _error(message: str) -> None:
    sys.stderr.write(f"kojin: error: {message}\n")
    sys.stderr.flush()


def _trusted_key(path: Path | None) -> PublicKey:
    from kojin.audit.signing import read_public_key, trusted_public_key

    if path is not None:
        return read_public_key(path)
    keys_dir = load_settings().resolved_keys_dir()
    found = trusted_public_key(keys_dir)
    if found is None:
        fail(f"no audit signing key in {keys_dir}: pass --public-key FILE", code=2)
    return found


@audit_app.command("checkpoint")
def audit_checkpoint(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Checkpoints file to append to; default <home>/audit-checkpoints.jsonl."
        ),
    ] = None,
) -> None:
    """Sign the chain head now and append the checkpoint (key created in the keys folder)."""
    from kojin.audit.checkpoints import default_checkpoints_path, write_checkpoint
    from kojin.audit.signing import load_or_create_signing_key

    with cli_errors():
        settings = load_settings()
        path = file or default_checkpoints_path(settings)
        key = load_or_create_signing_key(settings.resolved_keys_dir())
        with registry_database() as database:
            checkpoint = write_checkpoint(database=database, key=key, path=path)
    assert checkpoint is not None
    typer.echo(
        f"checkpoint: entry {checkpoint.seq}, hash {checkpoint.hash}, key {checkpoint.key_id}"
    )
    typer.echo(f"appended to {path}")


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
