"""The guard on command output (CLI runner, printed and read-back output, kojin processes) and
the exemption marker."""

from __future__ import annotations

import pytest
from guard_support import run_guarded


def test_cli_runner_output_and_exceptions_with_a_number_fail(pytester: pytest.Pytester) -> None:
    result = run_guarded(
        pytester,
        """
        import click
        import typer
        from click.testing import CliRunner
        from typer.testing import CliRunner as TyperRunner

        @click.command("payees")
        @click.argument("name")
        def payees(name):
            click.echo(f"{{name}}: {NUMBER}" if name == "Taro" else name)

        @click.command("fails")
        def fails():
            raise RuntimeError("payee {SPACED} refused")

        app = typer.Typer()

        @app.command()
        def show(verbose: bool = False):
            typer.echo("{FULL_WIDTH}", err=True)

        def test_click():
            assert CliRunner().invoke(payees, ["Taro"]).exit_code == 0

        def test_click_exception():
            assert CliRunner().invoke(fails, []).exit_code == 1

        def test_typer():
            assert TyperRunner().invoke(app, ["--verbose"]).exit_code == 0

        def test_click_clean():
            assert CliRunner().invoke(payees, ["{WRONG}"]).exit_code == 0
        """,
    )
    result.assert_outcomes(failed=3, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*CLI `payees Taro` stdout: 12 digits: …Taro: [[]MY NUMBER[]]⏎…",
            "*CLI `fails` exception: 4-4-4 grouped digits*",
            "*CLI `cli --verbose` stderr: full-width 12 digits*",
        ]
    )


def test_printed_and_read_back_output_and_kojin_processes_are_inspected(
    pytester: pytest.Pytester,
) -> None:
    result = run_guarded(
        pytester,
        """
        import subprocess
        import sys

        from number_guard import guard_completed, guard_output

        def test_printed():
            print("payee {NUMBER}")

        def test_read_back(capsys):
            print("payee {HYPHENATED}", file=sys.stderr)
            assert capsys.readouterr().err

        def test_process():
            done = guard_completed(
                subprocess.run(
                    [sys.executable, "-c", "print('{NUMBER}')"], capture_output=True, text=True
                ),
                command="kojin payees list",
            )
            assert done.returncode == 0

        def test_log_file(tmp_path):
            guard_output(["kojin", "serve"], b"started\\n{SPACED}\\n")
        """,
    )
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(
        [
            "*captured stdout call (printed, left to pytest): 12 digits*",
            "*stderr read back by the test: 4-4-4 grouped digits*",
            "*stdout of `kojin payees list`: 12 digits*",
            "*output of `kojin serve`: 4-4-4 grouped digits*",
        ]
    )


def test_an_exemption_lets_only_what_it_names_through(pytester: pytest.Pytester) -> None:
    result = run_guarded(
        pytester,
        """
        import logging
        import pytest

        ECHO = pytest.mark.number_guard_exempt(
            reason="the fixture file is printed by the test", channel="output", where="stdout"
        )

        @ECHO
        def test_echo_exempted():
            print("{NUMBER}")

        @ECHO
        def test_exemption_does_not_cover_logs():
            print("{NUMBER}")
            logging.getLogger("kojin").warning("{NUMBER}")

        @ECHO
        def test_unused_exemption():
            print("nothing")

        @pytest.mark.number_guard_exempt(channel="output")
        def test_exemption_without_reason():
            print("{NUMBER}")
        """,
    )
    result.assert_outcomes(passed=1, failed=2, errors=1)
    result.stdout.fnmatch_lines_random(
        [
            "*test_exemption_does_not_cover_logs*",
            "*log record of 'kojin' (WARNING*",
            "*number_guard_exempt exempted nothing ('the fixture file is printed by the test')*",
            "*ERROR at setup of test_exemption_without_reason*",
            "number guard: number_guard_exempt needs a reason",
        ]
    )
