"""``kojin init`` (home folder, keys, database, policy record, first admin token, first staff
user) and ``kojin db upgrade``."""

from __future__ import annotations

from typing import Annotated

import typer

from kojin.cli.output import cli_actor, cli_errors, load_settings
from kojin.errors import ConflictError

db_app = typer.Typer(help="The registry database.", no_args_is_help=True)


#: how the first staff user's generated password is replaced
CHANGE_IT = "change it with `kojin user password admin`"


def first_staff_user_note(password: str) -> str:
    """One line for ``kojin run`` that shows the first staff user's password."""
    return f"kojin: staff user admin, password (shown only now; {CHANGE_IT}): {password}"


def _run_init(*, sample: bool) -> None:
    from kojin.registry.bootstrap import initialise

    settings = load_settings()
    try:
        result = initialise(settings=settings, sample=sample, actor=cli_actor())
    except ConflictError as exc:
        typer.echo(f"kojin: {exc.message}")
        raise typer.Exit(1) from None
    from kojin.settings import mask_url_password

    typer.echo(f"kojin initialised in {settings.home}")
    typer.echo(f"  data folder: {result.data_dir} (owner only)")
    typer.echo(f"  database: {mask_url_password(settings.resolved_database_url())}")
    if settings.master_key is not None:
        typer.echo("  keys: derived from KOJIN_MASTER_KEY (no keyring file)")
    typer.echo(f"  keys folder: {result.keys_dir} (owner only; back it up apart from the data)")
    typer.echo(f"  data key id: {result.key_id}")
    typer.echo(f"  policy recorded: sha256 {result.policy_sha256}")
    if sample:
        typer.echo(f"  sample ledger: {result.ledger_rows} rows")
    password = result.staff_password
    if password is not None:
        typer.echo(f"Staff user admin, password (shown only now; {CHANGE_IT}):")
        typer.echo(password)
    typer.echo("Admin API token (shown only now; store it safely):")
    typer.echo(result.admin_token)


def init_command(
    sample: Annotated[
        bool, typer.Option("--sample", help="Also load the sample ledger of the default policy.")
    ] = False,
) -> None:
    """Set up kojin: data folder, keys folder, database, policy record, the first admin token
    and the staff user ``admin``; prints where the data and where the keys are, and the token
    and the password once."""
    with cli_errors():
        _run_init(sample=sample)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the registry database."""
    from kojin.db.migrate import upgrade

    with cli_errors():
        revision = upgrade(load_settings().resolved_database_url())
    typer.echo(f"registry database at revision {revision}")


def register(app: typer.Typer) -> None:
    """Add ``init`` and ``db`` to the root `app`."""
    app.command("init")(init_command)
    app.add_typer(db_app, name="db")
