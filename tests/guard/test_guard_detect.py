"""The detector: which digit strings are individual numbers, and that pieces change nothing."""

from __future__ import annotations

import random

import pytest

from kojin.law.check_digits import my_number_check_digit
from number_guard.detect import Scanner, find_numbers, mask, redact

BASE = "12345678901"
NUMBER = BASE + str(my_number_check_digit(BASE))
WRONG = BASE + str((my_number_check_digit(BASE) + 1) % 10)
FULL_WIDTH = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def grouped(number: str, separator: str) -> str:
    return separator.join([number[:4], number[4:8], number[8:]])


@pytest.mark.parametrize(
    ("text", "form"),
    [
        (NUMBER, "12 digits"),
        (f"number: {NUMBER}.", "12 digits"),
        (f'{{"n": "{NUMBER}"}}', "12 digits"),
        (f"個人番号{NUMBER}です", "12 digits"),
        (f"payee_{NUMBER}.csv", "12 digits"),
        (FULL_WIDTH, "full-width 12 digits"),
        (NUMBER[:6] + FULL_WIDTH[6:], "full-width 12 digits"),
        (grouped(NUMBER, " "), "4-4-4 grouped digits"),
        (grouped(NUMBER, "-"), "4-4-4 grouped digits"),
        (grouped(NUMBER, "\u3000"), "4-4-4 grouped digits"),
        (grouped(FULL_WIDTH, "－"), "full-width 4-4-4 grouped digits"),
    ],
)
def test_numbers_in_every_written_form_are_found(text: str, form: str) -> None:
    hits = find_numbers(text)
    assert [hit.form for hit in hits] == [form]
    assert NUMBER not in hits[0].context
    assert FULL_WIDTH not in hits[0].context


@pytest.mark.parametrize(
    "text",
    [
        WRONG,
        grouped(WRONG, " "),
        f"sha256 ab{NUMBER}cd",
        f"{NUMBER}f0e1d2c3b4a5968778695a4b3c2d1e0f",
        f"9{NUMBER}",
        f"{NUMBER}7",
        f"1700000000{NUMBER}",
        f"took 0.{NUMBER} s",
        f"{NUMBER}.5",
        f"card {grouped(NUMBER, ' ')} 1111",
        f"card 4111 {grouped(NUMBER, ' ')}",
        f"id 0e8f2a1c-7d3b-4e5f-a6b7-{NUMBER}",
        f"id 0e8f2a1c-{grouped(NUMBER, '-')}-abcdefabcdef",
        f"token AbC{NUMBER}xYz",
        f"{NUMBER[:4]}  {NUMBER[4:8]} {NUMBER[8:]}",
    ],
)
def test_digit_runs_that_are_not_numbers_are_left_alone(text: str) -> None:
    assert find_numbers(text) == []


def test_the_context_is_masked_around_every_digit_run() -> None:
    other = "98765432"
    (hit,) = find_numbers(f"ids {other} and {NUMBER} for subject 42")
    assert other not in hit.context
    assert "[MY NUMBER]" in hit.context
    assert hit.context.endswith("for subject 42")
    assert mask(f"page 3 of {other}") == "page 3 of ••••••••"


def test_redact_replaces_only_valid_numbers() -> None:
    text = f"{NUMBER} {WRONG} {grouped(NUMBER, '-')}"
    assert redact(text) == f"[MY NUMBER] {WRONG} [MY NUMBER]"
    assert redact("nothing here") == "nothing here"


@pytest.mark.parametrize("size", [1, 2, 7, 40, 53, 500, 10_000])
def test_a_text_in_pieces_gives_what_the_whole_text_gives(size: int) -> None:
    generator = random.Random(size)
    fillers = ["abc", " ", "-", "0.", "9", "x-", "\n", "数", "f00d", "1234-"]
    forms = [NUMBER, FULL_WIDTH, grouped(NUMBER, " "), WRONG, f"{NUMBER}.1", f"a{NUMBER}"]
    text = "".join(
        generator.choice(forms) if generator.random() < 0.1 else generator.choice(fillers)
        for _ in range(3000)
    )
    scanner = Scanner()
    for start in range(0, len(text), size):
        scanner.feed(text[start : start + size])
    scanner.feed("", final=True)
    whole = find_numbers(text)
    assert len(whole) > 20
    assert scanner.hits == whole
