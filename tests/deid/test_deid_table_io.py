"""Written CSV quotes exactly the values that need it, whichever writer produces the file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from kojin.deid.table_io import read_csv, write_table


@pytest.mark.parametrize(
    ("columns", "delimiter", "expected"),
    [
        ({"a": ["x", "y"], "b c": ["1", "2"]}, ",", "a,b c\nx,1\ny,2\n"),
        ({"a": ["x", ""], "b": ["1", "2"]}, ",", 'a,b\nx,1\n"",2\n'),
        ({"a": ["x", "a,b"], 'd"': ["1", "2"]}, ",", 'a,"d"""\nx,1\n"a,b",2\n'),
        ({"a": ["a,b", "c;d"]}, ";", 'a\na,b\n"c;d"\n'),
        (
            {"a": ['q"q', "two\nlines"], "": ["ü", " kept "]},
            "\t",
            'a\t""\n"q""q"\tü\n"two\nlines"\t kept \n',
        ),
    ],
)
def test_csv_output_quotes_only_what_needs_quoting(
    tmp_path: Path, columns: dict[str, list[str]], delimiter: str, expected: str
) -> None:
    target = tmp_path / "out.csv"
    write_table(pa.table(columns), target, delimiter=delimiter)
    assert target.read_bytes().decode("utf-8") == expected
    assert read_csv(target, delimiter=delimiter).to_pydict() == columns
