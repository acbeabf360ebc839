"""Payments become the lines of a payment record: split by descriptive fields, yen summed,
remarks joined once, the payee's total counted over every line."""

from __future__ import annotations

from kojin.mynumber.filing.lines import LineRule, payee_lines

RULE = LineRule(
    group=("category", "details"),
    summed=("amount_yen", "withheld_yen"),
    joined=("remarks",),
)


def test_lines_per_payee_and_group() -> None:
    payments = [
        ("a", {"category": "講演料", "amount_yen": 30_000, "withheld_yen": 3063, "remarks": "春"}),
        ("b", {"category": "原稿料", "amount_yen": 10_000, "withheld_yen": 1021}),
        ("a", {"category": "講演料", "amount_yen": 30_000, "withheld_yen": 3063, "remarks": "春"}),
        ("a", {"category": "講演料", "amount_yen": 5_000, "remarks": "秋"}),
        ("a", {"category": "原稿料", "details": "原稿", "amount_yen": 7_000}),
    ]
    a, b = payee_lines(payments, RULE)
    assert (a.subject_id, a.total_yen) == ("a", 72_000)
    assert a.lines == [
        {
            "category": "講演料",
            "details": None,
            "amount_yen": 65_000,
            "withheld_yen": 6126,
            "remarks": "春; 秋",
        },
        {
            "category": "原稿料",
            "details": "原稿",
            "amount_yen": 7_000,
            "withheld_yen": 0,
            "remarks": None,
        },
    ]
    assert (b.subject_id, b.total_yen, len(b.lines)) == ("b", 10_000, 1)


def test_no_payments_no_lines() -> None:
    assert payee_lines([], RULE) == []
