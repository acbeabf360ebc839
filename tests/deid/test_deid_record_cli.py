"""``--record``: creations land in the registry, are provided by decision and published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deid_data import ADULT_DIR, pseudonymize_args, write_roles
from typer.testing import CliRunner

from kojin.cli import app

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return home


def _anonymize(out: Path, *extra: str) -> list[str]:
    return [
        "anonymize",
        str(ADULT_DIR / "adult_subset.csv"),
        "--qi",
        f"age={ADULT_DIR / 'adult_hierarchy_age.csv'}",
        "--qi",
        f"sex={ADULT_DIR / 'adult_hierarchy_sex.csv'}",
        "--k",
        "5",
        "--output",
        str(out),
        *extra,
    ]


def test_anonymize_record_provide_publish(home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    out = tmp_path / "survey.csv"
    made = runner.invoke(
        app,
        _anonymize(
            out,
            "--record",
            "--category",
            "customer",
            "--purpose",
            "satisfaction_surveys",
            "--name",
            "Survey extract 2026",
        ),
    )
    assert made.exit_code == 0, made.stderr
    dataset_id = json.loads(made.stdout.splitlines()[-1])["dataset_id"]

    listed = runner.invoke(app, ["datasets", "list", "--json"])
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["id"] == dataset_id
    assert row["form"] == "anonymized"
    assert any(item.startswith("age (generalized") for item in row["items"])

    before = runner.invoke(app, ["publish", "--datasets"]).stdout
    assert "Survey extract 2026" in before
    assert "SFTP" not in before

    given = runner.invoke(
        app,
        [
            *("datasets", "provide", dataset_id, "--recipient", "Survey KK"),
            *("--method", "CSV by SFTP", "--country", "JP"),
        ],
    )
    assert given.exit_code == 0, given.stderr
    decision = json.loads(given.stdout)
    assert decision["allowed"] is True
    assert "publish_anonymized_items" in {o["code"] for o in decision["obligations"]}
    after = runner.invoke(app, ["publish", "--datasets", "--lang", "ja"]).stdout
    assert "Survey extract 2026" in after
    assert "CSV by SFTP" in after


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--record"], "--category"),
        (["--record", "--category", "specific_personal"], "My Number"),
        (
            ["--record", "--category", "customer", "--purpose", "spam"],
            "1 purpose(s) not declared for category 'customer'",
        ),
    ],
)
def test_a_creation_that_cannot_be_recorded_is_not_made(
    home: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    out = tmp_path / "never.csv"
    result = runner.invoke(app, _anonymize(out, *extra))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "spam" not in result.stderr  # a submitted value is not repeated
    assert not out.exists()


def test_record_needs_an_initialised_registry(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.csv"
    result = runner.invoke(app, _anonymize(out, "--record", "--category", "customer"))
    assert result.exit_code == 2
    assert "kojin init" in result.stderr
    assert not out.exists()


def test_pseudonymize_record_keeps_the_key_id_and_is_not_provided(
    home: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    source = tmp_path / "members.csv"
    source.write_text("member_id,age,plan\nm1,34,gold\nm2,41,silver\n", encoding="utf-8")
    roles = write_roles(
        tmp_path / "roles.yaml",
        {"member_id": "direct_identifier", "age": "quasi_identifier", "plan": "other"},
    )
    keys = tmp_path / "secret"
    keys.mkdir()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    made = runner.invoke(
        app,
        pseudonymize_args(
            source,
            roles=roles,
            output=out_dir / "members.csv",
            key_file=keys / "pseudonym.key",
            extra=["--deletion-info", str(keys / "deletion"), "--record", "--category", "customer"],
        ),
    )
    assert made.exit_code == 0, made.stderr
    summary = json.loads(made.stdout.splitlines()[-1])
    (row,) = [
        json.loads(line)
        for line in runner.invoke(app, ["datasets", "list", "--json"]).stdout.splitlines()
    ]
    assert row["id"] == summary["dataset_id"]
    assert row["form"] == "pseudonymized"
    assert row["key_id"] == summary["key_id"]
    denied = runner.invoke(
        app,
        [
            "datasets",
            "provide",
            row["id"],
            "--recipient",
            "Partner",
            "--method",
            "CSV",
            "--country",
            "JP",
        ],
    )
    assert denied.exit_code == 1
    assert json.loads(denied.stdout)["allowed"] is False
