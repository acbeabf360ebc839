"""``kojin review``: management reviews from the command line (JIS Q 15001; R-PM-8).

- ``create``: prepare a review of a period (default: the twelve full months before this month;
  ``--year`` a calendar year, ``--fiscal-year`` April to March, or ``--since``/``--until``)
  with its inputs gathered from the records now;
- ``list`` and ``show``: the reviews, and one with its inputs (``--json`` for scripts);
- ``refresh``: gather a draft's inputs again;
- ``update REF FILE``: the office's entries (title, law_changes, improvements, notes) from YAML
  or JSON;
- ``decide REF FILE``: the top manager's outputs (held_on, top_manager, decisions, notes);
- ``report REF --out FILE``: the report as HTML or PDF, Japanese or English, written to a
  private file (0600; an existing file only with ``--force``).

A review is named by its reference (``MR-2027-01``) or its id. Every change and every report is
in the audit chain with its actor (the operating-system user unless ``--actor`` names the
person the operator acts for); errors name fields and files, never values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

import typer
from pydantic import BaseModel

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
from kojin.cli.output import cli_errors, write_json_line
from kojin.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kojin.management.review.schemas import ReviewView

_ID = re.compile(r"[0-9a-f]{32}")
_REFERENCE = re.compile(r"MR-[0-9]{4}-[0-9]{2,4}")
Model = TypeVar("Model", bound=BaseModel)

review_app = typer.Typer(
    help="Management reviews: the period's inputs, changes in law, improvement opportunities, "
    "the top manager's decisions and the report.",
    no_args_is_help=True,
)

RefArgument = Annotated[
    str, typer.Argument(metavar="REF", help="The review's reference (MR-2027-01) or id.")
]


def _review_id(session: Session, ref: str) -> str:
    from kojin.management.review.service import review_id_for

    if _ID.fullmatch(ref):
        return ref
    if _REFERENCE.fullmatch(ref) is None:
        raise InputError("REF must be a review reference (MR-2027-01) or id", field="ref")
    found = review_id_for(session=session, reference=ref)
    if found is None:
        raise NotFoundError(f"review {ref} not found")
    return found


def _read(path: Path, model: type[Model]) -> Model:
    """`model` from the YAML or JSON file `path`; InputError names the file and the fields,
    never a value."""
    import yaml
    from pydantic import ValidationError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", field="file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", field="file") from None
    except yaml.YAMLError:
        raise InputError(f"{path}: not valid YAML or JSON", field="file") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: must hold a mapping of fields", field="file")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        where = [".".join(str(p) for p in e["loc"]) or "file" for e in errors]
        shown = "; ".join(f"{w}: {e['msg']}" for w, e in zip(where, errors, strict=True))
        raise InputError(f"{path}: {shown}", field=where[0]) from None


def _print(view: ReviewView, what: str | None, *, as_json: bool) -> None:
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    inputs = view.inputs
    requests = inputs.requests.total
    incidents = inputs.incidents
    lines = [
        f"{view.reference} {view.title}" + (f" ({what})" if what else ""),
        f"period / 対象期間: {view.since} – {view.until}; status / 状態: {view.status.value}",
        f"requests / 請求: received {requests.received}, closed {requests.closed}, on time "
        f"{requests.on_time}, late {requests.late}, overdue now {requests.overdue_now}",
        f"incidents / 事案: known {incidents.known}, reportable {incidents.reportable}, "
        f"open now {incidents.open_now}, overdue now {incidents.overdue_now}",
        f"audits / 内部監査: {inputs.audits.audits}, nonconformities "
        f"{inputs.audits.nonconformities}, actions open {inputs.audits.actions_open}",
        f"tasks / タスク: open {inputs.tasks.open}, overdue {inputs.tasks.overdue}",
        f"recipients / 委託先等: checks overdue {inputs.recipients.checks_overdue}",
        f"risks / リスク: rows {inputs.risks.rows}, assessed {inputs.risks.rows_assessed}",
        f"training / 教育: workers {inputs.training.workers}, overdue {inputs.training.overdue}",
        "opportunities / 改善の機会: "
        + (", ".join(f"{o.code} {o.count}" for o in inputs.opportunities) or "none"),
        f"law changes / 法令等の改正: {len(view.law_changes)}; "
        f"decisions / 決定: {len(view.decisions)}"
        + (f"; held on / 実施日: {view.held_on}" if view.held_on else ""),
    ]
    for line in lines:
        typer.echo(line)


@review_app.command("create")
def create(
    title: Annotated[str | None, typer.Option("--title", help="The review's title.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day, YYYY-MM-DD.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="A calendar year.")] = None,
    fiscal_year: Annotated[
        int | None, typer.Option("--fiscal-year", help="A fiscal year (April to March).")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Prepare a review of a period with its inputs gathered from the records now."""
    from kojin.management.review.schemas import ReviewCreate
    from kojin.management.review.service import create_review, period_choice

    with cli_errors():
        who = actor_of(actor)
        today = today_in_japan()
        first, last = day_of(since, "since"), day_of(until, "until")
        if (year is not None or fiscal_year is not None) and (first or last):
            raise InputError("give --since/--until or a year, not both", field="since")
        if year is not None or fiscal_year is not None:
            first, last = period_choice(today=today, year=year, fiscal_year=fiscal_year)
        review_in = ReviewCreate(title=title, since=first, until=last)
        with open_registry(write=True) as registry:
            view = create_review(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                review_in=review_in,
                today=today,
            )
    _print(view, "created", as_json=as_json)


@review_app.command("list")
def list_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per review, one a line.")
    ] = False,
) -> None:
    """The reviews, newest first."""
    from rich.console import Console
    from rich.table import Table

    from kojin.management.review.service import list_reviews

    with cli_errors(), open_registry(write=False) as registry:
        rows = list_reviews(session=registry.session, cipher=registry.cipher)
    if as_json:
        for row in rows:
            write_json_line(row.model_dump(mode="json"), flush=False)
        return
    table = Table(title=f"{len(rows)} review(s) / マネジメントレビュー {len(rows)}件")
    for header in ("reference / 整理番号", "title / 件名", "period / 対象期間", "status / 状態"):
        table.add_column(header)
    for row in rows:
        table.add_row(row.reference, row.title, f"{row.since} – {row.until}", row.status.value)
    Console(width=200).print(table)


@review_app.command("show")
def show(ref: RefArgument, as_json: JsonOption = False) -> None:
    """One review: its inputs, law changes, opportunities and decisions."""
    from kojin.management.review.service import get_review

    with cli_errors(), open_registry(write=False) as registry:
        view = get_review(
            session=registry.session,
            cipher=registry.cipher,
            review_id=_review_id(registry.session, ref),
        )
    _print(view, None, as_json=as_json)


@review_app.command("refresh")
def refresh(ref: RefArgument, actor: ActorOption = None, as_json: JsonOption = False) -> None:
    """Gather a draft review's inputs again from the records."""
    from kojin.management.review.service import refresh_inputs

    with cli_errors():
        who = actor_of(actor)
        with open_registry(write=True) as registry:
            view = refresh_inputs(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                review_id=_review_id(registry.session, ref),
                today=today_in_japan(),
            )
    _print(view, "refreshed", as_json=as_json)


@review_app.command("update")
def update(
    ref: RefArgument,
    file: Annotated[
        Path,
        typer.Argument(help="title, law_changes, improvements and notes, YAML or JSON."),
    ],
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change what the office entered (only the keys the file gives; lists replaced whole)."""
    from kojin.management.review.schemas import ReviewUpdate
    from kojin.management.review.service import update_review

    with cli_errors():
        who = actor_of(actor)
        changes = _read(file, ReviewUpdate)
        with open_registry(write=True) as registry:
            view = update_review(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                review_id=_review_id(registry.session, ref),
                changes=changes,
            )
    _print(view, "updated", as_json=as_json)


@review_app.command("decide")
def decide(
    ref: RefArgument,
    file: Annotated[
        Path,
        typer.Argument(help="held_on, top_manager, decisions (and notes), YAML or JSON."),
    ],
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record the review held and the top manager's decisions (replacing earlier ones)."""
    from kojin.management.review.schemas import ReviewOutcome
    from kojin.management.review.service import record_outcome

    with cli_errors():
        who = actor_of(actor)
        outcome = _read(file, ReviewOutcome)
        with open_registry(write=True) as registry:
            view = record_outcome(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                review_id=_review_id(registry.session, ref),
                outcome=outcome,
                today=today_in_japan(),
            )
    _print(view, "decided", as_json=as_json)


@review_app.command("report")
def report(
    ref: RefArgument,
    out: Annotated[
        Path,
        typer.Option("--out", help="The file to write (0600; an existing file needs --force)."),
    ],
    file_format: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    lang: Annotated[str, typer.Option("--lang", help="ja or en.")] = "ja",
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    actor: ActorOption = None,
) -> None:
    """Write the report for the top manager as HTML or PDF; recorded in the audit chain."""
    from kojin.cli.incidents_view import write_private
    from kojin.management.review.report import review_html, review_pdf
    from kojin.management.review.service import get_review, record_report
    from kojin.policy import load_policy

    with cli_errors():
        who = actor_of(actor)
        if file_format not in ("html", "pdf"):
            raise InputError("--format must be html or pdf", field="format")
        if lang not in ("ja", "en"):
            raise InputError("--lang must be ja or en", field="lang")
        language: Literal["ja", "en"] = "ja" if lang == "ja" else "en"
        written = False
        try:
            with open_registry(write=True) as registry:
                found = _review_id(registry.session, ref)
                view = get_review(session=registry.session, cipher=registry.cipher, review_id=found)
                policy = load_policy(registry.settings.policy_file)
                if file_format == "pdf":
                    data = review_pdf(view=view, policy=policy, lang=language)
                else:
                    data = review_html(view=view, policy=policy, lang=language).encode("utf-8")
                record_report(
                    session=registry.session,
                    actor=who,
                    review_id=found,
                    what=f"report.{language}.{file_format}",
                )
                write_private(out, data, force=force)
                written = True
        except BaseException:
            if written:  # the audit entry was not committed: leave no unrecorded report
                out.unlink(missing_ok=True)
            raise
    typer.echo(f"report of {view.reference} ({language}, {file_format}) written to {out} (0600)")


def register(app: typer.Typer) -> None:
    """Add ``review`` to the root `app`."""
    app.add_typer(review_app, name="review")
