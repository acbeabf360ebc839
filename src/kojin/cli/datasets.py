"""``kojin datasets``: de-identified datasets recorded in the registry (APPI Arts. 41, 43, 44).

Also the recording step of ``kojin anonymize`` / ``kojin pseudonymize --record`` and the dataset
lines of ``kojin publish --datasets``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kojin.cli.output import cli_actor, cli_errors, write_json_line
from kojin.db.uow import Database
from kojin.deid.results import AnonymizationResult, PseudonymizationResult
from kojin.errors import InputError
from kojin.law.decision_schemas import Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import AnonymizedDatasetNotice, load_policy, to_facts
from kojin.registry.bootstrap import is_initialised
from kojin.registry.datasets import DatasetOut, list_datasets, record_dataset
from kojin.registry.datasets.from_deid import dataset_from_result
from kojin.registry.datasets.service import check_recordable
from kojin.registry.decisions.dataset_provision import provide_dataset
from kojin.settings import get_settings

datasets_app = typer.Typer(
    help="Pseudonymized and anonymized datasets recorded in the registry.", no_args_is_help=True
)

Recorder = Callable[[AnonymizationResult | PseudonymizationResult], DatasetOut]

#: the options ``kojin anonymize`` and ``kojin pseudonymize`` share for recording a creation
RecordOption = Annotated[
    bool,
    typer.Option(
        "--record", help="Record the creation in the registry (needs --category, kojin init)."
    ),
]
CategoryOption = Annotated[
    str | None, typer.Option("--category", help="Policy category of the source data.")
]
NameOption = Annotated[
    str | None, typer.Option("--name", help="Name of the dataset in the registry and notice.")
]


@contextmanager
def _registry() -> Iterator[tuple[Database, PolicyFacts]]:
    settings = get_settings()
    if not is_initialised(settings=settings):
        raise InputError(
            "no registry here: run `kojin init` first (KOJIN_HOME / KOJIN_DATABASE_URL)",
            field="registry",
        )
    policy = to_facts(load_policy(settings.policy_file))
    database = Database.from_settings(settings)
    try:
        yield database, policy
    finally:
        database.dispose()


def recorder_for(
    *, record: bool, name: str | None, category: str | None, purposes: list[str]
) -> Recorder | None:
    """With `record`, check before any work that the creation can be recorded (registry
    initialised, category and purposes declared) and return the recording step; else None."""
    if not record:
        return None
    if not category:
        raise InputError(
            "--record needs --category (a category id of the policy)", field="category"
        )
    with _registry() as (_, policy):
        check_recordable(policy=policy, category=category, purposes=purposes)

    def record_creation(result: AnonymizationResult | PseudonymizationResult) -> DatasetOut:
        dataset_in = dataset_from_result(result, name=name or result.output, category=category)
        with _registry() as (database, policy), database.uow() as session:
            return record_dataset(
                session=session, dataset_in=dataset_in, policy=policy, actor=cli_actor()
            )

    return record_creation


def anonymized_notices() -> list[AnonymizedDatasetNotice]:
    """The registry's anonymized datasets as notice entries (R-AN-3, R-AN-4)."""
    with _registry() as (database, _), database.read() as session:
        rows = list_datasets(session=session, form="anonymized")
    return [
        AnonymizedDatasetNotice(
            name=row.name,
            items=row.items,
            created_on=row.created_at.date(),
            provided=row.provided_at is not None,
            provision_method=row.provision_method,
        )
        for row in rows
    ]


@datasets_app.command("list")
def list_command(
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
) -> None:
    """List the recorded datasets: form, name, category, records, provision."""

    def run() -> None:
        with _registry() as (database, _), database.read() as session:
            rows = list_datasets(session=session)
        if json_lines:
            for row in rows:
                write_json_line(row.model_dump(mode="json"))
            return
        table = Table(title="De-identified datasets", title_justify="left")
        for column in ("id", "form", "name", "category", "records", "created", "provided"):
            table.add_column(column, justify="right" if column == "records" else "left")
        for row in rows:
            table.add_row(
                row.id,
                row.form,
                row.name,
                row.category,
                str(row.records),
                row.created_at.date().isoformat(),
                row.provision_method or "-",
            )
        Console(highlight=False).print(table)

    with cli_errors():
        run()


@datasets_app.command("provide")
def provide_command(
    dataset_id: Annotated[str, typer.Argument(metavar="ID", help="The dataset id.")],
    recipient: Annotated[str, typer.Option("--recipient", help="Who receives it.")],
    method: Annotated[
        str, typer.Option("--method", help="How it is provided (published, R-AN-4).")
    ],
    country: Annotated[str, typer.Option("--country", help="Recipient's country.")] = "JP",
    actor: Annotated[str, typer.Option("--actor", help="Who is providing it.")] = "cli",
) -> None:
    """Decide and record the provision of an anonymized dataset; print the decision."""

    def run() -> None:
        try:
            to = Recipient(name=recipient, country=country)
        except ValueError:
            raise InputError(
                "--country must be a two-letter country code", field="country"
            ) from None
        with _registry() as (database, policy), database.uow() as session:
            outcome = provide_dataset(
                session=session,
                dataset_id=dataset_id,
                recipient=to,
                method=method,
                policy=policy,
                actor=actor,
            )
        write_json_line(
            {
                "decision_id": outcome.decision.id,
                **outcome.decision.decision.model_dump(mode="json"),
            }
        )
        if not outcome.decision.decision.allowed:
            raise SystemExit(1)

    with cli_errors():
        run()


def register(app: typer.Typer) -> None:
    app.add_typer(datasets_app, name="datasets")
