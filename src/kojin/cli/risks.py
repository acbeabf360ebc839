"""``kojin risks``: risk assessment per ledger row and lifecycle stage (R-PM-1, R-PM-2).

- ``list``: assessments, highest residual risk first (``--json`` for scripts);
- ``assess LEDGER_ID``: record an assessment; ``review ID``: review one (next review a year on);
- ``show ID``: one assessment; ``due``: rows never assessed, stale and overdue assessments.
"""

from __future__ import annotations

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
    from kojin.management.risks.schemas import RiskInput, RiskOut

risks_app = typer.Typer(
    help="Risk assessments per ledger row and lifecycle stage, reviewed yearly.",
    no_args_is_help=True,
)

StageOption = Annotated[
    str,
    typer.Option(
        "--stage",
        help="acquisition, transfer, use, storage, provision or disposal.",
    ),
]


def _input(
    *,
    stage: str,
    risk: str,
    likelihood: int,
    impact: int,
    evaluation: str,
    measures: str,
    rules: list[str] | None,
    residual_likelihood: int,
    residual_impact: int,
    owner: str,
) -> RiskInput:
    from pydantic import ValidationError

    from kojin.management.risks.schemas import RiskInput

    try:
        return RiskInput(
            stage=stage,  # type: ignore[arg-type]
            risk=risk,
            likelihood=likelihood,
            impact=impact,
            evaluation=evaluation,  # type: ignore[arg-type]
            measures=measures,
            rule_ids=rules or [],
            residual_likelihood=residual_likelihood,
            residual_impact=residual_impact,
            owner=owner,
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "input"
        raise InputError(f"--{field.replace('_', '-')}: {first['msg']}", field=field) from None


def _rows(risks: list[RiskOut]) -> list[list[object]]:
    return [
        [
            r.id,
            r.ledger_item,
            r.stage.value,
            r.score,
            r.evaluation.value,
            f"{r.residual_score}{' !' if r.high_residual else ''}",
            r.owner,
            r.next_review.isoformat(),
            ("stale / 要再評価 " if r.stale else "")
            + ("overdue / 期限超過" if r.review_overdue else ""),
        ]
        for r in risks
    ]


_HEADERS = (
    "id",
    "ledger item / 台帳項目",
    "stage / 段階",
    "risk score / 評価値",
    "evaluation / 判断",
    "residual / 残留",
    "owner / 責任者",
    "next review / 次回見直し",
    "state / 状態",
)


def _print(risk: RiskOut, what: str, *, as_json: bool) -> None:
    if as_json:
        write_json_line(risk.model_dump(mode="json"))
        return
    typer.echo(
        f"risk assessment {risk.id} {what}: score {risk.score}, residual {risk.residual_score}"
        f"{' (high)' if risk.high_residual else ''}; next review {risk.next_review.isoformat()}"
    )


@risks_app.command("list")
def list_command(
    ledger: Annotated[str | None, typer.Option("--ledger", help="One ledger row's id.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="One lifecycle stage.")] = None,
    high: Annotated[bool, typer.Option("--high", help="Only high residual risks.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document per assessment, one a line.")
    ] = False,
) -> None:
    """Assessments, highest residual risk first."""
    from kojin.management.risks.schemas import Stage
    from kojin.management.risks.service import list_risks

    with cli_errors():
        try:
            wanted = None if stage is None else Stage(stage)
        except ValueError:
            choices = ", ".join(s.value for s in Stage)
            raise InputError(f"--stage must be one of {choices}", field="stage") from None
        with registry(write=False) as reg:
            risks = list_risks(
                session=reg.session,
                cipher=reg.cipher,
                today=today_in_japan(),
                ledger_entry_id=ledger,
                stage=wanted,
                high_only=high,
            )
    if as_json:
        for risk in risks:
            write_json_line(risk.model_dump(mode="json"), flush=False)
        return
    print_table(
        f"{len(risks)} risk assessment(s) / リスク評価 {len(risks)}件", _HEADERS, _rows(risks)
    )


@risks_app.command("assess")
def assess(
    ledger_id: Annotated[str, typer.Argument(metavar="LEDGER_ID", help="The ledger row's id.")],
    stage: StageOption,
    risk: Annotated[str, typer.Option("--risk", help="The risk identified.")],
    likelihood: Annotated[int, typer.Option("--likelihood", min=1, max=3, help="1-3.")],
    impact: Annotated[int, typer.Option("--impact", min=1, max=3, help="1-3.")],
    evaluation: Annotated[str, typer.Option("--evaluation", help="accept or treat.")],
    residual_likelihood: Annotated[
        int, typer.Option("--residual-likelihood", min=1, max=3, help="1-3, after the measures.")
    ],
    residual_impact: Annotated[
        int, typer.Option("--residual-impact", min=1, max=3, help="1-3, after the measures.")
    ],
    owner: Annotated[str, typer.Option("--owner", help="The department or role in charge.")],
    measures: Annotated[str, typer.Option("--measures", help="The measures taken.")] = "",
    rules: Annotated[
        list[str] | None, typer.Option("--rule", help="A requirement id (R-…); repeatable.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="The day assessed (ISO); default: today.")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record an assessment of a ledger row at one lifecycle stage."""
    from kojin.management.risks.service import assess_risk

    with cli_errors():
        who = actor_of(actor)
        risk_in = _input(
            stage=stage,
            risk=risk,
            likelihood=likelihood,
            impact=impact,
            evaluation=evaluation,
            measures=measures,
            rules=rules,
            residual_likelihood=residual_likelihood,
            residual_impact=residual_impact,
            owner=owner,
        )
        with registry(write=True) as reg:
            out = assess_risk(
                session=reg.session,
                cipher=reg.cipher,
                ledger_entry_id=ledger_id,
                risk_in=risk_in,
                actor=who,
                today=today_in_japan(),
                assessed_on=day_of(on, "--on"),
            )
    _print(out, "recorded", as_json=as_json)


@risks_app.command("review")
def review(
    risk_id: Annotated[str, typer.Argument(metavar="ID", help="The assessment's id.")],
    stage: StageOption,
    risk: Annotated[str, typer.Option("--risk", help="The risk identified.")],
    likelihood: Annotated[int, typer.Option("--likelihood", min=1, max=3, help="1-3.")],
    impact: Annotated[int, typer.Option("--impact", min=1, max=3, help="1-3.")],
    evaluation: Annotated[str, typer.Option("--evaluation", help="accept or treat.")],
    residual_likelihood: Annotated[
        int, typer.Option("--residual-likelihood", min=1, max=3, help="1-3, after the measures.")
    ],
    residual_impact: Annotated[
        int, typer.Option("--residual-impact", min=1, max=3, help="1-3, after the measures.")
    ],
    owner: Annotated[str, typer.Option("--owner", help="The department or role in charge.")],
    measures: Annotated[str, typer.Option("--measures", help="The measures taken.")] = "",
    rules: Annotated[
        list[str] | None, typer.Option("--rule", help="A requirement id (R-…); repeatable.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="The day reviewed (ISO); default: today.")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Review an assessment (the same values confirm it); next review a year later."""
    from kojin.management.risks.service import review_risk

    with cli_errors():
        who = actor_of(actor)
        risk_in = _input(
            stage=stage,
            risk=risk,
            likelihood=likelihood,
            impact=impact,
            evaluation=evaluation,
            measures=measures,
            rules=rules,
            residual_likelihood=residual_likelihood,
            residual_impact=residual_impact,
            owner=owner,
        )
        with registry(write=True) as reg:
            out = review_risk(
                session=reg.session,
                cipher=reg.cipher,
                risk_id=risk_id,
                risk_in=risk_in,
                actor=who,
                today=today_in_japan(),
                assessed_on=day_of(on, "--on"),
            )
    _print(out, "reviewed", as_json=as_json)


@risks_app.command("show")
def show(
    risk_id: Annotated[str, typer.Argument(metavar="ID", help="The assessment's id.")],
    as_json: JsonOption = False,
) -> None:
    """One assessment with its risk, measures, linked rules and residual risk."""
    from kojin.management.risks.service import get_risk

    with cli_errors(), registry(write=False) as reg:
        risk = get_risk(
            session=reg.session, cipher=reg.cipher, risk_id=risk_id, today=today_in_japan()
        )
    if as_json:
        write_json_line(risk.model_dump(mode="json"))
        return
    print_table(
        f"risk assessment / リスク評価 {risk.id}",
        ("field / 項目", "value / 内容"),
        [
            ("ledger item / 台帳項目", f"{risk.ledger_item} ({risk.ledger_entry_id})"),
            ("stage / 段階", risk.stage.value),
            ("risk / リスク", risk.risk),
            ("likelihood × impact / 発生可能性×影響", f"{risk.likelihood} × {risk.impact}"),
            ("evaluation / 判断", risk.evaluation.value),
            ("measures / 対策", risk.measures),
            ("rules / 関連要件", ", ".join(risk.rule_ids)),
            (
                "residual / 残留リスク",
                f"{risk.residual_likelihood} × {risk.residual_impact} = {risk.residual_score}",
            ),
            ("owner / 責任者", risk.owner),
            ("assessed / 評価日", f"{risk.assessed_on.isoformat()} ({risk.assessed_by})"),
            ("next review / 次回見直し", risk.next_review.isoformat()),
            ("stale / 要再評価", "yes" if risk.stale else "no"),
        ],
    )


@risks_app.command("due")
def due(as_json: JsonOption = False) -> None:
    """Ledger rows never assessed, assessments whose ledger row changed since (stale) and those
    past their yearly review."""
    from kojin.management.risks.service import risks_due

    with cli_errors(), registry(write=False) as reg:
        found = risks_due(session=reg.session, cipher=reg.cipher, today=today_in_japan())
    if as_json:
        write_json_line(found.model_dump(mode="json"))
        return
    print_table(
        f"{len(found.unassessed)} ledger row(s) never assessed / 未評価の台帳項目",
        ("ledger id", "item / 項目", "category / 区分", "department / 部門"),
        [
            (u.ledger_entry_id, u.item, u.category, u.responsible_department)
            for u in found.unassessed
        ],
    )
    print_table(
        f"{len(found.stale)} stale / 台帳変更後の再評価待ち {len(found.stale)}件",
        _HEADERS,
        _rows(found.stale),
    )
    print_table(
        f"{len(found.overdue)} review(s) overdue / 見直し期限超過 {len(found.overdue)}件",
        _HEADERS,
        _rows(found.overdue),
    )


def register(app: typer.Typer) -> None:
    """Add ``risks`` to the root `app`."""
    app.add_typer(risks_app, name="risks")
