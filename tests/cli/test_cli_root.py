"""The ``kojin`` console script as a user runs it: version, one-line errors, settings, and which
libraries a light command loads (start-up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kojin import __version__
from number_guard import guard_completed

#: libraries that only the commands working on databases, servers or datasets may load
HEAVY = ("sqlalchemy", "alembic", "numpy", "duckdb", "psycopg", "pyarrow", "pymysql", "pyspark")

#: runs the console entry point with the given arguments, then reports the heavy modules loaded
PROBE = """
import atexit, json, sys
watched = set(json.loads(sys.argv[1]))
def report():
    heavy = sorted({name.split('.')[0] for name in sys.modules} & watched)
    sys.__stderr__.write('LOADED=' + json.dumps(heavy) + '\\n')
atexit.register(report)
sys.argv = ['kojin', *sys.argv[2:]]
from kojin.cli import main
main()
"""

ONE_REQUEST = json.dumps({"action": "use", "category": "customer", "purpose": "provide_services"})


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOJIN_")}
    env.update({"KOJIN_HOME": str(tmp_path / "home"), "COLUMNS": "100", **extra})
    return env


def kojin(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kojin.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_environment(tmp_path, **env),
        timeout=120,
        check=False,
    )
    return guard_completed(done, command=["kojin", *args])


def loaded(tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, list[str]]:
    """Exit code and the heavy libraries loaded by ``kojin ARGS``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_environment(tmp_path),
        timeout=120,
        check=False,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED="))
    return done.returncode, json.loads(line.removeprefix("LOADED="))


def test_version(tmp_path: Path) -> None:
    done = kojin(tmp_path, "--version")
    assert done.returncode == 0
    assert done.stdout == f"kojin {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("decide", "--help"),
        ("scan", "--help"),
        ("anonymize", "--help"),
        ("policy", "check"),
        ("settings",),
    ],
)
def test_light_commands_load_no_database_web_or_dataset_library(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, heavy = loaded(tmp_path, *args)
    assert code == 0
    assert heavy == []


def test_decide_loads_no_database_web_or_dataset_library(tmp_path: Path) -> None:
    code, heavy = loaded(tmp_path, "decide", stdin=ONE_REQUEST)
    assert code == 0
    assert heavy == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--bogus",), "kojin: error: No such option: --bogus (see 'kojin --help')"),
        (("decide", "--nope"), "kojin: error: No such option: --nope (see 'kojin decide --help')"),
        (("nosuchcommand",), "kojin: error: No such command 'nosuchcommand'. (see 'kojin --help')"),
        (("scan", "--format", "xml", "."), "'xml' is not one of 'table', 'jsonl'"),
    ],
)
def test_parsing_errors_are_one_line_with_exit_2(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    done = kojin(tmp_path, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert "╭" not in done.stderr


def test_a_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    done = kojin(tmp_path, "policy", "check", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("kojin: error: ")
    assert "is a directory" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_a_missing_file(tmp_path: Path) -> None:
    done = kojin(tmp_path, "policy", "check", str(tmp_path / "absent.yaml"))
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "absent.yaml" in done.stderr


def test_a_group_without_a_command_prints_its_help(tmp_path: Path) -> None:
    done = kojin(tmp_path, "policy")
    assert done.returncode == 2
    assert "Usage: kojin policy" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("variable", "value"),
    [("KOJIN_PORT", "eighty-eighty"), ("KOJIN_WORKERS", "0"), ("KOJIN_PORT", "70000")],
)
def test_invalid_settings_are_one_line_with_exit_2_and_no_value(
    tmp_path: Path, variable: str, value: str
) -> None:
    done = kojin(tmp_path, "settings", **{variable: value})
    assert done.returncode == 2
    assert done.stderr.startswith(f"kojin: error: {variable}: ")
    assert len(done.stderr.splitlines()) == 1
    assert value not in done.stderr


def test_invalid_settings_stop_a_command_that_reads_them(tmp_path: Path) -> None:
    done = kojin(tmp_path, "init", KOJIN_PORT="x")
    assert done.returncode == 2
    assert done.stderr == (
        "kojin: error: KOJIN_PORT: Input should be a valid integer, "
        "unable to parse string as an integer\n"
    )


def test_settings_shows_the_allow_list_and_never_a_secret(tmp_path: Path) -> None:
    secret = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkwMTI="
    done = kojin(
        tmp_path,
        "settings",
        KOJIN_MASTER_KEY=secret,
        KOJIN_DATABASE_URL="postgresql+psycopg://kojin:pa55word@db.example:5432/kojin",
        KOJIN_WORKERS="4",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "KOJIN_DATABASE_URL=postgresql+psycopg://kojin:***@db.example:5432/kojin" in lines
    assert "KOJIN_WORKERS=4" in lines
    assert f"KOJIN_HOME={tmp_path / 'home'}" in lines
    assert secret not in done.stdout
    assert "pa55word" not in done.stdout
    assert not any(line.startswith("KOJIN_MASTER_KEY") for line in lines)


def test_settings_as_json_defaults_to_the_sqlite_registry(tmp_path: Path) -> None:
    done = kojin(tmp_path, "settings", "--json")
    assert done.returncode == 0
    shown = json.loads(done.stdout)
    assert shown["database_url"] == f"sqlite:///{(tmp_path / 'home' / 'kojin.sqlite3').as_posix()}"
    assert shown["port"] == 8000
    assert "master_key" not in shown
