"""The docs cover the product: every CLI command, option and setting is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from kojin.cli import app
from kojin.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "\n".join(
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))
)


def _commands(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """Every leaf command under `command` (Typer ships its own click: walk by shape)."""
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


COMMANDS = dict(_commands(typer.main.get_command(app), ("kojin",)))


def test_the_cli_has_its_command_groups() -> None:
    # the walk itself must see the whole tree, or the checks below would pass on nothing
    for expected in (
        "kojin decide",
        "kojin ledger import",
        "kojin audit verify",
        "kojin anonymize",
    ):
        assert expected in COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"`{name}" in README, f"{name} is missing from the README's command table"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_documented(name: str) -> None:
    missing = [
        opt
        for param in COMMANDS[name].params
        if param.param_type_name == "option"
        for opt in param.opts
        if opt.startswith("--") and opt != "--help" and not re.search(re.escape(opt) + r"\b", DOCS)
    ]
    assert not missing, f"{name}: options not in README.md or docs/: {missing}"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(field: str) -> None:
    assert f"KOJIN_{field.upper()}" in README
