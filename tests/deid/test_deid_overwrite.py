"""No de-identification run may write over its own input (the personal data would be lost)."""

from __future__ import annotations

from pathlib import Path

import pytest
from deid_data import ADULT_DIR, pseudonymize_args, write_roles
from typer.testing import CliRunner

from kojin.cli import app
from kojin.deid.table_source import TableSource, output_delimiter
from kojin.errors import InputError

runner = CliRunner()


def test_output_delimiter_follows_a_csv_input(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("a;b\n1;2\n", encoding="utf-8")
    assert output_delimiter(TableSource(str(source), None), tmp_path / "out.csv") == ";"
    with pytest.raises(InputError, match="must not overwrite"):
        output_delimiter(TableSource(str(source), None), tmp_path / "report.json", source)


def test_anonymize_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = tmp_path / "adult.csv"
    original = (ADULT_DIR / "adult_subset.csv").read_bytes()
    source.write_bytes(original)
    qi = f"age={ADULT_DIR / 'adult_hierarchy_age.csv'}"
    result = runner.invoke(
        app, ["anonymize", str(source), "--qi", qi, "--k", "2", "--output", str(source)]
    )
    assert result.exit_code == 2
    assert "must not overwrite the input" in result.stderr
    assert source.read_bytes() == original


def test_pseudonymize_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text("member_id,plan\nm1,gold\n", encoding="utf-8")
    roles = write_roles(
        tmp_path / "roles.yaml", {"member_id": "direct_identifier", "plan": "other"}
    )
    keys = tmp_path / "keys"
    keys.mkdir()
    result = runner.invoke(
        app, pseudonymize_args(source, roles=roles, output=source, key_file=keys / "k.key")
    )
    assert result.exit_code == 2
    assert "must not overwrite the input" in result.stderr
    assert source.read_text(encoding="utf-8") == "member_id,plan\nm1,gold\n"
