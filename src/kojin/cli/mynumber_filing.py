"""``kojin mynumber`` filing and retention commands: export, schedule, dispose-due,
status-register, payments import, retention add, exports list|delete. They never print a
number: only the file ``export`` writes holds numbers.

The command line is run by an operator of the server on behalf of a designated person in
charge: the commands that handle payments or numbers name that person with ``--handler``
(``staff:<username>`` or ``token:<id>``), whose designation must cover the affair and the
people; the export's audit entry records the operating-system user as well.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.mynumber import open_vault
from kojin.cli.output import cli_actor, cli_errors, load_settings, write_json_line
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.crypto import FieldCipher
    from kojin.mynumber.filing.retention import RetentionRules
    from kojin.settings import Settings

payments_app = typer.Typer(help="Payments behind the payment records.", no_args_is_help=True)
retention_app = typer.Typer(help="Documents that keep a record's number.", no_args_is_help=True)
exports_app = typer.Typer(help="Payment-record files handed out.", no_args_is_help=True)

HandlerOption = Annotated[
    str,
    typer.Option(
        "--handler",
        help="The designated person in charge this is done for: staff:<username> or token:<id>.",
    ),
]


def _cipher(settings: Settings) -> FieldCipher:
    """The registry's field cipher (names and addresses; payments' fields)."""
    from kojin.crypto import FieldCipher, load_keyring

    return FieldCipher(load_keyring(settings))


def _rules(settings: Settings) -> RetentionRules:
    from kojin.mynumber.filing.retention import load_retention_rules

    return load_retention_rules(settings.mynumber_retention_file)


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} is not an ISO date (YYYY-MM-DD)", field=option) from None


def export(
    year: Annotated[int, typer.Option("--year", help="The calendar year of the payments.")],
    affair: Annotated[str, typer.Option("--affair", help="The affair (a purpose id).")],
    out: Annotated[
        Path, typer.Option("--out", help="The CSV file to write (0600; must not exist yet).")
    ],
    handler: HandlerOption,
    include_below_threshold: Annotated[
        bool,
        typer.Option(
            "--include-below-threshold",
            help="Also list payees whose annual total does not exceed the filing threshold.",
        ),
    ] = False,
    bom: Annotated[
        bool,
        typer.Option("--bom/--no-bom", help="Start the file with a UTF-8 BOM (for Excel)."),
    ] = True,
    header: Annotated[
        str, typer.Option("--header", help="Header labels: ja (default), en or keys.")
    ] = "ja",
    payer_name: Annotated[
        str | None, typer.Option("--payer-name", help="Instead of KOJIN_MYNUMBER_PAYER_NAME.")
    ] = None,
    payer_address: Annotated[
        str | None,
        typer.Option("--payer-address", help="Instead of KOJIN_MYNUMBER_PAYER_ADDRESS."),
    ] = None,
    payer_corporate_number: Annotated[
        str | None,
        typer.Option(
            "--payer-corporate-number", help="Instead of KOJIN_MYNUMBER_PAYER_CORPORATE_NUMBER."
        ),
    ] = None,
    payer_phone: Annotated[
        str | None, typer.Option("--payer-phone", help="Instead of KOJIN_MYNUMBER_PAYER_PHONE.")
    ] = None,
) -> None:
    """Write the payment record (支払調書) of a year and an affair as CSV, recorded and audited.

    The only output of kojin that holds numbers: written 0600, never over another file.
    """
    from kojin.mynumber.filing.csv_file import HeaderStyle
    from kojin.mynumber.filing.export import ExportOptions, export_payment_records
    from kojin.mynumber.filing.payer import payer_from_settings

    with cli_errors():
        try:
            style = HeaderStyle(header)
        except ValueError:
            raise InputError("--header must be ja, en or keys", field="header") from None
        settings = load_settings()
        payer = payer_from_settings(
            settings,
            name=payer_name,
            address=payer_address,
            corporate_number=payer_corporate_number,
            phone=payer_phone,
        )
        rules = _rules(settings)
        existed = out.exists()
        with open_vault() as vault:
            try:
                with vault.transaction() as sessions:
                    made = export_payment_records(
                        vault=vault,
                        sessions=sessions,
                        cipher=_cipher(settings),
                        rules=rules,
                        actor=handler,
                        year=year,
                        affair=affair,
                        payer=payer,
                        options=ExportOptions(
                            include_below_threshold=include_below_threshold,
                            bom=bom,
                            header=style,
                        ),
                        out=out,
                        operator=cli_actor(),
                    )
            except BaseException:
                if not existed:  # written, then the commit failed: no unrecorded file remains
                    out.unlink(missing_ok=True)
                raise
    summary = made.summary
    left = "included" if summary.below_threshold_included else "left out"
    typer.echo(
        f"{summary.export.rows} row(s) for {summary.payees} payee(s) written to {out} (0600); "
        f"{summary.below_threshold} payee(s) below the filing threshold {left}; "
        f"{summary.without_number} without a number"
    )
    typer.echo(f"export {summary.export.id}, sha256 {summary.export.sha256}")


def schedule(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only the records overdue for disposal.")
    ] = False,
    horizon_days: Annotated[
        int, typer.Option("--horizon-days", min=0, help="What counts as upcoming (days).")
    ] = 90,
    today: Annotated[
        str | None, typer.Option("--today", help="As of this date (ISO); default: today.")
    ] = None,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON document per line.")] = False,
) -> None:
    """The disposal schedule of the vault's active records, soonest due first (no numbers)."""
    from kojin.db.base import utcnow
    from kojin.mynumber.filing.disposal_due import disposal_schedule
    from kojin.mynumber.filing.schedule import ScheduleStatus
    from kojin.mynumber.records import day_in_japan

    with cli_errors():
        day = day_in_japan(utcnow()) if today is None else _day(today, "--today")
        rules = _rules(load_settings())
        with open_vault() as vault, vault.read() as sessions:
            rows = disposal_schedule(
                sessions=sessions, rules=rules, scope=None, today=day, horizon_days=horizon_days
            )
    if overdue:
        rows = [row for row in rows if row.status is ScheduleStatus.OVERDUE]
    if json_lines:
        for row in rows:
            write_json_line(row.model_dump(mode="json"))
        return
    typer.echo(f"{len(rows)} record(s) as of {day.isoformat()}")
    for row in rows:
        due = row.due.isoformat() if row.due else "-"
        typer.echo(
            f"  {row.record_id}  {row.status.value:<10}  due {due:<10}  {','.join(row.affairs)}"
        )


def dispose_due(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: disposal is irrecoverable.")] = False,
) -> None:
    """Dispose of every record overdue for disposal, each with a reason naming the rule.

    Crypto-shredding, irrecoverable; the vault key is rotated afterwards.
    """
    from kojin.mynumber.filing.disposal_due import dispose_due as dispose

    with cli_errors():
        if not yes:
            raise InputError("disposal is irrecoverable: confirm with --yes", field="yes")
        rules = _rules(load_settings())
        with open_vault() as vault:
            disposed = dispose(vault=vault, actor=cli_actor(), rules=rules)
    typer.echo(f"{len(disposed)} overdue record(s) disposed of")
    for record in disposed:
        typer.echo(f"  {record.id}  {record.disposal_reason}")


def status_register(
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV (UTF-8 with a BOM).")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="With --csv: write to this file, not stdout.")
    ] = None,
) -> None:
    """The status register of specific personal information files (R-MN-9), without numbers.

    Each file with its purpose, responsible department, deletion status and access holders.
    """
    from kojin.cli.registry_db import write_atomically
    from kojin.db.base import utcnow
    from kojin.mynumber.filing.status_register import register_csv
    from kojin.mynumber.filing.status_register import status_register as rows_of
    from kojin.mynumber.records import day_in_japan
    from kojin.policy import load_policy

    with cli_errors():
        settings = load_settings()
        policy = load_policy(settings.policy_file)
        moment = utcnow()
        rules = _rules(settings)
        with open_vault() as vault, vault.read() as sessions:
            rows = rows_of(
                sessions=sessions,
                policy=policy,
                facts=vault.policy,
                rules=rules,
                today=day_in_japan(moment),
                now=moment,
            )
    if csv:
        data = register_csv(rows)
        if out is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_atomically(out, lambda handle: handle.write(data))
            typer.echo(f"{len(rows)} file(s) written to {out}")
        return
    for row in rows:
        typer.echo(
            f"{row.file_id}  {row.file_type.value}  {row.responsible_department or '-'}  "
            f"{row.deletion_status}  holders: {', '.join(row.access_holders) or '-'}"
        )


@payments_app.command("import")
def payments_import(
    file: Annotated[Path, typer.Argument(help="Payments CSV with a header row.")],
    handler: HandlerOption,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="utf-8, cp932 (Shift_JIS)...; default: detected."),
    ] = None,
) -> None:
    """Import payments from CSV, all or nothing, each row checked against its record's columns.

    The affairs and the payees must be within the handler's designation.
    """
    from kojin.mynumber.filing.payments_csv import import_payments
    from kojin.mynumber.handlers import handler_scope
    from kojin.registry.ledger.csvio import decode_csv

    with cli_errors():
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"{file}: cannot be read ({exc.strerror})", field="path") from None
        text = decode_csv(data, source=str(file), encoding=encoding, option="--encoding")
        settings = load_settings()
        with open_vault() as vault, vault.transaction() as sessions:
            result = import_payments(
                session=sessions.registry,
                cipher=_cipher(settings),
                policy=vault.policy,
                actor=handler,
                scope=handler_scope(vault=sessions.vault, actor=handler),
                text=text,
            )
    counts = ", ".join(f"{affair} {n}" for affair, n in result.by_affair.items())
    typer.echo(f"{result.created} payment(s) imported" + (f" ({counts})" if counts else ""))


@retention_app.command("add")
def retention_add(
    record_id: Annotated[str, typer.Argument(metavar="RECORD_ID", help="The vault record.")],
    document: Annotated[
        str, typer.Option("--document", help="The document kind, e.g. dependants_deduction_form.")
    ],
    reference_date: Annotated[
        str,
        typer.Option(
            "--reference-date",
            help="The date its rule counts from (e.g. the form's submission deadline), ISO.",
        ),
    ],
    affair: Annotated[
        str | None, typer.Option("--affair", help="The affair the document serves.")
    ] = None,
) -> None:
    """Record a document that keeps a record's number until its retention ends (R-MN-7)."""
    from kojin.mynumber.filing.retention_items import add_retention_item
    from kojin.mynumber.filing.schemas import RetentionItemIn

    with cli_errors():
        day = _day(reference_date, "--reference-date")
        item = RetentionItemIn(
            record_id=record_id, document=document, reference_date=day, affair=affair
        )
        rules = _rules(load_settings())
        with open_vault() as vault, vault.transaction() as sessions:
            made = add_retention_item(
                sessions=sessions, rules=rules, actor=cli_actor(), scope=None, item=item
            )
    typer.echo(
        f"{made.document} of record {made.record_id} kept until {made.retention_until.isoformat()}"
    )


@exports_app.command("list")
def exports_list() -> None:
    """The payment-record files handed out: year, affair, rows, SHA-256, deleted or held."""
    from kojin.mynumber.filing.exports import list_exports

    with cli_errors(), open_vault() as vault, vault.read() as sessions:
        exports = list_exports(session=sessions.registry)
    for made in exports:
        held = "held" if made.deleted_at is None else f"deleted {made.deleted_at.date()}"
        typer.echo(
            f"{made.id}  {made.year}  {made.affair}  {made.rows} row(s)  {made.file_name}  "
            f"{held}  sha256 {made.sha256}"
        )


@exports_app.command("delete")
def exports_delete(
    export_id: Annotated[str, typer.Argument(metavar="ID", help="The export.")],
    handler: HandlerOption,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Also remove this copy (only if it is the file recorded)."),
    ] = None,
) -> None:
    """Record that every copy of an export's file is deleted.

    With --file, that copy is removed first (its SHA-256 must be the one recorded).
    """
    from kojin.mynumber.filing.exports import get_export, mark_export_deleted
    from kojin.mynumber.filing.files import remove_recorded_file
    from kojin.mynumber.handlers import handler_scope

    with cli_errors(), open_vault() as vault, vault.transaction() as sessions:
        if file is not None:
            recorded = get_export(session=sessions.registry, export_id=export_id)
            remove_recorded_file(file, recorded.sha256)
        made = mark_export_deleted(
            session=sessions.registry,
            actor=handler,
            scope=handler_scope(vault=sessions.vault, actor=handler),
            export_id=export_id,
        )
    typer.echo(f"export {made.id} marked deleted")


def register(group: typer.Typer) -> None:
    """Add the filing and retention commands to the ``mynumber`` `group`."""
    group.command("export")(export)
    group.command("schedule")(schedule)
    group.command("dispose-due")(dispose_due)
    group.command("status-register")(status_register)
    group.add_typer(payments_app, name="payments")
    group.add_typer(retention_app, name="retention")
    group.add_typer(exports_app, name="exports")
