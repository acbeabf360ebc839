"""Paths and hierarchies of the Adult data (ARX, Apache-2.0) copied under data/adult."""

from __future__ import annotations

from pathlib import Path

from kojin.deid.hierarchy import Hierarchy, load_hierarchy_csv

ADULT_DIR = Path(__file__).parent / "data" / "adult"
ADULT_QIS = (
    "age",
    "education",
    "marital-status",
    "native-country",
    "race",
    "salary-class",
    "sex",
    "workclass",
)


def adult_hierarchy(column: str) -> Hierarchy:
    return load_hierarchy_csv(column=column, path=ADULT_DIR / f"adult_hierarchy_{column}.csv")
