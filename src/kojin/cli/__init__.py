"""The ``kojin`` command line: a Typer root; each command group lives in its own module.

Every module below exposes ``register(app)``. Interfaces stay thin: parse, call a service, render.
"""

from __future__ import annotations

import sys

import typer

from kojin.cli import datasets, decide, deid, policy, registry, scan, serve
from kojin.cli.output import fail
from kojin.errors import InputError, KojinError

app = typer.Typer(
    name="kojin",
    help="kojin: personal-information protection management under APPI and the My Number Act.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# --- command groups (one module each) ---------------------------------------------------------
policy.register(app)
decide.register(app)
registry.register(app)
serve.register(app)
scan.register(app)
deid.register(app)
datasets.register(app)
# --- end of command groups --------------------------------------------------------------------


def main() -> None:
    """Console entry point: kojin errors become one clean line and an exit code, no trace."""
    try:
        app()
    except InputError as exc:
        fail(exc.message, code=2)
    except KojinError as exc:
        fail(exc.message, code=1)
    except KeyboardInterrupt:
        fail("interrupted", code=130)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
