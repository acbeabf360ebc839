"""``kojin user``: staff users who sign in to the staff pages. Passwords are asked twice with
hidden input, or read from the first line of stdin with ``--password-stdin``; no command
prints a password or its hash."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.auth.roles import Role
from kojin.cli.output import cli_actor, cli_errors, write_json_line
from kojin.cli.registry_db import registry_database
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.auth.staff import StaffUserOut

user_app = typer.Typer(help="Staff users of the staff pages.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of stdin instead of asking for it.",
    ),
]
Username = Annotated[str, typer.Argument(metavar="USERNAME", help="The staff user's name.")]


def read_password(*, from_stdin: bool) -> str:
    """The new password: stdin's first line (its line ending removed), or asked twice on the
    terminal without echo. InputError when stdin holds no line."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            raise InputError("--password-stdin: no password on stdin", field="--password-stdin")
        return password
    answer: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return answer


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(user: StaffUserOut) -> str:
    return "active" if user.disabled_at is None else "disabled"


@user_app.command("create")
def user_create(
    username: Username,
    role: Annotated[Role, typer.Option("--role", help="Role the user acts with.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a staff user (user name 3-64 characters of a-z, 0-9, '.', '_', '-'; password at
    least 12 characters)."""
    from kojin.auth.passwords import check_password_rules
    from kojin.auth.staff import (
        TAKEN,
        check_staff_role,
        check_username,
        create_staff_user,
        get_staff_user,
    )
    from kojin.errors import ConflictError, NotFoundError

    with cli_errors():
        name = check_username(username)
        check_staff_role(role)
        with registry_database() as database:
            with database.read() as session:  # a taken name is refused before the prompt
                try:
                    get_staff_user(session=session, username=name)
                except NotFoundError:
                    pass
                else:
                    raise ConflictError(TAKEN)
            password = read_password(from_stdin=password_stdin)
            check_password_rules(password)
            with database.uow() as session:
                user = create_staff_user(
                    session=session, username=name, password=password, role=role, actor=cli_actor()
                )
    typer.echo(f"staff user {user.username} ({user.role}) created")


@user_app.command("list")
def user_list(
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
) -> None:
    """List every staff user (name, role, status, dates); never a password or its hash."""
    from kojin.auth.staff import list_staff_users

    with cli_errors(), registry_database() as database, database.read() as session:
        users = list_staff_users(session=session)
    if json_lines:
        for user in users:
            write_json_line({**user.model_dump(mode="json"), "status": _status(user)})
        return
    typer.echo(f"{'username':<24} {'role':<17} {'status':<9} {'created':<21} last sign-in")
    for user in users:
        typer.echo(
            f"{user.username:<24} {user.role:<17} {_status(user):<9} "
            f"{_when(user.created_at):<21} {_when(user.last_sign_in_at)}"
        )


@user_app.command("disable")
def user_disable(username: Username) -> None:
    """Disable a staff user and end their sessions. The last enabled admin cannot be
    disabled."""
    from kojin.auth.staff import disable_staff_user

    with cli_errors(), registry_database() as database, database.uow() as session:
        user = disable_staff_user(session=session, username=username, actor=cli_actor())
    typer.echo(f"staff user {user.username} ({user.role}) disabled")


@user_app.command("password")
def user_password(username: Username, password_stdin: PasswordStdin = False) -> None:
    """Set a staff user's password; their sessions end."""
    from kojin.auth.passwords import check_password_rules
    from kojin.auth.staff import get_staff_user, set_staff_password

    with cli_errors(), registry_database() as database:
        with database.read() as session:  # an unknown name is refused before the prompt
            user = get_staff_user(session=session, username=username)
        password = read_password(from_stdin=password_stdin)
        check_password_rules(password)
        with database.uow() as session:
            set_staff_password(
                session=session, username=user.username, password=password, actor=cli_actor()
            )
    typer.echo(f"password of staff user {user.username} set; their sessions ended")


def register(app: typer.Typer) -> None:
    """Add ``user`` to the root `app`."""
    app.add_typer(user_app, name="user")
