"""``kojin token``: API tokens for systems (the plaintext is printed once)."""

from __future__ import annotations

from typing import Annotated

import typer

from kojin.auth.roles import Role
from kojin.cli.output import cli_actor, cli_errors, stderr_console
from kojin.cli.registry_db import registry_database

token_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option("--role", help="Role the token acts with.")],
    name: Annotated[str, typer.Option("--name", help="A label for the token.")] = "token",
) -> None:
    """Create an API token and print it (shown only this once)."""
    from kojin.auth.service import create_token

    with cli_errors(), registry_database() as database, database.uow() as session:
        token, plaintext = create_token(session=session, role=role, name=name, actor=cli_actor())
    stderr_console().print(f"token {token.id} ({token.role}, {token.name}) created", markup=False)
    typer.echo(plaintext)


def register(app: typer.Typer) -> None:
    """Add ``token`` to the root `app`."""
    app.add_typer(token_app, name="token")
