"""``kojin recipients``: the register of entrustees and foreign recipients with equivalent
measures (APPI Arts. 25, 28(3); Rule 18; MNA Art. 11; R-SEC-4, R-MN-8, R-TP-FX-3, R-PM-11).

- ``list`` and ``show``: the register, overdue checks first (Rich tables; ``--json`` for
  scripts);
- ``add FILE`` and ``update ID FILE``: a recipient's fields from YAML or JSON (only the keys
  given change on update);
- ``end ID``: the entrustment or provision ended;
- ``check ID --kind K --result R``: a periodic check, its notes and actions from ``--details``;
- ``statement ID``: the Art. 28(3) information for a person who asks (ja/en).

The audit chain names the operating-system user unless ``--actor`` names the person the
operator acts for. Errors name fields, lines and files, never values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeVar

import typer

from kojin.cli.management_common import (
    ActorOption,
    JsonOption,
    actor_of,
    day_of,
    today_in_japan,
)
from kojin.cli.management_common import (
    registry as open_registry,
)
from kojin.cli.output import cli_errors, load_settings, write_json_line
from kojin.errors import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from kojin.registry.recipients.schemas import RecipientSummary, RecipientView

    ModelT = TypeVar("ModelT", bound=BaseModel)

#: an unknown key of a fields file is shown only when it reads like one of kojin's field names
_KEY_SHOWN = re.compile(r"[a-z][a-z0-9_]{0,39}")

recipients_app = typer.Typer(
    help="Entrustees and foreign recipients: contracts, evaluations, periodic checks and the "
    "Art. 28(3) statement.",
    no_args_is_help=True,
)

IdArgument = Annotated[str, typer.Argument(metavar="ID", help="The recipient's id.")]


def _declared() -> frozenset[str]:
    """The category ids the policy in use declares."""
    from kojin.policy import load_policy, to_facts

    return frozenset(to_facts(load_policy(load_settings().policy_file)).categories)


def _location(loc: tuple[int | str, ...], kind: str) -> str:
    parts: list[str] = []
    for index, segment in enumerate(loc):
        if isinstance(segment, int):
            parts.append(str(segment))
        elif kind != "extra_forbidden" or index < len(loc) - 1 or _KEY_SHOWN.fullmatch(segment):
            parts.append(segment)
        else:
            parts.append("<key>")
    return ".".join(parts) or "file"


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", field="file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", field="file") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno})", field="file"
            ) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            raise InputError(f"{path}: not valid YAML or JSON{where}", field="file") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: must hold a mapping of fields", field="file")
    return data


def read_model(path: Path, model: type[ModelT], **extra: Any) -> ModelT:
    """`model` from the YAML (or JSON, for ``.json``) mapping in `path`, plus `extra` keys.
    InputError names the file and the fields, never a value."""
    from pydantic import ValidationError

    data = {**_read(path), **extra}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        problems = [f"{_location(tuple(e['loc']), e['type'])}: {e['msg']}" for e in errors]
        first = _location(tuple(errors[0]["loc"]), errors[0]["type"])
        raise InputError(f"{path}: {'; '.join(problems[:10])}", field=first) from None


def _kinds(row: RecipientSummary) -> str:
    pairs = ((row.entrustee, "entrustee"), (row.foreign_rule16, "rule16"))
    return ", ".join(name for flag, name in pairs if flag)


def _due(row: RecipientSummary) -> str:
    if row.status.value != "active":
        return "-"
    left = row.days_left
    if left < 0:
        return f"{row.next_check_due.isoformat()} ({-left} days overdue / {-left}日超過)"
    return f"{row.next_check_due.isoformat()} ({left} days left / あと{left}日)"


def _print_list(rows: list[RecipientSummary]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Recipients / 委託先・外国提供先")
    for column in ("id", "name / 名称", "kind / 種別", "country", "status", "last check", "next"):
        table.add_column(column)
    for row in rows:
        last = (
            "-"
            if row.last_check_on is None or row.last_check_result is None
            else f"{row.last_check_on.isoformat()} {row.last_check_result.value}"
        )
        table.add_row(row.id, row.name, _kinds(row), row.country, row.status.value, last, _due(row))
    Console(highlight=False, soft_wrap=False).print(table)


def _print_view(view: RecipientView) -> None:
    typer.echo(f"recipient {view.id}: {view.name} ({_kinds(view)}, {view.country})")
    typer.echo(f"status / 状態: {view.status.value}; next check / 次回点検: {_due(view)}")
    if view.contract_items_missing:
        missing = ", ".join(item.value for item in view.contract_items_missing)
        typer.echo(f"contract items missing / 契約に欠ける事項: {missing}")
    for entry in view.checks:
        typer.echo(
            f"check {entry.checked_on.isoformat()} {entry.kind.value}: {entry.result.value} "
            f"(next due {entry.next_due.isoformat()})"
        )


def _emit(view: RecipientView, what: str, *, as_json: bool) -> None:
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    typer.echo(f"recipient {view.id} {what}; next check due {view.next_check_due.isoformat()}")


@recipients_app.command("list")
def list_command(
    status: Annotated[
        str, typer.Option("--status", help="active, ended or all; default: active.")
    ] = "active",
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only recipients whose check is overdue.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per recipient, one a line.")
    ] = False,
) -> None:
    """The register, overdue checks first, with each recipient's next check."""
    from kojin.registry.recipients.schemas import RecipientStatus
    from kojin.registry.recipients.service import list_recipients

    with cli_errors():
        if status not in ("active", "ended", "all"):
            raise InputError("--status must be active, ended or all", field="status")
        wanted = None if status == "all" else RecipientStatus(status)
        with open_registry(write=False) as registry:
            rows = list_recipients(
                session=registry.session,
                cipher=registry.cipher,
                today=today_in_japan(),
                status=wanted,
                overdue=overdue,
            )
    if as_json:
        for row in rows:
            write_json_line(row.model_dump(mode="json"), flush=False)
        return
    _print_list(rows)


@recipients_app.command("show")
def show(recipient_id: IdArgument, as_json: JsonOption = False) -> None:
    """One recipient: what is entrusted, the contract's missing items and the checks."""
    from kojin.registry.recipients.service import get_recipient

    with cli_errors(), open_registry(write=False) as registry:
        view = get_recipient(
            session=registry.session,
            cipher=registry.cipher,
            recipient_id=recipient_id,
            today=today_in_japan(),
        )
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    _print_view(view)


@recipients_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="The recipient's fields, YAML or JSON.")],
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a recipient (name, country and entrustee and/or foreign_rule16 required)."""
    from kojin.registry.recipients.schemas import RecipientFields
    from kojin.registry.recipients.service import add_recipient

    with cli_errors():
        who = actor_of(actor)
        fields = read_model(file, RecipientFields)
        with open_registry(write=True) as registry:
            view = add_recipient(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                fields=fields,
                today=today_in_japan(),
                declared=_declared(),
            )
    _emit(view, "registered", as_json=as_json)


@recipients_app.command("update")
def update(
    recipient_id: IdArgument,
    file: Annotated[Path, typer.Argument(help="The fields to change, YAML or JSON.")],
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the fields the file gives (only those)."""
    from kojin.registry.recipients.schemas import RecipientFields
    from kojin.registry.recipients.service import update_recipient

    with cli_errors():
        who = actor_of(actor)
        fields = read_model(file, RecipientFields)
        with open_registry(write=True) as registry:
            view = update_recipient(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                recipient_id=recipient_id,
                fields=fields,
                today=today_in_japan(),
                declared=_declared(),
            )
    _emit(view, "updated", as_json=as_json)


@recipients_app.command("end")
def end(
    recipient_id: IdArgument,
    on: Annotated[
        str | None, typer.Option("--on", help="The day it ended (ISO); default: today.")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record that the entrustment or provision ended: the recipient leaves the register."""
    from kojin.registry.recipients.service import end_recipient

    with cli_errors():
        who = actor_of(actor)
        today = today_in_japan()
        day = day_of(on, "--on") or today
        with open_registry(write=True) as registry:
            view = end_recipient(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                recipient_id=recipient_id,
                on=day,
                today=today,
            )
    _emit(view, f"ended on {day.isoformat()}", as_json=as_json)


@recipients_app.command("check")
def check(
    recipient_id: IdArgument,
    kind: Annotated[
        str, typer.Option("--kind", help="supervision, foreign_measures or foreign_system.")
    ],
    result: Annotated[str, typer.Option("--result", help="satisfactory, issues or failed.")],
    on: Annotated[
        str | None, typer.Option("--on", help="The day of the check (ISO); default: today.")
    ] = None,
    next_due: Annotated[
        str | None,
        typer.Option("--next-due", help="When the next check is due (ISO); default: a year on."),
    ] = None,
    details: Annotated[
        Path | None,
        typer.Option("--details", help="A YAML or JSON file with `notes` and `actions`."),
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a periodic check of a recipient and its result."""
    from kojin.registry.recipients.schemas import CheckInput
    from kojin.registry.recipients.service import record_check

    with cli_errors():
        who = actor_of(actor)
        today = today_in_japan()
        given: dict[str, Any] = {
            "kind": kind,
            "result": result,
            "checked_on": day_of(on, "--on") or today,
            "next_due": day_of(next_due, "--next-due"),
        }
        if details is None:
            from pydantic import ValidationError

            try:
                check_in = CheckInput.model_validate(given)
            except ValidationError as exc:
                field = str(exc.errors()[0]["loc"][0])
                raise InputError(
                    f"--{field} is not one of the accepted values", field=field
                ) from None
        else:
            check_in = read_model(details, CheckInput, **given)
        with open_registry(write=True) as registry:
            view = record_check(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                recipient_id=recipient_id,
                check=check_in,
                today=today,
            )
    _emit(view, f"checked ({check_in.kind.value}: {check_in.result.value})", as_json=as_json)


@recipients_app.command("statement")
def statement_command(
    recipient_id: IdArgument,
    lang: Annotated[str, typer.Option("--lang", help="ja or en.")] = "ja",
    as_json: JsonOption = False,
) -> None:
    """The Art. 28(3) information about a foreign recipient with a Rule 16 system, for a person
    who asks."""
    from kojin.registry.recipients.schemas import Statement
    from kojin.registry.recipients.service import statement

    with cli_errors():
        if lang not in ("ja", "en"):
            raise InputError("--lang must be ja or en", field="lang")
        with open_registry(write=False) as registry:
            view = statement(
                session=registry.session,
                cipher=registry.cipher,
                recipient_id=recipient_id,
                lang="ja" if lang == "ja" else "en",
            )
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    labels = STATEMENT_LABELS[view.lang]
    typer.echo(f"{labels['country']}: {view.country_name} ({view.country})")
    for name in Statement.model_fields:
        typer.echo(f"{labels[name]}: {getattr(view.items, name) or labels['none']}")


#: the statement's headings in each language (Art. 28(3); Rule 18(3))
STATEMENT_LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "country": "Country",
        "setup": "How the system was set up",
        "measures": "Outline of the measures",
        "check_method": "Frequency and method of checks",
        "foreign_laws": "Foreign laws that may affect the measures",
        "impediments": "Impediments and responses",
        "none": "(not recorded)",
    },
    "ja": {
        "country": "外国の名称",
        "setup": "体制の整備の方法",
        "measures": "提供先が実施する相当措置の概要",
        "check_method": "確認の頻度及び方法",
        "foreign_laws": "相当措置の実施に影響を及ぼすおそれのある外国の制度",
        "impediments": "実施に関する支障及びその対応",
        "none": "（記録なし）",
    },
}


def register(app: typer.Typer) -> None:
    """Add ``recipients`` to the root `app`."""
    app.add_typer(recipients_app, name="recipients")
