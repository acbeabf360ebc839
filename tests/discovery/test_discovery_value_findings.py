"""ValueFinder: personal data in a column's values, each finding pointing at its value."""

from __future__ import annotations

from kojin.discovery.value_findings import ValueFinder


def test_each_finding_points_at_the_value_it_was_found_in() -> None:
    values = ["東京都", "no data", "contact: hanako@example.jp", "", "090-1234-5678"]
    found = {(f.position, f.kind) for f in ValueFinder()(column="memo", values=values)}
    assert (2, "email") in found
    assert any(position == 4 and "phone" in kind for position, kind in found)
    assert not any(position in (0, 1, 3) for position, _ in found)


def test_the_column_name_gives_bare_numbers_their_context() -> None:
    finder = ValueFinder()
    numbers = ["TK1234567", "TR7654321"]
    hinted = {f.kind for f in finder(column="passport_number", values=numbers)}
    plain = {f.kind for f in finder(column="code", values=numbers)}
    assert "passport_number" in hinted
    assert "passport_number" not in plain
