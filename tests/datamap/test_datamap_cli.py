"""``kojin datamap check|infer`` (the Typer app, invoked directly), and the examples of
docs/datamap.md run as shown."""

from __future__ import annotations

import re
import stat
import sys
import types
from pathlib import Path

import pytest
from datamap_samples import SHOP, parse
from typer.testing import CliRunner

from kojin.cli.datamap import DRAFT_HEADER, datamap_app
from kojin.datamap.model import DataMap
from kojin.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("KOJIN_DATAMAP_FILE", "KOJIN_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(datamap_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_prints_ok_with_counts(here: Path) -> None:
    (here / "shop.yml").write_text(SHOP, encoding="utf-8")
    assert _invoke("check", "shop.yml") == (
        0,
        "shop.yml: ok (2 systems, 2 datasets, 4 collections, 11 fields)\n",
        "",
    )


def test_check_prints_each_problem_on_its_own_line_and_exits_2(here: Path) -> None:
    text = SHOP.replace("category: customer", "category: visitors").replace(
        "kinds: [email], erasure: hmac", "kinds: [e-mail], erasure: hmac, url: x"
    )
    (here / "shop.yml").write_text(text, encoding="utf-8")
    code, out, err = _invoke("check", "shop.yml")
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert [line.split(": ")[0:2] for line in lines] == [
        ["shop.yml:6:15", "systems.0.category"],
        ["shop.yml:13:56", "systems.0.datasets.0.collections.0.fields.1.kinds.0"],
        ["shop.yml:13:80", "systems.0.datasets.0.collections.0.fields.1.url"],
    ]
    assert "unknown category 'visitors'" in lines[0]
    assert "unknown discovery kind 'e-mail'" in lines[1]
    assert "credentials come from the settings" in lines[2]


def test_check_reads_the_settings_map_and_the_detector_kinds(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _invoke("check")
    assert (code, err) == (2, "kojin: error: name the data map FILE, or set KOJIN_DATAMAP_FILE\n")
    text = SHOP.replace("kinds: [person_name]", "kinds: [person_name, employee_number]")
    (here / "shop.yml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("KOJIN_DATAMAP_FILE", str(here / "shop.yml"))
    code, _, err = _invoke("check")
    assert code == 2
    assert "unknown discovery kind 'employee_number'" in err
    (here / "employees.yml").write_text(
        "detectors:\n  - kind: employee_number\n    category: custom\n"
        "    patterns: [{name: emp, regex: 'EMP-[0-9]{6}', score: 0.9}]\n",
        encoding="utf-8",
    )
    code, out, _ = _invoke("check", "--detectors", "employees.yml")
    assert code == 0
    assert out.startswith(f"{here / 'shop.yml'}: ok (")


def test_check_takes_the_policy_given(here: Path) -> None:
    (here / "shop.yml").write_text(SHOP, encoding="utf-8")
    (here / "policy.yml").write_text("version: 1\n", encoding="utf-8")
    code, _, err = _invoke("check", "shop.yml", "--policy", "policy.yml")
    assert code == 2
    assert err.startswith("policy.yml:")


def _fake_infer(
    monkeypatch: pytest.MonkeyPatch, result: DataMap | Exception
) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []

    def infer_datamap(url: str, *, sample_rows: int = 200, schema: str | None = None) -> DataMap:
        calls.append({"url": url, "sample_rows": sample_rows, "schema": schema})
        if isinstance(result, Exception):
            raise result
        return result

    module = types.ModuleType("kojin.connectors.infer")
    module.infer_datamap = infer_datamap  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kojin.connectors.infer", module)
    return calls


URL = "postgresql+psycopg://kojin:s3cret-pw@db.internal/shop"


def test_infer_writes_a_private_draft_and_never_overwrites_unasked(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datamap = parse(SHOP)
    calls = _fake_infer(monkeypatch, datamap)
    code, out, err = _invoke(
        "infer", "--url", URL, "--schema", "public", "--sample-rows", "50", "--out", "draft.yml"
    )
    assert code == 0, err
    assert calls == [{"url": URL, "sample_rows": 50, "schema": "public"}]
    draft = here / "draft.yml"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    text = draft.read_text(encoding="utf-8")
    assert text.startswith(DRAFT_HEADER)
    assert parse(text) == datamap
    assert "s3cret-pw" not in out + err
    assert "review it before use" in err

    code, _, err = _invoke("infer", "--url", URL, "--out", "draft.yml")
    assert (code, err) == (2, "kojin: error: --out: draft.yml exists; add --force to replace it\n")
    assert len(calls) == 1  # refused before connecting
    draft.write_text("old", encoding="utf-8")
    assert _invoke("infer", "--url", URL, "--out", "draft.yml", "--force")[0] == 0
    assert draft.read_text(encoding="utf-8") == text
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600

    code, out, _ = _invoke("infer", "--url", URL)
    assert code == 0
    assert out == text  # stdout without --out


def test_infer_never_prints_the_password(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_infer(monkeypatch, ConfigurationError(f"cannot connect to {URL} (password s3cret-pw)"))
    code, _out, err = _invoke("infer", "--url", URL)
    assert code == 1
    assert err == (
        "kojin: error: cannot connect to postgresql+psycopg://kojin:***@db.internal/shop "
        "(password ***)\n"
    )
    _fake_infer(monkeypatch, RuntimeError(f"driver said {URL}"))
    code, _, err = _invoke("infer", "--url", URL)
    assert (code, err) == (1, "kojin: error: cannot draft a map from the database (RuntimeError)\n")


def _doc_examples() -> tuple[dict[str, str], list[tuple[list[str], list[str]]]]:
    """docs/datamap.md's YAML files (marked ``<!-- name -->``) and its ``kojin datamap check``
    console examples with the lines they print."""
    text = (ROOT / "docs" / "datamap.md").read_text(encoding="utf-8")
    files = dict(re.findall(r"<!-- (\S+) -->\n```yaml\n(.*?)```", text, re.DOTALL))
    runs = []
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        lines = block.splitlines()
        if lines and lines[0].startswith("$ kojin datamap check ") and len(lines) > 1:
            runs.append((lines[0].removeprefix("$ kojin datamap ").split(), lines[1:]))
    return files, runs


def test_the_docs_examples_run_as_shown(here: Path) -> None:
    files, runs = _doc_examples()
    assert set(files) == {"datamap.yml", "leaky.yml", "shop_pg.yml", "with-fides.yml"}
    assert len(runs) == 4
    for name, body in files.items():
        (here / name).write_text(body, encoding="utf-8")
    for args, expected in runs:
        code, out, err = _invoke(*args)
        assert (out + err).splitlines() == expected, args
        assert code == (2 if err else 0)
