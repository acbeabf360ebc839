"""``kojin incidents``: the incident register from the command line (APPI Art. 26; MNA Art.
29-4; R-BR-0..8).

- ``list`` and ``show``: incidents with whether each must be reported and the days left to each
  report (Rich tables; ``--json`` for scripts);
- ``record FILE`` and ``update REF FILE``: the facts, from YAML or JSON (only the keys given
  change on update); the assessment is made again on every change;
- ``step REF STEP``: a dated step (a report made, the people notified, closed ...);
- ``people import REF CSV`` and ``notices send REF``: the affected people and their notices;
- ``report`` and ``publication``: drafts written to a private file (0600);
- ``remind``: send the due reminders now (the server sends them on its own schedule).

An incident is named by its reference (``INC-2026-0001``) or its id. The audit chain names the
operating-system user unless ``--actor`` names the person the operator acts for. Output never
holds an affected person's name or address; errors name fields, lines and files, never values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, Literal
from zoneinfo import ZoneInfo

import typer

from kojin.cli.output import cli_actor, cli_errors, load_settings, write_json_line
from kojin.cli.registry_db import registry_database
from kojin.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kojin.crypto import FieldCipher
    from kojin.incidents.schemas import IncidentView
    from kojin.policy.model import Policy
    from kojin.settings import Settings

TOKYO: Final = ZoneInfo("Asia/Tokyo")
#: an incident's id (32 hex digits) or its reference
_ID = re.compile(r"[0-9a-f]{32}")
_REFERENCE = re.compile(r"INC-[0-9]{4}-[0-9]{4,6}")
#: who acts, as the audit chain names people: staff:<username>, token:<id> or cli:<user>
_ACTOR = re.compile(r"(staff|token|cli):[A-Za-z0-9._@+-]{1,64}")

incidents_app = typer.Typer(
    help="Incidents (leakage, loss, damage): reportability, clocks, notices and report drafts.",
    no_args_is_help=True,
)
people_app = typer.Typer(help="The people an incident affects.", no_args_is_help=True)
notices_app = typer.Typer(help="Notices to the affected people.", no_args_is_help=True)
incidents_app.add_typer(people_app, name="people")
incidents_app.add_typer(notices_app, name="notices")

RefArgument = Annotated[
    str, typer.Argument(metavar="REF", help="The incident's reference (INC-2026-0001) or id.")
]
ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        help="Who this is done by, for the audit chain: staff:<username> or token:<id> "
        "(default: cli:<operating-system user>).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON for scripts, not a table.")]
OutOption = Annotated[
    Path, typer.Option("--out", help="The file to write (0600; an existing file needs --force).")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")]


@dataclass(frozen=True, slots=True)
class _Registry:
    session: Session
    cipher: FieldCipher
    settings: Settings


def today_in_japan() -> date:
    """The day in Japan, the calendar the Commission's deadlines count in."""
    return datetime.now(TOKYO).date()


def _actor(given: str | None) -> str:
    if given is None:
        return cli_actor()
    if _ACTOR.fullmatch(given) is None:
        raise InputError(
            "--actor must be staff:<username> or token:<id> (letters, digits, ._@+-)",
            field="actor",
        )
    return given


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} is not an ISO date (YYYY-MM-DD)", field=option) from None


def _policy(settings: Settings) -> Policy:
    from kojin.policy import load_policy

    return load_policy(settings.policy_file)


@contextmanager
def _registry(*, write: bool) -> Iterator[_Registry]:
    """A session on the registry (a transaction committed at the end when `write`), with the
    field cipher and the settings."""
    from kojin.crypto import FieldCipher, load_keyring

    settings = load_settings()
    cipher = FieldCipher(load_keyring(settings))
    with registry_database() as database:
        scope = database.uow() if write else database.read()
        with scope as session:
            yield _Registry(session=session, cipher=cipher, settings=settings)


def _incident_id(session: Session, ref: str) -> str:
    """The id of the incident `ref` names (its reference or its id)."""
    from kojin.incidents.service import incident_id_for

    if _ID.fullmatch(ref):
        return ref
    if _REFERENCE.fullmatch(ref) is None:
        raise InputError("REF must be an incident reference (INC-2026-0001) or id", field="ref")
    found = incident_id_for(session=session, reference=ref)
    if found is None:
        raise NotFoundError(f"incident {ref} not found")
    return found


@contextmanager
def _draft_file() -> Iterator[list[Path]]:
    """Remove the draft written inside the block when its audit entry is not committed after all
    (no unrecorded draft is left behind)."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _assessment_line(view: IncidentView) -> str:
    from kojin.cli.incidents_view import due_text, yes_no

    assessment = view.assessment
    return (
        f"must report / 報告義務: {yes_no(assessment.must_report)}; "
        f"preliminary / 速報: {due_text(assessment.preliminary_by, view.days_left_preliminary)}; "
        f"final / 確報: {due_text(assessment.final_due, view.days_left_final)}"
    )


def _print_view(view: IncidentView, what: str, *, as_json: bool) -> None:
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    typer.echo(f"incident {view.reference} {what} (id {view.id})")
    typer.echo(_assessment_line(view))


@incidents_app.command("list")
def list_command(
    status: Annotated[
        str | None, typer.Option("--status", help="open or closed; default: both.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per incident, one a line.")
    ] = False,
) -> None:
    """Incidents with whether each must be reported and the days left to each report."""
    from kojin.cli.incidents_view import print_summaries
    from kojin.incidents.schemas import IncidentStatus
    from kojin.incidents.service import list_incidents

    with cli_errors():
        try:
            wanted = None if status is None else IncidentStatus(status)
        except ValueError:
            raise InputError("--status must be open or closed", field="status") from None
        with _registry(write=False) as registry:
            rows = list_incidents(
                session=registry.session,
                cipher=registry.cipher,
                today=today_in_japan(),
                status=wanted,
            )
    if as_json:
        for row in rows:
            write_json_line(row.model_dump(mode="json"), flush=False)
        return
    print_summaries(rows)


@incidents_app.command("show")
def show(ref: RefArgument, as_json: JsonOption = False) -> None:
    """One incident: assessment and reasons, clocks with days left, people's counts, linked
    requests, the recorded facts and the history."""
    from kojin.cli.incidents_view import print_incident
    from kojin.incidents.service import get_incident

    with cli_errors(), _registry(write=False) as registry:
        view = get_incident(
            session=registry.session,
            cipher=registry.cipher,
            incident_id=_incident_id(registry.session, ref),
            today=today_in_japan(),
        )
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    print_incident(view)


@incidents_app.command("record")
def record(
    file: Annotated[Path, typer.Argument(help="The incident's fields, YAML or JSON.")],
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record an incident from a YAML or JSON file of its fields (title, kind and at least one
    knowledge entry required); print its reference and whether it must be reported."""
    from kojin.cli.incidents_view import read_fields
    from kojin.incidents.service import record_incident

    with cli_errors():
        who = _actor(actor)
        fields = read_fields(file)
        with _registry(write=True) as registry:
            view = record_incident(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                fields=fields,
                today=today_in_japan(),
            )
    _print_view(view, "recorded", as_json=as_json)


@incidents_app.command("update")
def update(
    ref: RefArgument,
    file: Annotated[Path, typer.Argument(help="The fields to change, YAML or JSON.")],
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the fields the file gives (only those); the assessment is made again."""
    from kojin.cli.incidents_view import read_fields
    from kojin.incidents.service import update_incident

    with cli_errors():
        who = _actor(actor)
        fields = read_fields(file)
        with _registry(write=True) as registry:
            view = update_incident(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                incident_id=_incident_id(registry.session, ref),
                fields=fields,
                today=today_in_japan(),
            )
    _print_view(view, "updated", as_json=as_json)


@incidents_app.command("step")
def step(
    ref: RefArgument,
    step_name: Annotated[
        str,
        typer.Argument(
            metavar="STEP",
            help="entruster_notified, preliminary_reported, final_reported, people_notified, "
            "published, closed or reopened.",
        ),
    ],
    on: Annotated[
        str | None, typer.Option("--on", help="The day it was done (ISO); default: today.")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a dated step of an incident."""
    from kojin.incidents.schemas import IncidentStep
    from kojin.incidents.service import record_step

    with cli_errors():
        who = _actor(actor)
        try:
            chosen = IncidentStep(step_name)
        except ValueError:
            choices = ", ".join(item.value for item in IncidentStep)
            raise InputError(f"STEP must be one of {choices}", field="step") from None
        today = today_in_japan()
        day = _day(on, "--on") or today
        with _registry(write=True) as registry:
            view = record_step(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                incident_id=_incident_id(registry.session, ref),
                step=chosen,
                on=day,
                today=today,
            )
    _print_view(view, f"{chosen.value} on {day.isoformat()}", as_json=as_json)


@people_app.command("import")
def people_import(
    ref: RefArgument,
    csv_file: Annotated[
        Path,
        typer.Argument(metavar="CSV", help="Columns name,email,postal_address,lang; a header."),
    ],
    actor: ActorOption = None,
) -> None:
    """Add the affected people from CSV, all or none (an error names the line and column)."""
    from kojin.incidents.service import import_people

    with cli_errors():
        who = _actor(actor)
        try:
            data = csv_file.read_bytes()
        except OSError as exc:
            raise InputError(f"{csv_file}: cannot be read ({exc.strerror})", field="csv") from None
        with _registry(write=True) as registry:
            count = import_people(
                session=registry.session,
                cipher=registry.cipher,
                actor=who,
                incident_id=_incident_id(registry.session, ref),
                data=data,
            )
    typer.echo(f"{count} affected person(s) imported / {count}名を登録しました")


@notices_app.command("send")
def notices_send(ref: RefArgument, actor: ActorOption = None, as_json: JsonOption = False) -> None:
    """Send each affected person not yet notified the notice in their language by e-mail; count
    those to reach by post and those unreachable (publication is then the alternative)."""
    from kojin.incidents.service import send_notices

    with cli_errors():
        who = _actor(actor)
        with _registry(write=True) as registry:
            sent = send_notices(
                session=registry.session,
                cipher=registry.cipher,
                settings=registry.settings,
                policy=_policy(registry.settings),
                actor=who,
                incident_id=_incident_id(registry.session, ref),
                today=today_in_japan(),
            )
    if as_json:
        write_json_line(sent.model_dump(mode="json"))
        return
    typer.echo(
        f"{sent.sent} sent by e-mail / メール送信; {sent.by_post} to send by post / 郵送; "
        f"{sent.unreachable} unreachable / 連絡不能; {sent.already} already notified / 通知済"
    )


@incidents_app.command("report")
def report(
    ref: RefArgument,
    stage: Annotated[str, typer.Option("--stage", help="preliminary (速報) or final (確報).")],
    out: OutOption,
    file_format: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    force: ForceOption = False,
    actor: ActorOption = None,
) -> None:
    """Write a draft of the report to the Commission (its nine items, in Japanese) as HTML or
    PDF; the draft is recorded in the audit chain."""
    from kojin.cli.incidents_view import write_private
    from kojin.incidents.schemas import ReportStage
    from kojin.incidents.service import get_incident, ppc_report_html, ppc_report_pdf, record_draft

    with cli_errors():
        who = _actor(actor)
        try:
            chosen = ReportStage(stage)
        except ValueError:
            raise InputError("--stage must be preliminary or final", field="stage") from None
        if file_format not in ("html", "pdf"):
            raise InputError("--format must be html or pdf", field="format")
        today = today_in_japan()
        with _draft_file() as written, _registry(write=True) as registry:
            found = _incident_id(registry.session, ref)
            view = get_incident(
                session=registry.session, cipher=registry.cipher, incident_id=found, today=today
            )
            policy = _policy(registry.settings)
            if file_format == "pdf":
                data = ppc_report_pdf(view=view, policy=policy, stage=chosen, today=today)
            else:
                html = ppc_report_html(view=view, policy=policy, stage=chosen, today=today)
                data = html.encode("utf-8")
            record_draft(
                session=registry.session,
                actor=who,
                incident_id=found,
                what=f"ppc_report.{chosen.value}.{file_format}",
            )
            write_private(out, data, force=force)
            written.append(out)
    typer.echo(f"{chosen.value} report draft of {view.reference} written to {out} (0600)")


@incidents_app.command("publication")
def publication(
    ref: RefArgument,
    out: OutOption,
    lang: Annotated[str, typer.Option("--lang", help="ja or en.")] = "ja",
    force: ForceOption = False,
    actor: ActorOption = None,
) -> None:
    """Write the publication (the alternative measure when people cannot be reached) as HTML in
    Japanese or English; recorded in the audit chain as a draft."""
    from kojin.cli.incidents_view import write_private
    from kojin.incidents.service import get_incident, publication_html, record_draft

    with cli_errors():
        who = _actor(actor)
        if lang not in ("ja", "en"):
            raise InputError("--lang must be ja or en", field="lang")
        language: Literal["ja", "en"] = "ja" if lang == "ja" else "en"
        with _draft_file() as written, _registry(write=True) as registry:
            found = _incident_id(registry.session, ref)
            view = get_incident(
                session=registry.session,
                cipher=registry.cipher,
                incident_id=found,
                today=today_in_japan(),
            )
            html = publication_html(
                view=view,
                policy=_policy(registry.settings),
                settings=registry.settings,
                lang=language,
            )
            record_draft(
                session=registry.session, actor=who, incident_id=found, what=f"publication.{lang}"
            )
            write_private(out, html.encode("utf-8"), force=force)
            written.append(out)
    typer.echo(f"publication of {view.reference} ({lang}) written to {out} (0600)")


@incidents_app.command("remind")
def remind() -> None:
    """Send the reminders due today (reports due soon or overdue) to KOJIN_INCIDENT_REMINDER_TO
    now; print how many were sent."""
    from kojin.incidents.service import send_reminders

    with cli_errors(), _registry(write=True) as registry:
        sent = send_reminders(
            session=registry.session,
            cipher=registry.cipher,
            settings=registry.settings,
            today=today_in_japan(),
        )
    typer.echo(f"{sent} reminder(s) sent / リマインダー {sent}件を送信しました")


def register(app: typer.Typer) -> None:
    """Add ``incidents`` to the root `app`."""
    app.add_typer(incidents_app, name="incidents")
