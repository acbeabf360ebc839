"""``kojin mynumber``: the My Number vault's administration. It never prints a number: records
are listed masked, and numbers are revealed only through the API to designated handlers.

- ``handlers designate|list|revoke``: the designated persons in charge (R-MN-9);
- ``records list``: the records, masked;
- ``dispose``: crypto-shred records (the vault key is rotated afterwards);
- ``keys rotate``: a new vault key, every data key re-wrapped, the old keys destroyed;
- ``documents purge``: identity-document images past their holding period.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.output import cli_actor, cli_errors, load_settings, write_json_line
from kojin.cli.registry_db import registry_database

if TYPE_CHECKING:
    from kojin.mynumber.vault import Vault

mynumber_app = typer.Typer(
    help="The My Number vault: designated handlers, records (masked), disposal, keys.",
    no_args_is_help=True,
)
handlers_app = typer.Typer(help="Designated persons in charge of My Numbers.", no_args_is_help=True)
records_app = typer.Typer(help="The vault's records, masked.", no_args_is_help=True)
keys_app = typer.Typer(help="The vault's keys.", no_args_is_help=True)
documents_app = typer.Typer(help="Identity-document images.", no_args_is_help=True)
mynumber_app.add_typer(handlers_app, name="handlers")
mynumber_app.add_typer(records_app, name="records")
mynumber_app.add_typer(keys_app, name="keys")
mynumber_app.add_typer(documents_app, name="documents")


@contextmanager
def open_vault() -> Iterator[Vault]:
    """The vault beside the registry named by the settings, closed when the block ends."""
    from kojin.mynumber.vault import Vault
    from kojin.policy import load_policy, to_facts

    settings = load_settings()
    policy = to_facts(load_policy(settings.policy_file))
    with registry_database() as database:
        vault = Vault.open(settings=settings, registry=database, policy=policy)
        try:
            yield vault
        finally:
            vault.close()


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@handlers_app.command("designate")
def handlers_designate(
    actor: Annotated[
        str,
        typer.Argument(metavar="ACTOR", help="staff:<username> or token:<API token id>."),
    ],
    affair: Annotated[
        list[str], typer.Option("--affair", help="An affair (purpose id); repeat for more.")
    ],
    department: Annotated[str, typer.Option("--department", help="The responsible department.")],
    subject: Annotated[
        list[str] | None,
        typer.Option("--subject", help="Only this person (subject id); repeat. Default: all."),
    ] = None,
) -> None:
    """Designate a person in charge for affairs (and optionally only some people)."""
    from kojin.mynumber.schemas import HandlerIn
    from kojin.mynumber.service import designate_handler

    with cli_errors():
        body = HandlerIn(
            actor=actor, affairs=affair, subject_ids=subject or None, department=department
        )
        with open_vault() as vault, vault.transaction() as sessions:
            made = designate_handler(
                sessions=sessions, policy=vault.policy, actor=cli_actor(), body=body
            )
    typer.echo(f"designation {made.id}: {made.actor} for {', '.join(made.affairs)}")


@handlers_app.command("list")
def handlers_list(
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
) -> None:
    """Every designation (revoked ones too): id, actor, affairs, people, department, dates."""
    from kojin.mynumber.service import list_handlers

    with cli_errors(), open_vault() as vault, vault.read() as sessions:
        designations = list_handlers(vault=sessions.vault)
    if json_lines:
        for made in designations:
            write_json_line(made.model_dump(mode="json"))
        return
    typer.echo(f"{'id':<33} {'actor':<40} {'designated':<21} {'revoked':<21} affairs")
    for made in designations:
        people = "" if made.subject_ids is None else f" ({len(made.subject_ids)} people)"
        typer.echo(
            f"{made.id:<33} {made.actor:<40} {_when(made.designated_at):<21} "
            f"{_when(made.revoked_at):<21} {','.join(made.affairs)}{people}"
        )


@handlers_app.command("revoke")
def handlers_revoke(
    handler_id: Annotated[str, typer.Argument(metavar="ID", help="The designation's id.")],
) -> None:
    """End a designation (it is kept, with who ended it and when)."""
    from kojin.mynumber.service import revoke_handler

    with cli_errors(), open_vault() as vault, vault.transaction() as sessions:
        made = revoke_handler(sessions=sessions, actor=cli_actor(), handler_id=handler_id)
    typer.echo(f"designation {made.id} of {made.actor} revoked")


@records_app.command("list")
def records_list(
    status: Annotated[
        str | None, typer.Option("--status", help="active or disposed; default: both.")
    ] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="One person's records.")] = None,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
) -> None:
    """The vault's records, masked: id, person, status, affairs, acquisition, disposal."""
    from kojin.errors import InputError
    from kojin.mynumber.service import list_records

    with cli_errors():
        if status not in (None, "active", "disposed"):
            raise InputError("--status must be active or disposed", field="status")
        with open_vault() as vault, vault.read() as sessions:
            records = list_records(
                vault_session=sessions.vault,
                scope=None,
                subject_id=subject,
                status=status,
                limit=1_000,
            )
    if json_lines:
        for record in records:
            write_json_line(record.model_dump(mode="json"))
        return
    typer.echo(f"{'id':<33} {'subject':<33} {'status':<9} {'number':<15} {'acquired':<11} affairs")
    for record in records:
        typer.echo(
            f"{record.id:<33} {record.subject_id:<33} {record.status:<9} "
            f"{record.masked or '-':<15} {record.acquired_on.isoformat():<11} "
            f"{','.join(record.affairs)}"
        )


@mynumber_app.command("dispose")
def dispose(
    record_ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help="Records to dispose of.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the record).")],
) -> None:
    """Dispose of records by crypto-shredding, then rotate the vault key: the numbers cannot be
    recovered, not even from an earlier backup; the records stay without them."""
    from kojin.mynumber.service import dispose_and_shred

    with cli_errors(), open_vault() as vault:
        disposed = dispose_and_shred(
            vault=vault, actor=cli_actor(), record_ids=record_ids, reason=reason
        )
    for record in disposed:
        typer.echo(f"record {record.id} disposed of ({record.disposal_method})")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new vault key current, re-wrap every data key under it, destroy the old keys."""
    from kojin.mynumber.service import rotate_vault_key

    with cli_errors(), open_vault() as vault:
        rotation = rotate_vault_key(vault, actor=cli_actor())
    destroyed = ", ".join(rotation.destroyed) or "none"
    typer.echo(
        f"vault key {rotation.key_id} is current; {rotation.rewrapped} data key(s) re-wrapped; "
        f"destroyed: {destroyed}"
    )


@documents_app.command("purge")
def documents_purge() -> None:
    """Purge identity-document images past their holding period (the server does it as part of
    its housekeeping; this is for cron or a one-off)."""
    from kojin.mynumber.service import purge_expired_documents

    with cli_errors(), open_vault() as vault:
        purged = purge_expired_documents(vault=vault, actor=cli_actor())
    typer.echo(f"{purged} document image(s) purged")


def register(app: typer.Typer) -> None:
    """Add ``mynumber`` to the root `app`."""
    app.add_typer(mynumber_app, name="mynumber")
