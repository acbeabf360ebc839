"""``kojin obligations``: the tasks recorded decisions create, from the command line.

- ``list``: open tasks first, overdue at the top (``--overdue``, ``--upcoming DAYS``,
  ``--status``, ``--code``, ``--owner``); ``--json`` writes one JSON document per task, one a
  line, and the exit code is 0 whatever the list holds, so scripts parse the output;
- ``show ID``: one task with its decisions and history;
- ``assign ID``: an owner (a department or a person) and/or a new due date with a reason;
- ``close ID``: with a document (``--document`` and ``--reference``) or a kojin record
  (``--record KIND:ID``);
- ``reopen ID`` and ``remind`` (send the reminders due now).

The audit chain names the operating-system user unless ``--actor`` names the person the
operator acts for. Errors name options, never the values given.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.management_common import (
    TOKYO,
    ActorOption,
    JsonOption,
    actor_of,
    today_in_japan,
)
from kojin.cli.management_common import (
    registry as open_registry,
)
from kojin.cli.output import cli_errors, write_json_line
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.registry.obligations.schemas import TaskDetail, TaskOut


obligations_app = typer.Typer(
    help="Obligation tasks: the duties recorded decisions create, followed until evidence "
    "closes them.",
    no_args_is_help=True,
)

IdArgument = Annotated[str, typer.Argument(metavar="ID", help="The task's id.")]


def _due_text(task: TaskOut) -> str:
    if task.status.value != "open":
        return f"{task.due_on.isoformat()} (done / 完了)"
    due, left = task.due_on.isoformat(), task.days_left
    if left < 0:
        return f"{due} ({-left} day(s) overdue / {-left}日超過)"
    return f"{due} ({left} day(s) left / 残り{left}日)"


def _owner_text(task: TaskOut) -> str:
    return "-" if task.owner is None else f"{task.owner.name} ({task.owner.kind.value})"


def _print_tasks(tasks: list[TaskOut], total: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{total} task(s) / 義務タスク {total}件")
    for header in (
        "id",
        "duty / 義務",
        "citation / 根拠",
        "recipient or purpose / 提供先・目的",
        "owner / 担当",
        "due / 期限",
        "decisions / 判断数",
    ):
        table.add_column(header)
    for task in tasks:
        about = task.recipient_name or task.purpose or task.dataset_id or task.category
        table.add_row(
            task.id,
            f"{task.code} ({task.rule})",
            task.citation,
            about,
            _owner_text(task),
            _due_text(task),
            str(task.decision_count),
        )
    Console(soft_wrap=True).print(table)


def _print_task(task: TaskDetail) -> None:
    lines = [
        f"task {task.id} ({task.status.value}, round {task.round})",
        f"duty / 義務: {task.code} ({task.rule}, {task.citation}) timing {task.timing}",
        f"  {task.text_en}",
        f"  {task.text_ja}",
        f"category / 区分: {task.category}; purpose / 目的: {task.purpose or '-'}",
        f"recipient / 提供先: {task.recipient_name or '-'} ({task.recipient_country or '-'})",
        f"dataset / データセット: {task.dataset_id or '-'}; "
        f"subject / 本人: {task.subject_id or '-'}",
        f"decisions / 判断: {task.decision_count} (first {task.first_decision_id or '-'}, "
        f"last {task.last_decision_id or '-'})",
        f"owner / 担当: {_owner_text(task)}",
        f"due / 期限: {_due_text(task)}",
    ]
    if task.evidence is not None:
        ev = task.evidence
        shown = (
            f"{ev.record_kind.value if ev.record_kind else '-'}:{ev.record_id}"
            if ev.kind.value == "record"
            else f"{ev.description} ({ev.reference})"
        )
        lines.append(f"evidence / 証跡: {ev.kind.value}: {shown}; closed by {task.closed_by}")
    lines.append("history / 履歴:")
    for event in task.history:
        at = event.at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M JST")
        note = f" — {event.note}" if event.note else ""
        lines.append(f"  {at} {event.actor} {event.action} {','.join(event.fields)}{note}")
    typer.echo("\n".join(lines))


def _emit(task: TaskDetail, as_json: bool) -> None:
    if as_json:
        write_json_line(task.model_dump(mode="json"))
    else:
        _print_task(task)


@obligations_app.command("list")
def list_command(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open tasks past their due date.")
    ] = False,
    upcoming: Annotated[
        int | None,
        typer.Option(
            "--upcoming",
            min=0,
            metavar="DAYS",
            help="Only open tasks due within DAYS days (with --overdue: either).",
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="open or done; default: both.")
    ] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Only this duty (e.g. supervise_entrustee).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only the tasks of this department or person.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most this many.")] = 500,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per task, one a line.")
    ] = False,
) -> None:
    """Tasks, open first and overdue at the top; exit code 0 whatever the list holds."""
    from kojin.law.vocabulary import ObligationCode
    from kojin.registry.obligations.schemas import TaskStatus
    from kojin.registry.obligations.service import list_tasks

    with cli_errors():
        try:
            wanted = None if status is None else TaskStatus(status)
        except ValueError:
            raise InputError("--status must be open or done", field="status") from None
        try:
            duty = None if code is None else ObligationCode(code)
        except ValueError:
            raise InputError("--code names no duty", field="code") from None
        with open_registry(write=False) as registry:
            page = list_tasks(
                registry.session,
                cipher=registry.cipher,
                status=wanted,
                overdue=overdue,
                due_within_days=upcoming,
                code=duty,
                owner=owner,
                today=today_in_japan(),
                limit=limit,
            )
    if as_json:
        for task in page.items:
            write_json_line(task.model_dump(mode="json"), flush=False)
        return
    _print_tasks(page.items, page.total)


@obligations_app.command("show")
def show(task_id: IdArgument, as_json: JsonOption = False) -> None:
    """One task: the duty, what it is about, its decisions, owner, due date and history."""
    from kojin.registry.obligations.service import get_task

    with cli_errors(), open_registry(write=False) as registry:
        task = get_task(
            registry.session, cipher=registry.cipher, task_id=task_id, today=today_in_japan()
        )
    _emit(task, as_json)


@obligations_app.command("assign")
def assign(
    task_id: IdArgument,
    owner: Annotated[
        str | None, typer.Option("--owner", help="The department or person in charge.")
    ] = None,
    owner_kind: Annotated[
        str, typer.Option("--owner-kind", help="department (default) or person.")
    ] = "department",
    due: Annotated[
        str | None, typer.Option("--due", metavar="YYYY-MM-DD", help="A new due date.")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the due date moves (required with --due).")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give a task its owner and/or move its due date (with a reason)."""
    from pydantic import ValidationError

    from kojin.registry.obligations.schemas import AssignTask
    from kojin.registry.obligations.service import assign_task

    with cli_errors():
        who = actor_of(actor)
        try:
            new_due = None if due is None else date.fromisoformat(due)
        except ValueError:
            raise InputError("--due is not an ISO date (YYYY-MM-DD)", field="due") from None
        try:
            change = AssignTask.model_validate(
                {
                    "owner": None if owner is None else {"kind": owner_kind, "name": owner},
                    "due_on": new_due,
                    "reason": reason,
                }
            )
        except ValidationError as exc:
            raise InputError(_first_problem(exc), field="owner") from None
        with open_registry(write=True) as registry:
            task = assign_task(
                registry.session, cipher=registry.cipher, task_id=task_id, change=change, actor=who
            )
    _emit(task, as_json)


def _first_problem(exc: object) -> str:
    """The field and message of a validation error, never the input."""
    from pydantic import ValidationError

    assert isinstance(exc, ValidationError)
    error = exc.errors(include_input=False)[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}"


@obligations_app.command("close")
def close(
    task_id: IdArgument,
    document: Annotated[
        str | None, typer.Option("--document", help="The evidence document's description.")
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Where the document is (file name, URL, number)."),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            metavar="KIND:ID",
            help="A kojin record as evidence: decision, provision, dataset, incident "
            "(id or INC-…) or request, with its id.",
        ),
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close a task with its evidence; a periodic task's next round opens a year later."""
    from pydantic import ValidationError

    from kojin.management.task_evidence import close_task_with_evidence
    from kojin.registry.obligations.schemas import Evidence

    with cli_errors():
        who = actor_of(actor)
        if (document is None) == (record is None):
            raise InputError("give --document with --reference, or --record", field="evidence")
        if record is not None:
            kind, _, ref = record.partition(":")
            raw: dict[str, object] = {"kind": "record", "record_kind": kind, "record_id": ref}
        else:
            raw = {"kind": "document", "description": document, "reference": reference}
        try:
            evidence = Evidence.model_validate(raw)
        except ValidationError as exc:
            raise InputError(_first_problem(exc), field="evidence") from None
        with open_registry(write=True) as registry:
            task = close_task_with_evidence(
                registry.session,
                cipher=registry.cipher,
                task_id=task_id,
                evidence=evidence,
                actor=who,
            )
    _emit(task, as_json)


@obligations_app.command("reopen")
def reopen(
    task_id: IdArgument,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it opens again.")] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a closed task again (its evidence did not hold)."""
    from kojin.registry.obligations.service import reopen_task

    with cli_errors():
        who = actor_of(actor)
        with open_registry(write=True) as registry:
            task = reopen_task(
                registry.session, cipher=registry.cipher, task_id=task_id, actor=who, reason=reason
            )
    _emit(task, as_json)


@obligations_app.command("remind")
def remind() -> None:
    """Send the reminders due today (tasks overdue or due within 7 days) to
    KOJIN_OBLIGATION_REMINDER_TO now; print how many mails were sent."""
    from kojin.management.task_reminders import send_reminders

    with cli_errors(), open_registry(write=True) as registry:
        sent = send_reminders(
            session=registry.session,
            cipher=registry.cipher,
            settings=registry.settings,
            today=today_in_japan(),
        )
    typer.echo(f"{sent} reminder(s) sent / リマインダー {sent}件を送信しました")


def register(app: typer.Typer) -> None:
    """Add ``obligations`` to the root `app`."""
    app.add_typer(obligations_app, name="obligations")
