"""Helpers for the guard's own tests: a valid number and an inner pytest run with the guard."""

from __future__ import annotations

import textwrap

import pytest

from kojin.law.check_digits import my_number_check_digit

BASE = "12345678901"
NUMBER = BASE + str(my_number_check_digit(BASE))
WRONG = BASE + str((my_number_check_digit(BASE) + 1) % 10)
FULL_WIDTH = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
SPACED = " ".join([NUMBER[:4], NUMBER[4:8], NUMBER[8:]])
HYPHENATED = "-".join([NUMBER[:4], NUMBER[4:8], NUMBER[8:]])


def run_guarded(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    """Run the test module `source` (``{NUMBER}`` etc. filled in) under the guard, in process.

    The guard of the inner run takes the findings of its tests, so the test that calls this one
    sees none of them; its report is what the assertions read.
    """
    filled = textwrap.dedent(source).format(
        NUMBER=NUMBER,
        WRONG=WRONG,
        FULL_WIDTH=FULL_WIDTH,
        SPACED=SPACED,
        HYPHENATED=HYPHENATED,
    )
    pytester.makepyfile(test_inner=filled)
    pytester.makeini("[pytest]\nmarkers =\n    number_guard_exempt: see tests/number_guard\n")
    result = pytester.runpytest("-p", "number_guard.plugin", "-p", "no:cacheprovider", *args)
    shown = result.stdout.str() + result.stderr.str()
    assert NUMBER not in shown
    assert FULL_WIDTH not in shown
    assert SPACED not in shown
    assert HYPHENATED not in shown
    return result
