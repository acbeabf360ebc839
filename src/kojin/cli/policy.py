"""``kojin policy check|show`` and ``kojin publish``: validate the policy and publish its notice.

The policy package (and the registry, for ``publish --datasets``) load inside the commands, so
that ``kojin --help`` and the other commands never pay for them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from kojin.cli.output import fail, write_json_line
from kojin.errors import InputError, PolicyError

if TYPE_CHECKING:
    from kojin.policy import AnonymizedDatasetNotice, Policy


class NoticeLang(StrEnum):
    EN = "en"
    JA = "ja"


class NoticeFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"


policy_app = typer.Typer(
    name="policy",
    help="Check and show the personal-information handling policy.",
    no_args_is_help=True,
)

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Policy YAML file; defaults to KOJIN_POLICY_FILE, else the embedded default policy.",
        dir_okay=False,
    ),
]


def _report(error: PolicyError) -> NoReturn:
    """One ``FILE:LINE:COLUMN: field.path: message`` line per issue on stderr; exit 2."""
    for issue in error.issues:
        typer.echo(str(issue), err=True)
    if not error.issues:
        typer.echo(error.message, err=True)
    raise typer.Exit(2)


def _resolve(path: Path | None) -> Path | None:
    from kojin.settings import get_settings

    return path if path is not None else get_settings().policy_file


def _load(path: Path | None) -> Policy:
    from kojin.policy import load_policy

    try:
        return load_policy(_resolve(path))
    except PolicyError as error:
        _report(error)


@policy_app.command("check")
def check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Policy YAML to validate; defaults to KOJIN_POLICY_FILE or the embedded policy.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Validate a policy file: exit 0 if valid, else exit 2 with one line per problem."""
    from kojin.policy.load import DEFAULT_POLICY_LABEL

    policy = _load(file)
    resolved = _resolve(file)
    purposes = sum(len(c.purposes) for c in policy.categories)
    name = str(resolved) if resolved is not None else DEFAULT_POLICY_LABEL
    typer.echo(f"{name}: ok ({len(policy.categories)} categories, {purposes} purposes)")


def categories_payload(policy: Policy) -> dict[str, Any]:
    """The categories and their purposes, with ids and English and Japanese texts."""
    return {
        "categories": [
            {
                "id": category.id,
                "scope": str(category.scope),
                "title": category.title.model_dump(),
                "data_subjects": category.data_subjects.model_dump(),
                "purposes": [
                    {"id": purpose.id, "text": purpose.text.model_dump()}
                    for purpose in category.purposes
                ],
            }
            for category in policy.categories
        ]
    }


@policy_app.command("show")
def show(
    policy_file: PolicyOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document instead of text.")
    ] = False,
    lang: Annotated[
        NoticeLang, typer.Option("--lang", help="Language of the text listing.")
    ] = NoticeLang.EN,
) -> None:
    """Print the categories of personal information and their purposes of use (ids and texts)."""
    policy = _load(policy_file)
    if as_json:
        write_json_line(categories_payload(policy))
        return
    for category in policy.categories:
        typer.echo(f"{category.id}  {category.title.get(lang.value)}")
        for purpose in category.purposes:
            typer.echo(f"  {purpose.id}  {purpose.text.get(lang.value)}")


def _anonymized_datasets() -> list[AnonymizedDatasetNotice]:
    from kojin.cli.datasets import anonymized_notices

    return anonymized_notices()


def _write_atomically(target: Path, text: str) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def publish(
    lang: Annotated[NoticeLang, typer.Option("--lang", help="Language of the notice.")] = (
        NoticeLang.EN
    ),
    fmt: Annotated[
        NoticeFormat, typer.Option("--format", help="markdown, or one standalone HTML page.")
    ] = NoticeFormat.MARKDOWN,
    policy_file: PolicyOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False
        ),
    ] = None,
    datasets: Annotated[
        bool,
        typer.Option(
            "--datasets",
            help="Include the anonymized datasets recorded in the registry, with their items "
            "and methods of provision (APPI Arts. 43(3), 44).",
        ),
    ] = False,
) -> None:
    """Render the public notice "The Handling of Personal Information" from the policy."""
    from kojin.policy import render_notice

    policy = _load(policy_file)
    try:
        created = _anonymized_datasets() if datasets else []
        text = render_notice(policy, lang=lang.value, fmt=fmt.value, anonymized_datasets=created)
    except InputError as exc:
        fail(exc.message, code=2)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if not output.parent.is_dir():
        fail(f"--output: folder {output.parent} does not exist", code=2)
    try:
        _write_atomically(output, text)
    except OSError as exc:
        fail(f"--output: cannot write {output} ({exc.strerror})", code=2)


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
    app.command("publish")(publish)
