"""``kojin audits``: internal audits from the command line (JIS Q 15001; R-PM-5, R-PM-7).

- ``list`` and ``show``: audits and one audit's checklist, evidence, findings and actions
  (tables; ``--json`` for scripts);
- ``plan``: a new audit whose checklist is the controls the policy makes applicable;
- ``collect``: count kojin's records for every control over the audit's period;
- ``record``, ``finding``, ``action add|done|verify``: results, findings and corrective actions;
- ``reported`` and ``close``: reported to top management; closed once every action is verified;
- ``report``: the report as HTML or PDF, Japanese or English, written to a private file (0600).

An audit is named by its reference (``AUD-2027-01``) or its id. The audit chain names the
operating-system user unless ``--actor`` names the person the operator acts for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, TypeVar

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
from kojin.cli.registry_db import registry_database
from kojin.errors import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from kojin.crypto import FieldCipher
    from kojin.db.uow import Database
    from kojin.management.audits.schemas import AuditView
    from kojin.settings import Settings

M = TypeVar("M", bound="BaseModel")

audits_app = typer.Typer(
    help="Internal audits: checklists from the policy, evidence from kojin's records, findings "
    "and corrective actions, the report.",
    no_args_is_help=True,
)
action_app = typer.Typer(help="Corrective actions of a finding.", no_args_is_help=True)
audits_app.add_typer(action_app, name="action")

RefArgument = Annotated[
    str, typer.Argument(metavar="REF", help="The audit's reference (AUD-2027-01) or id.")
]
OnOption = Annotated[
    str | None, typer.Option("--on", help="The day it was done (ISO); default: today.")
]


def _required_day(value: str, option: str) -> date:
    day = day_of(value, option)
    assert day is not None
    return day


def _valid(build: type[M], **values: object) -> M:
    """`build(**values)`, a validation error as InputError naming the fields (not values)."""
    from pydantic import ValidationError

    try:
        return build.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(problems) from None


def _print_audit(view: AuditView, *, as_json: bool) -> None:
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"[bold]{view.reference}[/bold] {view.title} — {view.status.value}; "
        f"period {view.period_from} – {view.period_to}; "
        f"departments {', '.join(view.scope_departments)}"
    )
    table = Table(title=f"checklist ({view.results}/{view.items} recorded)")
    for column in ("control", "title", "evidence", "counts", "result"):
        table.add_column(column)
    for item in view.checklist:
        evidence = item.evidence
        table.add_row(
            item.control_id,
            item.title_en,
            "" if evidence is None else evidence.status.value,
            "" if evidence is None else ", ".join(f"{k} {v}" for k, v in evidence.counts.items()),
            "" if item.result is None else item.result.value,
        )
    console.print(table)
    for finding in view.findings:
        console.print(
            f"finding {finding.number} ({finding.kind.value}) on {finding.control_id} "
            f"[id {finding.id}]"
        )
        for action in finding.actions:
            late = " OVERDUE" if action.overdue else ""
            console.print(
                f"  action {action.id}: {action.owner_department}, due {action.due_on}, "
                f"{action.status.value}{late}"
            )


@audits_app.command("list")
def list_command(
    status: Annotated[
        str | None,
        typer.Option("--status", help="planned, in_progress, reported or closed; default: all."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per audit, one a line.")
    ] = False,
) -> None:
    """Audits, the latest planned first, with their counts of results, nonconformities and
    open actions."""
    from kojin.management.audits.schemas import AuditStatus
    from kojin.management.audits.service import list_audits

    with cli_errors():
        try:
            wanted = None if status is None else AuditStatus(status)
        except ValueError:
            raise InputError(
                "--status must be planned, in_progress, reported or closed", field="status"
            ) from None
        with open_registry(write=False) as registry:
            page = list_audits(session=registry.session, status=wanted, limit=1000)
    if as_json:
        for row in page.audits:
            write_json_line(row.model_dump(mode="json"), flush=False)
        return
    for row in page.audits:
        typer.echo(
            f"{row.reference}  {row.status.value:<11} {row.period_from}–{row.period_to}  "
            f"{row.results}/{row.items} recorded, {row.nonconformities} nonconform, "
            f"{row.actions_open} actions open  {row.title}"
        )


@audits_app.command("plan")
def plan(
    title: Annotated[str, typer.Option("--title", help="The audit's title.")],
    period_from: Annotated[str, typer.Option("--from", help="First day audited (ISO).")],
    period_to: Annotated[str, typer.Option("--to", help="Last day audited (ISO).")],
    departments: Annotated[
        list[str], typer.Option("--department", help="A department audited (repeat).")
    ],
    lead_auditor: Annotated[str, typer.Option("--lead-auditor", help="The lead auditor's name.")],
    lead_department: Annotated[
        str,
        typer.Option("--lead-department", help="The lead auditor's department (not audited)."),
    ],
    planned_on: Annotated[
        str | None, typer.Option("--planned-on", help="The planned day (ISO); default: today.")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan an audit: its checklist is every control the policy makes applicable."""
    from kojin.management.audits.schemas import AuditPlan
    from kojin.management.audits.service import plan_audit
    from kojin.policy import load_policy, to_facts

    with cli_errors():
        who = actor_of(actor)
        body = _valid(
            AuditPlan,
            title=title,
            period_from=_required_day(period_from, "--from"),
            period_to=_required_day(period_to, "--to"),
            scope_departments=departments,
            lead_auditor=lead_auditor,
            lead_auditor_department=lead_department,
            planned_on=day_of(planned_on, "--planned-on") or today_in_japan(),
        )
        with open_registry(write=True) as registry:
            facts = to_facts(load_policy(registry.settings.policy_file))
            view = plan_audit(
                session=registry.session,
                cipher=registry.cipher,
                policy=facts,
                plan=body,
                actor=who,
            )
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    typer.echo(f"audit {view.reference} planned with {view.items} controls (id {view.id})")


@audits_app.command("show")
def show(ref: RefArgument, as_json: JsonOption = False) -> None:
    """One audit: its checklist with the evidence and results, findings and actions."""
    from kojin.management.audits.service import get_audit

    with cli_errors(), open_registry(write=False) as registry:
        view = get_audit(
            session=registry.session, cipher=registry.cipher, audit_id=ref, today=today_in_japan()
        )
    _print_audit(view, as_json=as_json)


@contextmanager
def _database() -> Iterator[tuple[Database, FieldCipher, Settings]]:
    from kojin.crypto import FieldCipher, load_keyring

    settings = load_settings()
    cipher = FieldCipher(load_keyring(settings))
    with registry_database() as database:
        yield database, cipher, settings


@audits_app.command("collect")
def collect(ref: RefArgument, actor: ActorOption = None, as_json: JsonOption = False) -> None:
    """Count kojin's records for every control over the audit's period (provision records,
    requests, incidents, My Number disposals, the ledger, the audit chain)."""
    from kojin.law.controls import Applies, applies
    from kojin.management.audits.collect import collect as collect_in
    from kojin.mynumber.filing.retention import load_retention_rules
    from kojin.mynumber.vault import Vault
    from kojin.policy import load_policy, to_facts

    with cli_errors():
        who = actor_of(actor)
        with _database() as (database, cipher, settings):
            facts = to_facts(load_policy(settings.policy_file))
            retention = load_retention_rules(settings.mynumber_retention_file)
            # the vault is opened only when the policy makes the My Number controls apply
            vault = (
                Vault.open(settings=settings, registry=database, policy=facts)
                if applies(Applies.MY_NUMBER, facts)
                else None
            )
            try:
                view = collect_in(
                    database=database,
                    vault=vault,
                    retention=retention,
                    cipher=cipher,
                    audit_id=ref,
                    actor=who,
                    today=today_in_japan(),
                )
            finally:
                if vault is not None:
                    vault.close()
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    attention = [
        i.control_id for i in view.checklist if i.evidence and i.evidence.status == "attention"
    ]
    typer.echo(
        f"evidence of {view.reference} collected; {len(attention)} controls need attention"
        + (f": {', '.join(attention)}" if attention else "")
    )


@audits_app.command("record")
def record(
    ref: RefArgument,
    control: Annotated[str, typer.Argument(help="The control's id (R-TP-REC-1 ...).")],
    result: Annotated[
        str, typer.Argument(help="conform, nonconform, observation or not_applicable.")
    ],
    notes: Annotated[str, typer.Option("--notes", help="The auditor's notes.")] = "",
    actor: ActorOption = None,
) -> None:
    """Record the result on one control."""
    from kojin.management.audits.schemas import ItemResultIn
    from kojin.management.audits.service import record_result

    with cli_errors():
        who = actor_of(actor)
        body = _valid(ItemResultIn, result=result, notes=notes)
        with open_registry(write=True) as registry:
            item = record_result(
                session=registry.session,
                cipher=registry.cipher,
                audit_id=ref,
                control_id=control,
                result=body,
                actor=who,
            )
    typer.echo(f"{item.control_id}: {body.result.value}")


@audits_app.command("finding")
def finding(
    ref: RefArgument,
    control: Annotated[str, typer.Argument(help="The control's id.")],
    kind: Annotated[str, typer.Option("--kind", help="nonconformity or observation.")],
    description: Annotated[str, typer.Option("--description", help="What is wrong.")],
    root_cause: Annotated[str, typer.Option("--root-cause", help="Why.")] = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a finding on a control; print its id (to add corrective actions to)."""
    from kojin.management.audits.schemas import FindingIn
    from kojin.management.audits.service import add_finding

    with cli_errors():
        who = actor_of(actor)
        body = _valid(FindingIn, kind=kind, description=description, root_cause=root_cause)
        with open_registry(write=True) as registry:
            view = add_finding(
                session=registry.session,
                cipher=registry.cipher,
                audit_id=ref,
                control_id=control,
                finding=body,
                actor=who,
            )
    if as_json:
        write_json_line(view.model_dump(mode="json"))
        return
    typer.echo(f"finding {view.number} ({view.kind.value}) on {view.control_id}: id {view.id}")


def register(app: typer.Typer) -> None:
    """Add ``audits`` to the root `app` (with the commands of :mod:`kojin.cli.audits_close`)."""
    from kojin.cli import audits_close

    audits_close.register(audits_app, action_app)
    app.add_typer(audits_app, name="audits")
