"""``kojin audits action add|done|verify``, ``reported``, ``close`` and ``report``: corrective
actions (R-PM-7), the report to top management (R-PM-5) and closing an audit, from the command
line. See :mod:`kojin.cli.audits`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from kojin.cli.audits import OnOption, RefArgument, _required_day, _valid
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
from kojin.errors import InputError

ActionArgument = Annotated[str, typer.Argument(metavar="ACTION", help="The action's id.")]


def action_add(
    finding_id: Annotated[str, typer.Argument(metavar="FINDING", help="The finding's id.")],
    action: Annotated[str, typer.Option("--action", help="What will be done.")],
    owner_department: Annotated[
        str, typer.Option("--owner-department", help="The department that owns it.")
    ],
    due: Annotated[str, typer.Option("--due", help="The due date (ISO).")],
    owner_person: Annotated[
        str | None, typer.Option("--owner-person", help="The person who owns it.")
    ] = None,
    follow_up: Annotated[
        str | None, typer.Option("--follow-up", help="When to follow it up (ISO).")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a corrective action to a finding; print its id."""
    from kojin.management.audits.schemas import ActionIn
    from kojin.management.audits.service import add_action

    with cli_errors():
        who = actor_of(actor)
        body = _valid(
            ActionIn,
            action=action,
            owner_department=owner_department,
            owner_person=owner_person,
            due_on=_required_day(due, "--due"),
            follow_up_on=day_of(follow_up, "--follow-up"),
        )
        with open_registry(write=True) as registry:
            view = add_action(
                session=registry.session,
                cipher=registry.cipher,
                finding_id=finding_id,
                action=body,
                actor=who,
            )
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    typer.echo(f"action {view.id} due {view.due_on}")


def _progress(
    action_id: str, status: str, on: str | None, effectiveness: str, actor: str | None
) -> None:
    from kojin.management.audits.schemas import ActionProgress
    from kojin.management.audits.service import progress_action

    with cli_errors():
        who = actor_of(actor)
        body = _valid(
            ActionProgress,
            status=status,
            on=day_of(on, "--on") or today_in_japan(),
            effectiveness=effectiveness,
        )
        with open_registry(write=True) as registry:
            view = progress_action(
                session=registry.session,
                cipher=registry.cipher,
                action_id=action_id,
                progress=body,
                actor=who,
            )
    typer.echo(f"action {view.id}: {view.status.value}")


def action_done(action_id: ActionArgument, on: OnOption = None, actor: ActorOption = None) -> None:
    """Mark a corrective action done by its owner."""
    _progress(action_id, "done", on, "", actor)


def action_verify(
    action_id: ActionArgument,
    effectiveness: Annotated[
        str, typer.Option("--effectiveness", help="How its effectiveness was checked.")
    ],
    on: OnOption = None,
    actor: ActorOption = None,
) -> None:
    """Verify a done corrective action effective (R-PM-7)."""
    _progress(action_id, "verified", on, effectiveness, actor)


def reported(
    ref: RefArgument,
    summary: Annotated[str, typer.Option("--summary", help="The auditor's summary.")] = "",
    on: OnOption = None,
    actor: ActorOption = None,
) -> None:
    """Record that the audit was reported to top management (every control needs a result)."""
    from kojin.management.audits.service import report_audit

    with cli_errors():
        who = actor_of(actor)
        day = day_of(on, "--on") or today_in_japan()
        with open_registry(write=True) as registry:
            view = report_audit(
                session=registry.session,
                cipher=registry.cipher,
                audit_id=ref,
                summary=summary,
                on=day,
                actor=who,
            )
    typer.echo(f"audit {view.reference} reported on {day}")


def close(ref: RefArgument, on: OnOption = None, actor: ActorOption = None) -> None:
    """Close a reported audit once every corrective action is verified."""
    from kojin.management.audits.service import close_audit

    with cli_errors():
        who = actor_of(actor)
        day = day_of(on, "--on") or today_in_japan()
        with open_registry(write=True) as registry:
            view = close_audit(
                session=registry.session, cipher=registry.cipher, audit_id=ref, on=day, actor=who
            )
    typer.echo(f"audit {view.reference} closed on {day}")


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
    """Write the audit report for top management as HTML or PDF; recorded in the audit chain."""
    from kojin.cli.incidents_view import write_private
    from kojin.management.audits.report import report_html, report_pdf
    from kojin.management.audits.service import get_audit, record_report
    from kojin.policy import load_policy

    with cli_errors():
        who = actor_of(actor)
        if file_format not in ("html", "pdf"):
            raise InputError("--format must be html or pdf", field="format")
        if lang not in ("ja", "en"):
            raise InputError("--lang must be ja or en", field="lang")
        language: Literal["ja", "en"] = "ja" if lang == "ja" else "en"
        today = today_in_japan()
        with open_registry(write=True) as registry:
            view = get_audit(
                session=registry.session, cipher=registry.cipher, audit_id=ref, today=today
            )
            organization = load_policy(registry.settings.policy_file).organization.name.get(
                language
            )
            render = report_pdf if file_format == "pdf" else report_html
            data = render(view=view, lang=language, organization=organization, today=today)
            record_report(
                session=registry.session, audit_id=view.id, actor=who, what=f"{file_format}.{lang}"
            )
            write_private(
                out, data if isinstance(data, bytes) else data.encode("utf-8"), force=force
            )
    typer.echo(f"report of {view.reference} written to {out} (0600)")


def register(audits_app: typer.Typer, action_app: typer.Typer) -> None:
    """Add these commands to ``kojin audits`` and its ``action`` group."""
    action_app.command("add")(action_add)
    action_app.command("done")(action_done)
    action_app.command("verify")(action_verify)
    audits_app.command("reported")(reported)
    audits_app.command("close")(close)
    audits_app.command("report")(report)
