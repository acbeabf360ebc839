"""The guard on log records: every logger, level and thread; message, arguments, exceptions."""

from __future__ import annotations

import pytest
from guard_support import run_guarded


def test_a_test_that_logs_a_valid_number_fails_and_the_message_masks_it(
    pytester: pytest.Pytester,
) -> None:
    result = run_guarded(
        pytester,
        """
        import logging

        def test_logs(caplog):
            logging.getLogger("kojin.payments").debug("payee %s registered", "{NUMBER}")
            assert caplog.records == []  # below the level: for the guard alone
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["FAILED test_inner.py::test_logs - number guard: *"])
    result.stdout.fnmatch_lines(
        [
            "*number guard: a valid individual number (My Number) was shown during call*",
            "*log record of 'kojin.payments' (DEBUG at test_inner.py:4) in its message: 12 digits:"
            " …payee [[]MY NUMBER[]] registered…",
        ]
    )


def test_an_invalid_check_digit_is_not_a_number(pytester: pytest.Pytester) -> None:
    result = run_guarded(
        pytester,
        """
        import logging

        def test_logs():
            logging.getLogger("kojin").warning("reference {WRONG}")
            logging.getLogger("kojin").warning("digest ab{NUMBER}cd and 0.{NUMBER}")
        """,
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("form", ["SPACED", "HYPHENATED", "FULL_WIDTH"])
def test_grouped_and_full_width_numbers_are_caught(pytester: pytest.Pytester, form: str) -> None:
    result = run_guarded(
        pytester,
        f"""
        import logging

        def test_logs():
            logging.getLogger("third.party").error("number {{{form}}}")
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*log record of 'third.party' (ERROR*"])


def test_arguments_are_inspected_even_when_the_format_hides_them(
    pytester: pytest.Pytester,
) -> None:
    result = run_guarded(
        pytester,
        """
        import logging

        def test_logs():
            logging.getLogger("kojin").warning("payee %.3s…", "{NUMBER}")
            logging.getLogger("kojin").warning("payee", extra={{"payee": "{NUMBER}"}})
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*in its args: 12 digits*", "*in its extra: 12 digits*"])


def test_a_logged_exception_is_caught_and_the_report_of_its_failure_is_redacted(
    pytester: pytest.Pytester,
) -> None:
    result = run_guarded(
        pytester,
        """
        import logging

        def register(number):
            raise ValueError(f"not accepted: {{number}}")

        def test_register():
            try:
                register("{NUMBER}")
            except ValueError:
                logging.getLogger("kojin.api.errors").exception("registration failed")
                raise
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ValueError: not accepted: [[]MY NUMBER[]]*",
            "*log record of 'kojin.api.errors' (ERROR at test_inner.py:*) in its exc_info*",
        ]
    )


def test_records_from_threads_and_non_propagating_loggers_are_caught(
    pytester: pytest.Pytester,
) -> None:
    result = run_guarded(
        pytester,
        """
        import logging
        import threading

        def test_thread():
            worker = threading.Thread(
                target=lambda: logging.getLogger("kojin.worker").info("{NUMBER}")
            )
            worker.start()
            worker.join()

        def test_not_propagated():
            quiet = logging.getLogger("kojin.quiet")
            quiet.propagate = False
            try:
                quiet.critical("{SPACED}")
            finally:
                quiet.propagate = True

        def test_root_handlers_replaced():
            import logging.config
            logging.config.dictConfig(
                {{"version": 1, "incremental": False, "disable_existing_loggers": False,
                  "root": {{"handlers": [], "level": "WARNING"}}}}
            )
            logging.getLogger("kojin").warning("{NUMBER}")
        """,
    )
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        ["*'kojin.worker' (INFO*", "*'kojin.quiet' (CRITICAL*", "*'kojin' (WARNING*"]
    )


def test_a_finding_in_a_fixture_errors_the_setup_and_outside_tests_fails_the_session(
    pytester: pytest.Pytester,
) -> None:
    result = run_guarded(
        pytester,
        """
        import logging
        import pytest

        logging.getLogger("kojin.import").warning("at import {NUMBER}")

        @pytest.fixture
        def payee():
            logging.getLogger("kojin.fixture").warning("{NUMBER}")
            return 1

        def test_with_fixture(payee):
            assert payee == 1
        """,
    )
    result.assert_outcomes(errors=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*was shown during setup*",
            "*'kojin.fixture' (WARNING*",
            "*number guard*",
            "*was shown outside any test*",
            "*'kojin.import' (WARNING*",
        ]
    )
