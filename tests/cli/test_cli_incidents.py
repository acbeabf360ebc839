"""``kojin incidents``: the incident register from the command line (APPI Art. 26; R-BR-0..8).

The round trip from a YAML file to the PPC report drafts, tables with the days left, JSON for
scripts, private draft files (0600, never over a file without ``--force``), reminders, and
errors (exit 2 for bad input) that carry no personal value.
"""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from kojin.audit.models import AuditEntry
from kojin.cli import app
from kojin.db.uow import Database
from kojin.law.breach_report import REPORT_ITEMS
from kojin.mail.models import MailOutbox
from kojin.settings import Settings

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
PERSON_NAME = "山田花子"
PERSON_EMAIL = "hanako.yamada@example.jp"
PERSON_ADDRESS = "東京都千代田区丸の内1-1-1"
OTHER_NAME = "Taro Suzuki"
PEOPLE_CSV = (
    "name,email,postal_address,lang\n"
    f"{PERSON_NAME},{PERSON_EMAIL},,ja\n"
    f"{OTHER_NAME},,{PERSON_ADDRESS},en\n"
    "佐藤一郎,,,ja\n"
)
INCIDENT_YAML = f"""\
title: 顧客名簿の誤送信
kind: leakage
certainty: confirmed
knowledge:
  - department: 営業部
    known_on: {TODAY.isoformat()}
persons: 10
data_items: [氏名, メールアドレス]
summary: 顧客名簿を添付したメールを社外の宛先に誤送信した。
"""


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands use the test's registry and keys, on a wide terminal."""
    monkeypatch.setenv("KOJIN_HOME", str(settings.home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("COLUMNS", "240")
    for name in ("KOJIN_MASTER_KEY", "KOJIN_POLICY_FILE", "KOJIN_INCIDENT_REMINDER_TO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("KOJIN_SMTP_HOST", raising=False)
    return CliRunner()


def _run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    done = runner.invoke(app, ["incidents", *args])
    assert done.exit_code == code, (args, done.output, done.stderr)
    return done


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _record(runner: CliRunner, tmp_path: Path, text: str = INCIDENT_YAML) -> dict[str, Any]:
    done = _run(runner, "record", str(_write(tmp_path, "incident.yaml", text)), "--json")
    made: dict[str, Any] = json.loads(done.stdout)
    return made


def _chain(database: Database) -> list[AuditEntry]:
    with database.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_round_trip_from_a_yaml_file_to_the_drafts(
    runner: CliRunner, tmp_path: Path, database: Database
) -> None:
    recorded = _run(runner, "record", str(_write(tmp_path, "incident.yaml", INCIDENT_YAML)))
    assert "recorded" in recorded.stdout
    assert "must report / 報告義務: no" in recorded.stdout
    reference = recorded.stdout.split()[1]
    assert reference.startswith(f"INC-{TODAY.year}-")

    shown = json.loads(_run(runner, "show", reference, "--json").stdout)
    assert shown["reference"] == reference
    assert shown["fields"]["data_items"] == ["氏名", "メールアドレス"]
    assert shown["assessment"]["must_report"] is False

    update = _write(tmp_path, "count.json", json.dumps({"persons": 1001}))
    updated = _run(runner, "update", reference, str(update))
    assert "must report / 報告義務: yes" in updated.stdout
    view = json.loads(_run(runner, "show", shown["id"], "--json").stdout)
    assert view["fields"]["persons"] == 1001
    assert view["fields"]["summary"] == shown["fields"]["summary"]
    left = view["days_left_final"]
    assert left >= 29

    table = _run(runner, "list").stdout
    assert reference in table
    assert f"({left} days left / あと{left}日)" in table
    assert "yes / 要" in table
    lines = _run(runner, "list", "--json", "--status", "open").stdout.splitlines()
    assert [json.loads(line)["reference"] for line in lines] == [reference]
    assert _run(runner, "list", "--status", "closed", "--json").stdout == ""

    details = _run(runner, "show", reference).stdout
    assert f"あと{left}日" in details
    assert "Rule 7" in details or "R-BR" in details

    stepped = _run(runner, "step", reference, "preliminary_reported", "--on", TODAY.isoformat())
    assert f"preliminary_reported on {TODAY.isoformat()}" in stepped.stdout
    assert f"done {TODAY.isoformat()}" in _run(runner, "show", reference).stdout

    people = _write(tmp_path, "people.csv", PEOPLE_CSV)
    imported = _run(runner, "people", "import", reference, str(people))
    assert "3 affected person(s) imported" in imported.stdout
    sent = json.loads(_run(runner, "notices", "send", reference, "--json").stdout)
    assert sent == {"sent": 1, "by_post": 1, "unreachable": 1, "already": 0}
    again = _run(runner, "notices", "send", reference).stdout
    assert "2 already notified" in again
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(MailOutbox)).scalar_one() == 1

    html = tmp_path / "drafts" / "preliminary.html"
    html.parent.mkdir()
    _run(runner, "report", reference, "--stage", "preliminary", "--out", str(html))
    assert _mode(html) == 0o600
    text = html.read_text(encoding="utf-8")
    position = 0
    for _item, _en, ja in REPORT_ITEMS:  # the nine items, in the Commission's order
        found = text.find(ja, position)
        assert found >= 0, ja
        position = found + len(ja)
    pdf = tmp_path / "drafts" / "final.pdf"
    _run(runner, "report", reference, "--stage", "final", "--format", "pdf", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _mode(pdf) == 0o600
    assert sorted(html.parent.iterdir()) == sorted([html, pdf])  # no temporary file beside them

    publication = tmp_path / "publication.html"
    _run(runner, "publication", reference, "--lang", "en", "--out", str(publication))
    assert _mode(publication) == 0o600
    assert reference in publication.read_text(encoding="utf-8")

    drafted = [e.details["what"] for e in _chain(database) if e.action == "incident.drafted"]
    assert drafted == ["ppc_report.preliminary.html", "ppc_report.final.pdf", "publication.en"]

    outputs = "\n".join(
        [
            recorded.output,
            updated.output,
            table,
            details,
            imported.output,
            again,
            _run(runner, "show", reference).stdout,
            _run(runner, "show", reference, "--json").stdout,
        ]
    )
    for value in (PERSON_NAME, PERSON_EMAIL, PERSON_ADDRESS, OTHER_NAME):
        assert value not in outputs


def test_a_draft_never_replaces_a_file_without_force(
    runner: CliRunner, tmp_path: Path, database: Database
) -> None:
    reference = _record(runner, tmp_path)["reference"]
    out = tmp_path / "report.html"
    out.write_text("kept", encoding="utf-8")
    out.chmod(0o644)
    refused = _run(runner, "report", reference, "--stage", "final", "--out", str(out), code=2)
    assert "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "kept"
    assert not [e for e in _chain(database) if e.action == "incident.drafted"]
    _run(runner, "report", reference, "--stage", "final", "--out", str(out), "--force")
    assert "その他参考となる事項" in out.read_text(encoding="utf-8")
    assert _mode(out) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []
    published = tmp_path / "publication.html"
    published.write_text("kept", encoding="utf-8")
    _run(runner, "publication", reference, "--out", str(published), code=2)
    assert published.read_text(encoding="utf-8") == "kept"


def test_the_actor_is_the_person_named(
    runner: CliRunner, tmp_path: Path, database: Database
) -> None:
    path = str(_write(tmp_path, "incident.yaml", INCIDENT_YAML))
    _run(runner, "record", path, "--actor", "staff:alice")
    assert _chain(database)[-1].actor == "staff:alice"
    assert _chain(database)[-1].action == "incident.recorded"
    _run(runner, "record", path)
    assert _chain(database)[-1].actor.startswith("cli")
    refused = _run(runner, "record", path, "--actor", "山田花子", code=2)
    assert "--actor" in refused.stderr
    assert PERSON_NAME not in refused.stderr


def test_remind_sends_the_due_reminders_once_a_day(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # known two days ago: today is day 3 of the preliminary guide
    known = (TODAY - timedelta(days=2)).isoformat()
    text = INCIDENT_YAML.replace(TODAY.isoformat(), known).replace("persons: 10", "persons: 1500")
    _record(runner, tmp_path, text)
    assert _run(runner, "remind").stdout.startswith("0 reminder(s) sent")  # nobody to remind
    monkeypatch.setenv("KOJIN_INCIDENT_REMINDER_TO", "office@example.jp, dpo@example.jp")
    assert _run(runner, "remind").stdout.startswith("2 reminder(s) sent")
    assert _run(runner, "remind").stdout.startswith("0 reminder(s) sent")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("broken.yaml", "title: [顧客名簿\nkind: leakage\n", "not valid YAML"),
        ("broken.json", '{"title": "顧客名簿",', "not valid JSON (line 1"),
        ("list.yaml", "- 顧客名簿\n", "mapping of incident fields"),
        ("kind.yaml", "title: 顧客名簿\nkind: 山田花子の漏えい\n", "kind: Input should be"),
        ("extra.yaml", "title: 顧客名簿\nnickname: 山田花子\n", "nickname: Extra inputs"),
        ("odd-key.yaml", "title: 顧客名簿\n山田花子: 1\n", "<key>: Extra inputs"),
        ("count.yaml", "title: 顧客名簿\npersons: -3\n", "persons: Input should be"),
        ("missing.yaml", "title: 顧客名簿\nkind: loss\n", "knowledge is required"),
    ],
)
def test_a_bad_file_is_exit_2_naming_the_field_not_the_value(
    runner: CliRunner, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    refused = _run(runner, "record", str(_write(tmp_path, name, text)), code=2)
    assert expected in refused.stderr
    assert refused.stderr.startswith("kojin: error: ")
    for value in ("山田花子", "顧客名簿", "-3"):
        assert value not in refused.stderr
    assert refused.stdout == ""


def test_bad_arguments_are_exit_2_and_unknown_incidents_exit_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    reference = _record(runner, tmp_path)["reference"]
    out = str(tmp_path / "x.html")
    cases: list[tuple[list[str], str]] = [
        (["step", reference, "forgotten"], "STEP must be one of"),
        (["step", reference, "closed", "--on", "tomorrow"], "--on is not an ISO date"),
        (["report", reference, "--stage", "draft", "--out", out], "--stage must be"),
        (["report", reference, "--stage", "final", "--format", "doc", "--out", out], "--format"),
        (["publication", reference, "--lang", "fr", "--out", out], "--lang must be ja or en"),
        (["list", "--status", "pending"], "--status must be open or closed"),
        (["show", "山田花子"], "REF must be an incident reference"),
        (["record", str(tmp_path / "absent.yaml")], "cannot be read"),
    ]
    for args, expected in cases:
        refused = _run(runner, *args, code=2)
        assert expected in refused.stderr, args
        assert "山田花子" not in refused.stderr
    future = (TODAY + timedelta(days=2)).isoformat()
    assert (
        "must not be in the future"
        in _run(runner, "step", reference, "closed", "--on", future, code=2).stderr
    )
    unknown = _run(runner, "show", f"INC-{TODAY.year}-9999", code=1)
    assert "not found" in unknown.stderr
    assert "not found" in _run(runner, "notices", "send", "0" * 32, code=1).stderr
    _run(runner, "step", reference, "closed")
    closed = _run(runner, "step", reference, "closed", code=1)
    assert "closed" in closed.stderr


def test_a_bad_people_csv_names_the_line_and_stores_no_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    reference = _record(runner, tmp_path)["reference"]
    bad = _write(
        tmp_path, "people.csv", f"{PERSON_NAME},{PERSON_EMAIL},,ja\n{OTHER_NAME},nobody,,en\n"
    )
    refused = _run(runner, "people", "import", reference, str(bad), code=2)
    assert "line 2, column email" in refused.stderr
    for value in (PERSON_NAME, PERSON_EMAIL, OTHER_NAME, "nobody"):
        assert value not in refused.stderr
    view = json.loads(_run(runner, "show", reference, "--json").stdout)
    assert view["people_total"] == 0
