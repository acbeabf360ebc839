"""``kojin training``: training records (R-PM-4).

- ``courses`` and ``add-course CODE TITLE``: the courses (yearly round or ``--one-off``);
- ``workers`` and ``import-workers CSV``: the roster (names are stored encrypted);
- ``record NUMBER COURSE`` and ``import-records CSV``: who completed which course when;
- ``overdue``: who is overdue for the yearly round (365 days; new joiners after a grace).

CSV imports are all or nothing; their problems name lines and columns, never values.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.management_common import (
    ActorOption,
    JsonOption,
    actor_of,
    day_of,
    print_table,
    registry,
    today_in_japan,
)
from kojin.cli.output import cli_errors, write_json_line
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.management.training.schemas import WorkerOut

training_app = typer.Typer(
    help="Training: courses, the roster of workers, records, who is overdue for the yearly round.",
    no_args_is_help=True,
)

EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="The file's encoding: utf-8, cp932 (Shift_JIS), euc-jp. Default: detected.",
    ),
]
GraceOption = Annotated[
    int,
    typer.Option(
        "--grace-days",
        min=0,
        max=3650,
        help="Days a new joiner has for the first yearly round (default 90).",
    ),
]


def _read_csv(path: Path, encoding: str | None) -> str:
    from kojin.registry.ledger.csvio import decode_csv

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", field="path") from None
    return decode_csv(data, source=str(path), encoding=encoding, option="--encoding")


def _worker_rows(workers: list[WorkerOut]) -> list[list[object]]:
    return [
        [
            w.employee_number,
            w.name,
            w.department,
            w.kind.value,
            w.last_yearly.isoformat() if w.last_yearly else "-",
            w.due_on.isoformat(),
            "overdue / 未受講" if w.overdue else ("" if w.active else "left / 退職"),
        ]
        for w in workers
    ]


_WORKER_HEADERS = (
    "number / 社員番号",
    "name / 氏名",
    "department / 部門",
    "kind / 区分",
    "last round / 前回受講",
    "due / 期限",
    "state / 状態",
)


@training_app.command("courses")
def courses(as_json: JsonOption = False) -> None:
    """The courses, yearly-round ones first."""
    from kojin.management.training.service import list_courses

    with cli_errors(), registry(write=False) as reg:
        found = list_courses(session=reg.session)
    if as_json:
        for course in found:
            write_json_line(course.model_dump(mode="json"), flush=False)
        return
    print_table(
        f"{len(found)} course(s) / 研修 {len(found)}件",
        ("code / コード", "title / 名称", "yearly / 年次"),
        [(c.code, c.title, "yes / 年次" if c.yearly else "one-off / 単発") for c in found],
    )


@training_app.command("add-course")
def add_course_command(
    code: Annotated[str, typer.Argument(help="A short code (letters, digits, . _ -).")],
    title: Annotated[str, typer.Argument(help="The course's title.")],
    one_off: Annotated[
        bool, typer.Option("--one-off", help="Not part of the yearly round.")
    ] = False,
    actor: ActorOption = None,
) -> None:
    """Add a course (part of the yearly round unless --one-off)."""
    from pydantic import ValidationError

    from kojin.management.training.schemas import CourseInput
    from kojin.management.training.service import add_course

    with cli_errors():
        who = actor_of(actor)
        try:
            course_in = CourseInput(code=code, title=title, yearly=not one_off)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            field = str(first["loc"][0])
            raise InputError(f"{field.upper()}: {first['msg']}", field=field) from None
        with registry(write=True) as reg:
            course = add_course(session=reg.session, course_in=course_in, actor=who)
    typer.echo(f"course {course.code} added (id {course.id})")


@training_app.command("workers")
def workers(
    show_all: Annotated[bool, typer.Option("--all", help="Workers who left too.")] = False,
    department: Annotated[str | None, typer.Option("--department", help="One department.")] = None,
    grace_days: GraceOption = 90,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per worker, one a line.")
    ] = False,
) -> None:
    """The roster with each worker's last yearly round and when the next is due."""
    from kojin.management.training.service import list_workers

    with cli_errors(), registry(write=False) as reg:
        found = list_workers(
            session=reg.session,
            cipher=reg.cipher,
            today=today_in_japan(),
            active_only=not show_all,
            department=department,
            grace_days=grace_days,
        )
    if as_json:
        for worker in found:
            write_json_line(worker.model_dump(mode="json"), flush=False)
        return
    print_table(
        f"{len(found)} worker(s) / 従業者 {len(found)}名", _WORKER_HEADERS, _worker_rows(found)
    )


@training_app.command("import-workers")
def import_workers_command(
    csv_file: Annotated[
        Path,
        typer.Argument(
            metavar="CSV",
            help="Columns employee_number,name,department,joined_on[,kind,active]; a header.",
        ),
    ],
    encoding: EncodingOption = None,
    actor: ActorOption = None,
) -> None:
    """Add or update the workers of a roster CSV; nothing is imported when any row is bad."""
    from kojin.management.training.csvio import import_workers

    with cli_errors():
        who = actor_of(actor)
        text = _read_csv(csv_file, encoding)
        with registry(write=True) as reg:
            result = import_workers(
                session=reg.session, cipher=reg.cipher, source=io.StringIO(text), actor=who
            )
    typer.echo(
        f"roster imported: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )


@training_app.command("record")
def record(
    employee_number: Annotated[str, typer.Argument(metavar="NUMBER", help="Employee number.")],
    course: Annotated[str, typer.Argument(metavar="COURSE", help="The course's code.")],
    on: Annotated[
        str | None, typer.Option("--on", help="The day completed (ISO); default: today.")
    ] = None,
    actor: ActorOption = None,
) -> None:
    """Record that a worker completed a course."""
    from pydantic import ValidationError

    from kojin.management.training.schemas import RecordInput
    from kojin.management.training.service import save_records

    with cli_errors():
        who = actor_of(actor)
        today = today_in_japan()
        day = day_of(on, "--on") or today
        try:
            record_in = RecordInput(
                employee_number=employee_number, course=course, completed_on=day
            )
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            field = str(first["loc"][0])
            raise InputError(f"{field}: {first['msg']}", field=field) from None
        with registry(write=True) as reg:
            saved = save_records(session=reg.session, records=[record_in], actor=who, today=today)
    state = "recorded" if saved[0].new else "was already recorded"
    typer.echo(f"course {saved[0].course} on {day.isoformat()} {state} (id {saved[0].id})")


@training_app.command("import-records")
def import_records_command(
    csv_file: Annotated[
        Path,
        typer.Argument(
            metavar="CSV", help="Columns employee_number,course,completed_on; a header."
        ),
    ],
    encoding: EncodingOption = None,
    actor: ActorOption = None,
) -> None:
    """Record the completions of a CSV; nothing is imported when any row is bad."""
    from kojin.management.training.csvio import import_records

    with cli_errors():
        who = actor_of(actor)
        text = _read_csv(csv_file, encoding)
        with registry(write=True) as reg:
            result = import_records(
                session=reg.session, source=io.StringIO(text), actor=who, today=today_in_japan()
            )
    typer.echo(f"records imported: {result.added} added, {result.unchanged} already recorded")


@training_app.command("overdue")
def overdue(
    grace_days: GraceOption = 90,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per worker, one a line.")
    ] = False,
) -> None:
    """Active workers overdue for the yearly round, longest overdue first."""
    from kojin.management.training.service import overdue_workers

    with cli_errors(), registry(write=False) as reg:
        found = overdue_workers(
            session=reg.session, cipher=reg.cipher, today=today_in_japan(), grace_days=grace_days
        )
    if as_json:
        for worker in found:
            write_json_line(worker.model_dump(mode="json"), flush=False)
        return
    print_table(
        f"{len(found)} worker(s) overdue / 年次研修未受講 {len(found)}名",
        _WORKER_HEADERS,
        _worker_rows(found),
    )


def register(app: typer.Typer) -> None:
    """Add ``training`` to the root `app`."""
    app.add_typer(training_app, name="training")
