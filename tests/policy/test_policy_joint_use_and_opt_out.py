"""A policy with published joint use and a filed opt-out, from the YAML file to the decision:
`policy check` names every missing item where it is missing (R-TP-NT-3(a), R-TP-OO-1), and
`kojin decide` under the policy covers only what the arrangements publish."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kojin.cli import app
from kojin.policy.load import default_policy_text

FIXTURE = Path(__file__).parent / "data" / "notice-provision.yaml"
EAST = "NTT COMWARE EAST CORPORATION"


def _policy_data(*, opt_out: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(default_policy_text())
    extra: dict[str, Any] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    if opt_out:
        data["general"]["third_party_provision"].update(extra["third_party_provision"])
    data["general"]["joint_use"].update(extra["joint_use"])
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return CliRunner()


def test_the_complete_policy_passes_check(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["policy", "check", str(_write(tmp_path, _policy_data()))])
    assert result.exit_code == 0, result.output


def _check_lines(runner: CliRunner, path: Path) -> list[str]:
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 2, result.output
    return result.stderr.splitlines()


def test_a_corporation_without_its_representative_is_reported_where_it_is(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = _policy_data()
    del data["general"]["joint_use"]["arrangements"][0]["responsible_party"]["representative"]
    path = _write(tmp_path, data)
    (line,) = _check_lines(runner, path)
    assert "general.joint_use.arrangements[0].responsible_party.representative:" in line
    assert "representative" in line.split(": ", 2)[-1]
    assert "R-TP-NT-3(a)" in line
    # file:line:column points into the responsible party of the first arrangement
    text = path.read_text(encoding="utf-8")
    row = int(line.split(":")[1])
    party_row = text.count("\n", 0, text.index("responsible_party:")) + 1
    assert party_row <= row <= party_row + 12


@pytest.mark.parametrize(
    ("remove", "path"),
    [
        ("items", "general.joint_use.arrangements[1].items"),
        ("members", "general.joint_use.arrangements[1].members"),
        ("users", "general.joint_use.arrangements[1].users"),
        ("purposes", "general.joint_use.arrangements[1].purposes"),
        ("responsible_party", "general.joint_use.arrangements[1].responsible_party"),
    ],
)
def test_every_missing_arrangement_item_is_reported(
    runner: CliRunner, tmp_path: Path, remove: str, path: str
) -> None:
    data = _policy_data()
    del data["general"]["joint_use"]["arrangements"][1][remove]
    lines = _check_lines(runner, _write(tmp_path, data))
    assert any(f"{path}:" in line for line in lines), lines


def test_opt_out_declared_without_its_rule_11_items_is_reported(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = _policy_data()
    del data["general"]["third_party_provision"]["opt_out"]
    (line,) = _check_lines(runner, _write(tmp_path, data))
    assert "general.third_party_provision.opt_out_filed:" in line
    assert "R-TP-OO-1" in line


@pytest.mark.parametrize(
    "item",
    ["items", "acquisition_method", "provision_method", "stop_on_request", "start_date"],
)
def test_each_rule_11_item_is_required(runner: CliRunner, tmp_path: Path, item: str) -> None:
    data = _policy_data()
    del data["general"]["third_party_provision"]["opt_out"][item]
    lines = _check_lines(runner, _write(tmp_path, data))
    assert any(f"general.third_party_provision.opt_out.{item}:" in line for line in lines), lines


def test_opt_out_declared_filed_needs_the_filing_date(runner: CliRunner, tmp_path: Path) -> None:
    data = _policy_data()
    del data["general"]["third_party_provision"]["opt_out"]["filed_on"]
    (line,) = _check_lines(runner, _write(tmp_path, data))
    assert "general.third_party_provision.opt_out.filed_on:" in line


def _decide(runner: CliRunner, path: Path, *bodies: dict[str, Any]) -> list[dict[str, Any]]:
    stdin = "".join(json.dumps(body) + "\n" for body in bodies)
    result = runner.invoke(app, ["decide", "--policy", str(path)], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _joint(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "action": "provide",
        "category": "customer",
        "purpose": "satisfaction_surveys",
        "recipient": {"name": EAST, "country": "JP", "relation": "joint_user"},
        "items": ["name", "purchase_history"],
    }
    body.update(fields)
    return body


def test_decisions_under_the_policy_follow_the_arrangements(
    runner: CliRunner, tmp_path: Path
) -> None:
    # without the opt-out, which would carry a provision joint use does not cover
    path = _write(tmp_path, _policy_data(opt_out=False))
    covered, japanese_name, other_purpose, outsider, extra_item = _decide(
        runner,
        path,
        _joint(),
        _joint(recipient={"name": "エヌ・ティ・ティ・コムウェア東日本株式会社", "country": "JP",
                          "relation": "joint_user"}),
        _joint(purpose="provide_services"),
        _joint(recipient={"name": "Another KK", "country": "JP", "relation": "joint_user"}),
        _joint(items=["name", "email"]),
    )  # fmt: skip
    assert covered["allowed"] is True
    assert "R-TP-NT-3" in covered["rules"]
    assert japanese_name["allowed"] is True
    for denied in (other_purpose, outsider, extra_item):
        assert denied["allowed"] is False
        assert "R-TP-NT-3" in denied["rules"]
    assert "顧客" in covered["explanation"]["ja"] or "お客様" in covered["explanation"]["ja"]


def test_incomplete_arrangement_never_counts_even_when_the_rest_is_valid(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Without the arrangement, the same provision is an ordinary third-party provision."""
    data = _policy_data(opt_out=False)
    data["general"]["joint_use"]["arrangements"] = []
    (decision,) = _decide(runner, _write(tmp_path, data), _joint())
    assert decision["allowed"] is False
    assert "R-TP-1" in decision["rules"]


def test_opt_out_under_the_policy(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, _policy_data())
    base = {"action": "provide", "category": "customer", "recipient": {"country": "JP"}}
    plain, improper, received, special, partner = _decide(
        runner,
        path,
        base,
        {**base, "acquired_improperly": True},
        {**base, "received_by_opt_out": True},
        {**base, "special_care": True},
        {**base, "category": "partner_employee"},
    )
    assert plain["allowed"] is True
    assert "R-TP-OO-1" in plain["rules"]
    assert [o["code"] for o in plain["obligations"]] == ["record_provision"]
    for denied in (improper, received, special):
        assert denied["allowed"] is False
        assert "R-TP-OO-2" in denied["rules"]
    assert partner["allowed"] is False
    assert "R-TP-OO-1" in partner["rules"]
