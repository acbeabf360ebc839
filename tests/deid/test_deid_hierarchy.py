"""Hierarchy files and the hierarchies kojin builds (numbers, dates, top/bottom coding)."""

from __future__ import annotations

from pathlib import Path

import pytest
from deid_data import ADULT_DIR

from kojin.deid.auto_hierarchy import (
    OutlierCoding,
    apply_outlier_coding,
    auto_hierarchy,
    date_hierarchy,
)
from kojin.deid.hierarchy import Hierarchy, hierarchy_from_rows, load_hierarchy_csv
from kojin.errors import InputError


@pytest.mark.parametrize(
    ("column", "height"),
    [("age", 4), ("education", 3), ("native-country", 2), ("sex", 1)],
)
def test_adult_hierarchies_load(column: str, height: int) -> None:
    path = ADULT_DIR / f"adult_hierarchy_{column}.csv"
    h = load_hierarchy_csv(column=column, path=path)
    assert h.height == height
    assert len(h.labels[0]) == len([line for line in path.read_text().splitlines() if line])
    assert _is_tree(h)
    assert h.labels[-1] == ("*",)


def _is_tree(h: Hierarchy) -> bool:
    for level in range(1, h.height + 1):
        parent_of: dict[int, int] = {}
        for leaf in range(len(h.labels[0])):
            below, above = int(h.parents[level - 1][leaf]), int(h.parents[level][leaf])
            if parent_of.setdefault(below, above) != above:
                return False
    return True


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["a", "x", "*"], ["b", "*"]], "row 2: 2 levels"),
        (
            [["a", "x", "*"], ["a", "y", "*"]],
            "row 2: its value .level 0. appears twice, first at row 1",
        ),
        ([["a", "x", "p"], ["b", "y", "q"]], "single value"),
        (
            [["a", "x", "p", "*"], ["b", "x", "q", "*"]],
            "row 2: its value at level 1 has two parents at level 2 .the other at row 1.",
        ),
        ([["a"]], "at least two levels"),
    ],
)
def test_bad_hierarchy_rows_are_named(rows: list[list[str]], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        hierarchy_from_rows(column="c", rows=rows, source="h.csv")
    assert not {"'a'", "'b'", "'x'", "'p'", "'q'"} & set(caught.value.message.split())


def test_missing_hierarchy_file_names_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'zip'"):
        load_hierarchy_csv(column="zip", path=tmp_path / "none.csv")


def test_numeric_hierarchy_nests_intervals() -> None:
    values = [str(v) for v in range(17, 91)]
    h = auto_hierarchy(column="age", values=values)
    assert _is_tree(h)
    assert h.labels[-1] == ("*",)
    # level 1 intervals contain their values
    for code, value in enumerate(h.labels[0]):
        low, high = h.labels[1][h.parents[1][code]].strip("[)").split(", ")
        assert int(low) <= int(value) < int(high)
    # each level strictly coarser
    sizes = [len(level) for level in h.labels]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[1] < sizes[0]


def test_top_and_bottom_coding_replace_outliers() -> None:
    values = ["12", "30", "45", "116", "90"]
    coded = apply_outlier_coding(
        column="age", values=values, coding=OutlierCoding(top=90, bottom=18)
    )
    assert coded == ["<18", "30", "45", ">=90", ">=90"]
    h = auto_hierarchy(column="age", values=coded, coding=OutlierCoding(top=90, bottom=18))
    assert _is_tree(h)
    assert ">=90" in h.labels[0]
    assert "116" not in h.labels[0]


def test_date_hierarchy_steps() -> None:
    h = auto_hierarchy(column="d", values=["1980-03-04", "1980-03-30", "1991-12-01"])
    index = h.leaf_index()["1980-03-04"]
    assert [h.labels[level][h.parents[level][index]] for level in range(h.height + 1)] == [
        "1980-03-04",
        "1980-03",
        "1980",
        "1980s",
        "*",
    ]


def test_auto_hierarchy_rejects_text_naming_row() -> None:
    with pytest.raises(InputError, match=r"column 'age', row 2: not a number") as caught:
        auto_hierarchy(column="age", values=["3", "old"])
    assert "old" not in caught.value.message
    with pytest.raises(InputError, match=r"column 'd', row 3: not an ISO date") as caught:
        date_hierarchy(column="d", values=["1980-03-04", "1980-03-04", "1980-13-01"])
    assert "1980-13-01" not in caught.value.message
