"""``kojin datasets``: de-identified datasets recorded in the registry (APPI Arts. 41, 43, 44).

Also the recording step of ``kojin anonymize`` / ``kojin pseudonymize --record`` and the dataset
lines of ``kojin publish --datasets``. The registry services are imported inside the commands
(``kojin --help`` loads no database library).

``datasets list`` never cuts an id a user types back into ``datasets provide``: to a pipe or a
file it prints tab-separated lines (a header, then one dataset per line); on a terminal a table
when every cell fits the width, else one block of ``field  value`` lines per dataset.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.output import cli_actor, cli_errors, load_settings, write_json_line
from kojin.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from kojin.db.uow import Database
    from kojin.deid.results import AnonymizationResult, PseudonymizationResult
    from kojin.law.policy_facts import PolicyFacts
    from kojin.policy import AnonymizedDatasetNotice
    from kojin.registry.datasets.schemas import DatasetOut

datasets_app = typer.Typer(
    help="Pseudonymized and anonymized datasets recorded in the registry.", no_args_is_help=True
)

Recorder = Callable[["AnonymizationResult | PseudonymizationResult"], "DatasetOut"]

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
def _database() -> Iterator[Database]:
    """The initialised registry (commands that only read it need no policy)."""
    from kojin.registry.opening import initialised, open_database

    database = open_database(load_settings())
    try:
        if not initialised(database):
            raise InputError(
                "no registry here: run `kojin init` first (KOJIN_HOME / KOJIN_DATABASE_URL)",
                field="registry",
            )
        yield database
    finally:
        database.dispose()


@contextmanager
def _registry() -> Iterator[tuple[Database, PolicyFacts]]:
    """The initialised registry and the policy in force."""
    from kojin.policy import load_policy, to_facts

    with _database() as database:
        yield database, to_facts(load_policy(load_settings().policy_file))


def recorder_for(
    *, record: bool, name: str | None, category: str | None, purposes: list[str]
) -> Recorder | None:
    """With `record`, check before any work that the creation can be recorded (registry
    initialised, category and purposes declared) and return the recording step; else None."""
    from kojin.registry.datasets.from_deid import dataset_from_result
    from kojin.registry.datasets.service import check_recordable, record_dataset

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
    from kojin.policy import AnonymizedDatasetNotice
    from kojin.registry.datasets.service import list_datasets

    with _database() as database, database.read() as session:
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


#: the columns of ``datasets list``, in order; the first one is the id
LIST_COLUMNS = ("id", "form", "name", "category", "records", "created", "provided")


def _list_cells(row: DatasetOut) -> tuple[str, ...]:
    return (
        row.id,
        row.form,
        row.name,
        row.category,
        str(row.records),
        row.created_at.date().isoformat(),
        row.provision_method or "-",
    )


def _stdout_console() -> Console | None:
    """A Rich console on stdout when it is a terminal; None for a pipe or a file (tab-separated
    lines need no Rich)."""
    if not sys.stdout.isatty():
        return None
    from rich.console import Console

    return Console(highlight=False)


def _plain(cell: str) -> str:
    """A cell on one tab-separated line: tabs and line breaks inside it become spaces."""
    return " ".join(cell.split()) if any(c in cell for c in "\t\r\n") else cell


def print_records(
    console: Console | None,
    *,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> None:
    """Rows whose cells must reach the reader whole (ids are typed back).

    Not a terminal (or no console: stdout is not one): tab-separated lines, header first. A
    terminal wide enough for every cell: a table. A narrower one: one block per row, a
    ``column  value`` line per cell.
    """
    if console is None or not console.is_terminal:
        out = sys.stdout if console is None else console.file
        for line in (columns, *rows):  # written as is: Rich would expand the tabs
            out.write("\t".join(_plain(cell) for cell in line) + "\n")
        return
    widths = [max(len(cell) for cell in column) for column in zip(columns, *rows, strict=True)]
    if sum(widths) + 3 * len(widths) + 1 <= console.width:
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for index, column in enumerate(columns):
            table.add_column(column, no_wrap=True, min_width=widths[index])
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    console.print(title, markup=False)
    label = max(len(column) for column in columns)
    for row in rows:
        console.out("")
        for column, cell in zip(columns, row, strict=True):
            console.out(f"{column:<{label}}  {cell}", highlight=False)


@datasets_app.command("list")
def list_command(
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
) -> None:
    """List the recorded datasets: id, form, name, category, records, provision."""
    from kojin.registry.datasets.service import list_datasets

    def run() -> None:
        with _database() as database, database.read() as session:
            rows = list_datasets(session=session)
        if json_lines:
            for row in rows:
                write_json_line(row.model_dump(mode="json"))
            return
        print_records(
            _stdout_console(),
            title="De-identified datasets",
            columns=LIST_COLUMNS,
            rows=[_list_cells(row) for row in rows],
        )

    with cli_errors():
        run()


@datasets_app.command("provide")
def provide_command(
    dataset_id: Annotated[str, typer.Argument(metavar="ID", help="The dataset id.")],
    recipient: Annotated[str, typer.Option("--recipient", help="Who receives it.")],
    method: Annotated[
        str, typer.Option("--method", help="How it is provided (published, R-AN-4).")
    ],
    country: Annotated[
        str,
        typer.Option(
            "--country", help="Recipient's country: ISO 3166-1 alpha-2 code (JP for Japan)."
        ),
    ],
    actor: Annotated[str, typer.Option("--actor", help="Who is providing it.")] = "cli",
) -> None:
    """Decide and record the provision of an anonymized dataset; print the decision."""
    from kojin.law.decision_schemas import Recipient
    from kojin.registry.decisions.dataset_provision import provide_dataset

    def run() -> None:
        try:
            to = Recipient(name=recipient, country=country)
        except ValueError:
            raise InputError(
                "--country must be an ISO 3166-1 alpha-2 country code such as JP or US",
                field="country",
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
