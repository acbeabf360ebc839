"""The staff pages' pure parts: the action forms, the chart's geometry, file names."""

from __future__ import annotations

import pytest

from kojin.web.admin.action_forms import action_form, submitted_values
from kojin.web.admin.chart import HEIGHT, days_left_chart
from kojin.web.admin.files import content_disposition


@pytest.mark.parametrize(
    ("action", "kind", "linked", "fields", "required"),
    [
        ("record_fee", "disclosure", False, ("fee_reference", "note"), {"fee_reference"}),
        (
            "refuse",
            "erasure",
            False,
            ("refusal_ground", "explanation", "note"),
            {"refusal_ground", "explanation"},
        ),
        ("approve", "stop_use", False, ("subject_id", "explanation", "note"), {"subject_id"}),
        ("approve", "stop_use", True, ("subject_id", "explanation", "note"), set()),
        ("approve", "correction", False, ("explanation", "note"), set()),
        (
            "fulfil_partly",
            "disclosure",
            False,
            ("subject_id", "explanation", "note"),
            {"subject_id", "explanation"},
        ),
        ("fulfil_partly", "inquiry", False, ("explanation", "note"), {"explanation"}),
        ("verify_identity", "disclosure", False, ("note",), set()),
    ],
)
def test_each_action_asks_for_what_the_service_requires(
    action: str, kind: str, linked: bool, fields: tuple[str, ...], required: set[str]
) -> None:
    form = action_form(action, kind, linked=linked)
    assert form.fields == fields
    assert form.required == required
    assert form.closes == (action in {"approve", "fulfil_partly", "refuse", "withdraw"})


def test_only_the_action_fields_are_passed_on() -> None:
    posted = {"note": "  a note ", "explanation": "   ", "csrf_token": "t", "action": "refuse"}
    assert submitted_values(posted) == {"note": "a note"}


def test_bars_are_scaled_to_the_largest_count() -> None:
    chart = days_left_chart([("overdue", 1), ("0-2", 0), ("3-5", 4), ("6-10", 200), ("11+", 2)])
    by_key = {bar.key: bar for bar in chart.bars}
    assert [bar.key for bar in chart.bars] == ["overdue", "d0_2", "d3_5", "d6_10", "d11_plus"]
    assert by_key["d6_10"].y > 0
    assert by_key["d6_10"].height == max(bar.height for bar in chart.bars)
    assert by_key["d0_2"].height == 0
    assert by_key["overdue"].height >= 2  # one request stays visible beside two hundred
    assert by_key["overdue"].overdue
    assert not by_key["d3_5"].overdue
    assert all(bar.y + bar.height == pytest.approx(chart.baseline, abs=0.2) for bar in chart.bars)
    assert chart.baseline < HEIGHT
    assert chart.total == 207
    assert days_left_chart([]).total == 0


def test_file_names_are_safe_in_the_header() -> None:
    header = content_disposition("attachment", '開示データ "2026".zip')
    assert header.startswith('attachment; filename="')
    ascii_part = header.split('filename="', 1)[1].split('"', 1)[0]
    assert ascii_part.isascii()
    assert '"' not in ascii_part
    assert "filename*=UTF-8''%E9%96%8B" in header
