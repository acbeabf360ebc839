"""Shared pieces of the management system's commands (``kojin obligations``, ``recipients``,
``risks``, ``training``, ``audits``, ``review``): the registry session with the field cipher
and the settings, the actor, days in Japan, and Rich tables."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Final
from zoneinfo import ZoneInfo

import typer

from kojin.cli.output import cli_actor, load_settings
from kojin.cli.registry_db import registry_database
from kojin.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kojin.crypto import FieldCipher
    from kojin.settings import Settings

TOKYO: Final = ZoneInfo("Asia/Tokyo")
#: who acts, as the audit chain names people: staff:<username>, token:<id> or cli:<user>
_ACTOR = re.compile(r"(staff|token|cli):[A-Za-z0-9._@+-]{1,64}")

ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        help="Who this is done by, for the audit chain: staff:<username> or token:<id> "
        "(default: cli:<operating-system user>).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON for scripts, not a table.")]


@dataclass(frozen=True, slots=True)
class Registry:
    session: Session
    cipher: FieldCipher
    settings: Settings


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


def actor_of(given: str | None) -> str:
    if given is None:
        return cli_actor()
    if _ACTOR.fullmatch(given) is None:
        raise InputError(
            "--actor must be staff:<username> or token:<id> (letters, digits, ._@+-)",
            field="actor",
        )
    return given


def day_of(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} is not an ISO date (YYYY-MM-DD)", field=option) from None


@contextmanager
def registry(*, write: bool) -> Iterator[Registry]:
    """A session on the registry (committed at the end when `write`) and the field cipher."""
    from kojin.crypto import FieldCipher, load_keyring

    settings = load_settings()
    cipher = FieldCipher(load_keyring(settings))
    with registry_database() as database:
        scope = database.uow() if write else database.read()
        with scope as session:
            yield Registry(session=session, cipher=cipher, settings=settings)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    Console(highlight=False, soft_wrap=False).print(table)
