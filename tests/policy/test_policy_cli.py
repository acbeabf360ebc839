"""``kojin policy check|show`` and ``kojin publish`` through the Typer app."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kojin.cli import app
from kojin.policy import load_policy
from kojin.policy.load import default_policy_text


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return CliRunner()


@pytest.fixture
def bad_policy(tmp_path: Path) -> Path:
    text = default_policy_text()
    text = text.replace(
        "  academic_institution: false\n", "  academic_institution: false\n  ceo: x\n", 1
    )
    text = text.replace("purposes: [provide_services]", "purposes: [provide_services, nope]", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _position(path: Path, needle: str) -> tuple[int, int]:
    text = path.read_text(encoding="utf-8")
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def test_check_valid_file_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(default_policy_text(), encoding="utf-8")
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok (5 categories, 22 purposes)\n"


def test_check_without_file_checks_the_embedded_policy(runner: CliRunner) -> None:
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 0
    assert "ok (5 categories" in result.stdout


def test_check_bad_file_prints_one_line_per_error_and_exits_2(
    runner: CliRunner, bad_policy: Path
) -> None:
    result = runner.invoke(app, ["policy", "check", str(bad_policy)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    key_line, key_col = _position(bad_policy, "ceo: x")
    assert result.stderr.splitlines() == [
        f"{bad_policy}:{key_line}:{key_col}: organization.ceo: unknown key 'ceo'"
    ]
    assert "Traceback" not in result.output


def test_check_reports_reference_errors_once_schema_is_valid(
    runner: CliRunner, bad_policy: Path
) -> None:
    bad_policy.write_text(
        bad_policy.read_text(encoding="utf-8").replace("  ceo: x\n", ""), encoding="utf-8"
    )
    result = runner.invoke(app, ["policy", "check", str(bad_policy)])
    assert result.exit_code == 2
    line, column = _position(bad_policy, "nope")
    assert result.stderr.splitlines() == [
        f"{bad_policy}:{line}:{column}: general.external_environment.storage[0].purposes[1]: "
        "undefined purpose 'nope' for category 'customer'"
    ]


def test_check_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = runner.invoke(app, ["policy", "check", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{missing}:1:1: <document>: file not found"]


def test_check_uses_the_configured_policy_file(
    runner: CliRunner, bad_policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_POLICY_FILE", str(bad_policy))
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad_policy}:")


def test_show_json_lists_categories_and_purposes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["policy", "show", "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    policy = load_policy()
    assert [c["id"] for c in payload["categories"]] == [c.id for c in policy.categories]
    customer = payload["categories"][0]
    assert customer["title"] == {"en": "Customer personal information", "ja": "お客様の個人情報"}
    assert customer["purposes"][0]["id"] == "provide_services"
    for shown, category in zip(payload["categories"], policy.categories, strict=True):
        assert [p["id"] for p in shown["purposes"]] == [p.id for p in category.purposes]
        assert [p["text"]["ja"] for p in shown["purposes"]] == [
            p.text.ja for p in category.purposes
        ]


def test_show_text_in_japanese(runner: CliRunner) -> None:
    result = runner.invoke(app, ["policy", "show", "--lang", "ja"])
    assert result.exit_code == 0
    assert "retired_employee  退職者の個人情報" in result.stdout
    assert "  retiree_inquiries  退職者からのお問い合わせへの対応のため" in result.stdout


def test_show_bad_policy_exits_2(runner: CliRunner, bad_policy: Path) -> None:
    result = runner.invoke(app, ["policy", "show", "--json", "--policy", str(bad_policy)])
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "# The Handling of Personal Information"), ("ja", "# 個人情報の取扱いについて")],
)
def test_publish_markdown_to_stdout(runner: CliRunner, lang: str, title: str) -> None:
    result = runner.invoke(app, ["publish", "--lang", lang, "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == title


def test_publish_html_to_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "notice.html"
    result = runner.invoke(
        app, ["publish", "--lang", "ja", "--format", "html", "--output", str(target)]
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    root = ET.fromstring(target.read_text(encoding="utf-8").removeprefix("<!DOCTYPE html>"))
    assert root.get("lang") == "ja"
    assert [p.name for p in tmp_path.iterdir()] == ["notice.html"]  # no temporary file left


def test_publish_with_a_bad_policy_writes_nothing(
    runner: CliRunner, tmp_path: Path, bad_policy: Path
) -> None:
    target = tmp_path / "out.md"
    result = runner.invoke(app, ["publish", "--policy", str(bad_policy), "--output", str(target)])
    assert result.exit_code == 2
    assert not target.exists()
    assert "organization.ceo: unknown key 'ceo'" in result.stderr


def test_publish_rejects_unknown_language(runner: CliRunner) -> None:
    result = runner.invoke(app, ["publish", "--lang", "fr"])
    assert result.exit_code == 2


def test_publish_into_missing_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["publish", "--output", str(tmp_path / "no" / "notice.md")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def _record_anonymized(name: str, items: list[str]) -> None:
    """Record an anonymized dataset as ``kojin anonymize --record`` does (registry service)."""
    from kojin.policy import to_facts
    from kojin.registry.datasets.schemas import DatasetCreate
    from kojin.registry.datasets.service import record_dataset
    from kojin.registry.opening import open_database
    from kojin.settings import get_settings

    database = open_database(get_settings())
    try:
        with database.uow() as session:
            record_dataset(
                session=session,
                dataset_in=DatasetCreate(
                    form="anonymized",
                    name=name,
                    category="customer",
                    purposes=["satisfaction_surveys"],
                    items=items,
                    records=3000,
                    report_sha256="0" * 64,
                ),
                policy=to_facts(load_policy()),
                actor="test",
            )
    finally:
        database.dispose()


def test_publish_datasets_in_japanese_labels_the_recorded_items(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kojin publish --datasets --lang ja``: the recorded items of an anonymized dataset get
    Japanese labels and treatments; ``--lang en`` publishes the recorded lines as they are."""
    from kojin.deid.results import ItemTreatment, Treatment

    monkeypatch.setenv("KOJIN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["init"]).exit_code == 0
    items = [
        ItemTreatment("sex", Treatment.GENERALIZED, 1, 1, "*"),
        ItemTreatment("age", Treatment.GENERALIZED, 2, 4, "0-19, 20-39, 40-59"),
        ItemTreatment("salary-class", Treatment.SENSITIVE),
    ]
    _record_anonymized("Survey extract 2026", [item.describe() for item in items])

    ja = runner.invoke(app, ["publish", "--datasets", "--lang", "ja"])
    assert ja.exit_code == 0, ja.stderr
    (line,) = [x for x in ja.stdout.splitlines() if x.startswith("- Survey extract 2026")]
    assert line.endswith(
        "項目：性別（一般化：レベル1／1。例：*）、"
        "年齢（一般化：レベル2／4。例：0-19, 20-39, 40-59）、"
        "年収区分（記録されたとおり）。第三者には提供していません。"
    )

    en = runner.invoke(app, ["publish", "--datasets", "--lang", "en"])
    assert en.exit_code == 0, en.stderr
    (line,) = [x for x in en.stdout.splitlines() if x.startswith("- Survey extract 2026")]
    assert line.endswith(
        "Items: sex (generalized, level 1 of 1: *), age (generalized, level 2 of 4: 0-19, "
        "20-39, 40-59), salary-class (as recorded). Not provided to third parties."
    )
