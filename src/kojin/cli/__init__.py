"""The ``kojin`` command line: a Typer root; each command group lives in its own module.

Every module below exposes ``register(app)``. Interfaces stay thin: parse, call a service, render.
Command modules import their services inside the commands, so that ``kojin --help`` and the
light commands start without the database, web or dataset libraries.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, NoReturn

import typer

from kojin import __version__
from kojin.cli import (
    audit,
    audits,
    datamap,
    datasets,
    decide,
    deid,
    incidents,
    init,
    mynumber,
    mynumber_filing,
    obligations,
    policy,
    recipients,
    registry,
    requests,
    review,
    risks,
    scan,
    serve,
    settings,
    tokens,
    training,
    users,
    worker,
)
from kojin.cli.output import cli_errors, fail

app = typer.Typer(
    name="kojin",
    help="kojin: personal-information protection management under APPI and the My Number Act.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"kojin {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """kojin: personal-information protection management under APPI and the My Number Act."""


# --- command groups (one module each) ---------------------------------------------------------
policy.register(app)
decide.register(app)
init.register(app)
registry.register(app)
requests.register(app)
tokens.register(app)
users.register(app)
audit.register(app)
serve.register(app)
scan.register(app)
datamap.register(app)
deid.register(app)
datasets.register(app)
settings.register(app)
worker.register(app)
mynumber.register(app)
mynumber_filing.register(mynumber.mynumber_app)
incidents.register(app)
review.register(app)
audits.register(app)
obligations.register(app)
recipients.register(app)
risks.register(app)
training.register(app)
# --- end of command groups --------------------------------------------------------------------


def _parsing_error_class() -> type[Exception]:
    """The base class of Typer's own parsing errors (Click's ``ClickException``), found through
    the public ``typer.BadParameter`` whether Typer bundles Click or depends on it."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls
    raise TypeError("typer.BadParameter no longer derives from ClickException")  # pragma: no cover


PARSING_ERROR = _parsing_error_class()


def _parsing_error(exc: Exception) -> NoReturn:
    """A parsing error as one line (what was wrong, where to read the usage); a group called
    without a command prints its help, as before."""
    context = getattr(exc, "ctx", None)
    command_path = getattr(context, "command_path", None)
    code = getattr(exc, "exit_code", 2) or 2
    text = str(getattr(exc, "format_message", exc.__str__)())
    if type(exc).__name__ == "NoArgsIsHelpError":
        if text.strip():  # Typer's rich help was printed when the error was made; plain is not
            typer.echo(text)
        raise SystemExit(code)
    message = " ".join(text.split())
    if command_path:
        message = f"{message} (see '{command_path} --help')"
    fail(message, code=code)


def main() -> None:
    """Console entry point: errors become one clean line on stderr and an exit code, no trace.

    Exit 2 for bad input (kojin's input errors, Typer's own parsing errors, invalid ``KOJIN_*``
    settings, a missing file or a directory where a file is expected), 1 for other kojin errors.

    Pydantic plugins are not loaded unless ``PYDANTIC_DISABLE_PLUGINS`` is set (to an empty value
    to load them all): looking them up reads the metadata of every installed package, which
    costs a command more start-up time than the rest of its validation.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        with cli_errors():
            outcome = app(standalone_mode=False, prog_name="kojin")
    except PARSING_ERROR as exc:
        _parsing_error(exc)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        where = f" {exc.filename}" if exc.filename else ""
        fail(f"cannot open{where}: {exc.strerror or type(exc).__name__}", code=2)
    except KeyboardInterrupt:
        fail("interrupted", code=130)
    except RuntimeError as exc:  # Click's Abort (end of input at a prompt) is a RuntimeError
        if type(exc).__name__ != "Abort":
            raise
        fail("aborted", code=1)
    # Without standalone mode, Typer returns the code of an explicit exit (--help, typer.Exit).
    if isinstance(outcome, int) and not isinstance(outcome, bool):
        sys.exit(outcome)


if __name__ == "__main__":  # pragma: no cover
    main()
