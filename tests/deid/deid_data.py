"""Paths and hierarchies of the Adult data (ARX, Apache-2.0) copied under data/adult."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

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


def write_roles(path: Path, columns: dict[str, str]) -> Path:
    """A roles file giving each column its role."""
    path.write_text(yaml.safe_dump({"columns": columns}), encoding="utf-8")
    return path


def pseudonymize_args(
    source: Path, *, roles: Path, output: Path, key_file: Path, extra: Sequence[str] = ()
) -> list[str]:
    """The arguments of ``kojin pseudonymize`` for one run."""
    return [
        "pseudonymize",
        str(source),
        "--roles",
        str(roles),
        "--output",
        str(output),
        "--key-file",
        str(key_file),
        *extra,
    ]
