"""``kojin settings``: the settings in force, through the allow-list (secrets never shown)."""

from __future__ import annotations

from typing import Annotated

import typer

from kojin.cli.output import cli_errors, load_settings, write_json_line


def show_settings(
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object instead of NAME=value lines.")
    ] = False,
) -> None:
    """Show the settings in force (KOJIN_* variables and defaults); secrets are never shown."""
    with cli_errors():
        shown = load_settings().public_dump()
    if as_json:
        write_json_line(shown)
        return
    for name, value in shown.items():
        typer.echo(f"KOJIN_{name.upper()}={'' if value is None else value}")


def register(app: typer.Typer) -> None:
    app.command("settings")(show_settings)
