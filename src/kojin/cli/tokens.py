"""``kojin token``: API tokens for systems. The plaintext is printed once, by ``create``; ``list``
and ``revoke`` show ids, names, roles, display prefixes and dates only."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.auth.roles import Role
from kojin.cli.output import cli_actor, cli_errors, stderr_console, write_json_line
from kojin.cli.registry_db import registry_database
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.auth.schemas import ApiTokenOut

token_app = typer.Typer(help="API tokens.", no_args_is_help=True)

_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3_600, "d": 86_400}
_LIFETIME = re.compile(r"(\d{1,12})([smhd]?)")
_LIFETIME_FORMAT = "seconds, or a number ending in m, h or d (3600, 30m, 12h, 90d)"


def parse_lifetime(text: str) -> int:
    """``--expires-in`` in seconds: ``3600``, ``45s``, ``30m``, ``12h`` or ``90d``; InputError
    naming the option when it is malformed or outside the bounds a token may have."""
    from kojin.auth.schemas import MAX_EXPIRES_IN, MIN_EXPIRES_IN

    match = _LIFETIME.fullmatch(text.strip().lower())
    if match is None:
        raise InputError(f"--expires-in must be {_LIFETIME_FORMAT}", field="--expires-in")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not MIN_EXPIRES_IN <= seconds <= MAX_EXPIRES_IN:
        raise InputError(
            f"--expires-in must be between {MIN_EXPIRES_IN // 60}m and {MAX_EXPIRES_IN // 86_400}d",
            field="--expires-in",
        )
    return seconds


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option("--role", help="Role the token acts with.")],
    name: Annotated[str, typer.Option("--name", help="A label for the token.")] = "token",
    expires_in: Annotated[
        str | None,
        typer.Option(
            "--expires-in",
            help=f"Lifetime: {_LIFETIME_FORMAT}; default: until revoked.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create an API token and print it (shown only this once)."""
    from kojin.auth.service import create_token

    with cli_errors():
        seconds = None if expires_in is None else parse_lifetime(expires_in)
        with registry_database() as database, database.uow() as session:
            token, plaintext = create_token(
                session=session, role=role, name=name, actor=cli_actor(), expires_in=seconds
            )
    until = "" if token.expires_at is None else f", expires {_when(token.expires_at)}"
    stderr_console().print(
        f"token {token.id} ({token.role}, {token.name}{until}) created", markup=False
    )
    typer.echo(plaintext)


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(token: ApiTokenOut, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    return "active" if token.active_at(now) else "expired"


@token_app.command("list")
def token_list(
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
) -> None:
    """List every token (id, role, status, dates, name); never a token's plaintext."""
    from kojin.auth.service import list_tokens

    with cli_errors(), registry_database() as database, database.read() as session:
        tokens = list_tokens(session=session)
    now = datetime.now(UTC)
    if json_lines:
        for token in tokens:
            write_json_line({**token.model_dump(mode="json"), "status": _status(token, now)})
        return
    typer.echo(f"{'id':<33} {'role':<17} {'status':<8} {'created':<21} {'expires':<21} name")
    for token in tokens:
        typer.echo(
            f"{token.id:<33} {token.role:<17} {_status(token, now):<8} "
            f"{_when(token.created_at):<21} {_when(token.expires_at):<21} {token.name}"
        )


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id (`token list`).")],
) -> None:
    """Revoke a token; API workers refuse it within a second. The last active admin token
    cannot be revoked."""
    from kojin.auth.service import revoke_token

    with cli_errors(), registry_database() as database, database.uow() as session:
        token = revoke_token(session=session, token_id=token_id, actor=cli_actor())
    typer.echo(f"token {token.id} ({token.role}, {token.name}) revoked")


def register(app: typer.Typer) -> None:
    """Add ``token`` to the root `app`."""
    app.add_typer(token_app, name="token")
