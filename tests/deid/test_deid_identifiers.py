"""``kojin anonymize`` cannot release identifiers (APPI Art. 43(1), Rule 34; R-AN-1(1)-(3)).

A kept or sensitive column that holds identifying descriptions, identification codes or linking
codes is refused before the search; the release is scanned again before it is written; ``--k``
below 2 is refused. A refusal writes nothing, records nothing and prints no value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from deid_data import ADULT_DIR
from typer.testing import CliRunner

from kojin.cli import app
from kojin.deid import service
from kojin.deid.identifier_check import Detection, IdentifierCheck, is_identifying
from kojin.deid.table_source import TableSource
from kojin.errors import InputError

runner = CliRunner()

SUBSET_ROWS = 3016


def adult_with(
    target: Path, columns: dict[str, Callable[[int], str]], *, source: str = "adult_subset.csv"
) -> Path:
    """The Adult file with `columns` appended; each value is made from the 0-based row."""
    lines = (ADULT_DIR / source).read_text(encoding="utf-8").splitlines()
    out = [";".join([lines[0], *columns])]
    for row, line in enumerate(lines[1:]):
        out.append(";".join([line, *(make(row) for make in columns.values())]))
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return target


def qi_args(*columns: str) -> list[str]:
    args: list[str] = []
    for column in columns:
        args += ["--qi", f"{column}={ADULT_DIR / f'adult_hierarchy_{column}.csv'}"]
    return args


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


#: (column, value of each row, kind found, first row holding it)
IDENTIFYING = [
    ("mail", lambda row: f"member{row}@example.jp", "email", 1),
    ("memo", lambda row: "123456789018" if row == 99 else "no remarks", "my_number", 100),
    ("contact", lambda row: f"090-{row % 10000:04d}-5678", "phone_number", 1),
    ("passport", lambda row: f"TK{row:07d}", "passport_number", 1),
    ("customer_name", lambda row: "Sato Hanako" if row > 9 else "-", "person_name", 11),
    ("payment", lambda row: "4111111111111111" if row == 2999 else "cash", "credit_card", 3000),
]


@pytest.mark.parametrize(("column", "make", "kind", "row"), IDENTIFYING)
def test_keeping_an_identifying_column_is_refused(
    tmp_path: Path, column: str, make: Callable[[int], str], kind: str, row: int
) -> None:
    source = adult_with(tmp_path / "in.csv", {column: make})
    out_dir = tmp_path / "release"
    result = runner.invoke(
        app,
        [
            "anonymize",
            str(source),
            *qi_args("age", "sex"),
            "--keep",
            "race",
            "--keep",
            column,
            "--k",
            "5",
            "--output",
            str(out_dir / "out.csv"),
            "--report",
            str(out_dir / "report.json"),
        ],
    )
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert f"column '{column}' (--keep: {kind}, row {row}) holds identifying information" in line
    assert "R-AN-1" in line
    assert make(row - 1) not in line  # the value found is never printed
    assert not out_dir.exists()  # nothing written, not even the folder


def test_a_sensitive_column_with_one_my_number_is_refused(tmp_path: Path) -> None:
    source = adult_with(
        tmp_path / "in.csv", {"diagnosis": lambda row: "1234-5678-9018" if row == 2500 else "flu"}
    )
    spec = service.anonymization_spec(
        hierarchy_files={"age": ADULT_DIR / "adult_hierarchy_age.csv"},
        k=5,
        l_value=2,
        sensitive="diagnosis",
        suppression=0.5,
    )
    with pytest.raises(InputError) as caught:
        service.anonymize_file(
            source=TableSource(str(source)),
            output=tmp_path / "out.csv",
            spec=spec,
            identifier_check=_discovery_check(),
        )
    assert caught.value.field == "sensitive"
    assert "column 'diagnosis' (--sensitive: my_number, row 2501)" in caught.value.message
    assert "5678" not in caught.value.message
    assert not (tmp_path / "out.csv").exists()


def _discovery_check() -> IdentifierCheck:
    from kojin.cli.deid import identifier_check

    return identifier_check()


def test_quasi_identifying_and_municipal_values_may_be_kept(tmp_path: Path) -> None:
    """Postal codes and municipalities are quasi-identifiers, not identifiers: kept, they pass."""
    cities = ["東京都千代田区", "大阪府大阪市北区", "北海道札幌市中央区"]
    source = adult_with(
        tmp_path / "in.csv",
        {"zip": lambda row: f"{100 + row % 7}-0001", "city": lambda row: cities[row % 3]},
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "anonymize",
            str(source),
            *qi_args("age", "sex"),
            "--sensitive",
            "occupation",
            "--keep",
            "zip",
            "--keep",
            "city",
            "--k",
            "5",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    header, first = out.read_text(encoding="utf-8").splitlines()[:2]
    assert header == "sex;age;occupation;zip;city"
    assert first.split(";")[-1] in cities


def test_the_release_is_scanned_before_it_is_written(tmp_path: Path) -> None:
    """A quasi-identifier whose chosen level is still a street address is refused: the search
    alone would have released it (every address occurs often enough for k = 5)."""
    streets = {
        "東京都千代田区千代田1-1": "東京都千代田区;東京都",
        "東京都港区芝公園4-2-8": "東京都港区;東京都",
        "大阪府大阪市北区梅田3-1-1": "大阪府大阪市北区;大阪府",
        "大阪府堺市堺区南瓦町3-1": "大阪府堺市堺区;大阪府",
    }
    addresses = list(streets)
    hierarchy = tmp_path / "address.csv"
    hierarchy.write_text(
        "".join(f"{street};{above};*\n" for street, above in streets.items()), encoding="utf-8"
    )
    source = adult_with(tmp_path / "in.csv", {"address": lambda row: addresses[(row + 2) % 4]})
    out_dir = tmp_path / "release"
    result = runner.invoke(
        app,
        [
            "anonymize",
            str(source),
            "--qi",
            f"address={hierarchy}",
            *qi_args("sex"),
            "--k",
            "5",
            "--output",
            str(out_dir / "out.csv"),
            "--report",
            str(out_dir / "report.json"),
        ],
    )
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert line.startswith(
        "kojin: error: the anonymized table would hold identifying information in column "
        "'address' (--qi: address, row 1); nothing was written"
    )
    assert not any(street in line for street in streets)
    assert not out_dir.exists()


class StubCheck:
    """Reports `kind` (of `category`) for `value` in `column`; records what it was given."""

    def __init__(self, column: str, value: str, kind: str, category: str) -> None:
        self.target = (column, value)
        self.kind, self.category = kind, category
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, *, column: str, values: Sequence[str]) -> Iterator[Detection]:
        self.calls.append((column, list(values)))
        for index, value in enumerate(values):
            if (column, value) == self.target:
                yield Detection(index=index, kind=self.kind, category=self.category)


def _anonymize_sex_and_age(tmp_path: Path, check: IdentifierCheck) -> Path:
    out = tmp_path / "release" / "out.csv"
    spec = service.anonymization_spec(
        hierarchy_files={
            "sex": ADULT_DIR / "adult_hierarchy_sex.csv",
            "age": ADULT_DIR / "adult_hierarchy_age.csv",
        },
        k=5,
        keep=["race"],
    )
    service.anonymize_file(
        source=TableSource(str(ADULT_DIR / "adult_subset.csv")),
        output=out,
        spec=spec,
        identifier_check=check,
        report=tmp_path / "release" / "report.json",
    )
    return out


def test_a_finding_in_a_generalized_column_names_the_input_row(tmp_path: Path) -> None:
    check = StubCheck("sex", "Female", "staff_number", "custom")
    with pytest.raises(InputError) as caught:
        _anonymize_sex_and_age(tmp_path, check)
    sexes = [line.split(";")[0] for line in (ADULT_DIR / "adult_subset.csv").read_text().split()]
    first_female = sexes[1:].index("Female") + 1
    assert caught.value.field == "qi"
    assert f"column 'sex' (--qi: staff_number, row {first_female})" in caught.value.message
    assert "Female" not in caught.value.message
    assert not (tmp_path / "release").exists()
    # the check saw each column's distinct values once: the kept column before the search,
    # then every column of the release
    assert [column for column, _ in check.calls] == ["race", "sex", "age", "race"]
    assert all(len(values) == len(set(values)) for _, values in check.calls)


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("postal_code", "contact"),
        ("date_of_birth", "demographic"),
        ("corporate_number", "corporate"),
    ],
)
def test_quasi_identifiers_and_non_personal_findings_are_released(
    tmp_path: Path, kind: str, category: str
) -> None:
    out = _anonymize_sex_and_age(tmp_path, StubCheck("race", "White", kind, category))
    assert out.read_text(encoding="utf-8").startswith("sex;age;race\n")


@pytest.mark.parametrize(
    ("value", "identifying"),
    [
        ("東京都千代田区", False),
        ("神奈川県横浜市中区", False),
        ("東京都千代田区千代田1-1", True),
        ("東京都千代田区千代田一丁目", True),
        ("長野県北安曇郡白馬村北城３０２０番地", True),
    ],
)
def test_an_address_identifies_below_the_municipality(value: str, identifying: bool) -> None:
    assert is_identifying(Detection(0, "address", "contact"), value) is identifying


@pytest.mark.parametrize("k", ["1", "0"])
def test_k_below_two_is_refused(tmp_path: Path, k: str) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "anonymize",
            str(ADULT_DIR / "adult_subset.csv"),
            *qi_args("age"),
            "--k",
            k,
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        f"kojin: error: k-anonymity needs k of at least 2 (--k): with k = {k} a record may "
        "stand alone in its class, which anonymizes nothing"
    )
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError) as caught:
        service.anonymization_spec(hierarchy_files={}, k=int(k))
    assert caught.value.field == "k"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return home


def _recorded() -> list[dict[str, object]]:
    listed = runner.invoke(app, ["datasets", "list", "--json"])
    assert listed.exit_code == 0, listed.stderr
    return [json.loads(line) for line in listed.stdout.splitlines()]


def test_record_refuses_a_dataset_with_identifiers(home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    source = adult_with(tmp_path / "in.csv", {"mail": lambda row: f"m{row}@example.jp"})
    out = tmp_path / "release" / "survey.csv"
    args = [
        "anonymize",
        str(source),
        *qi_args("age", "sex"),
        "--k",
        "5",
        "--output",
        str(out),
        "--record",
        "--category",
        "customer",
        "--purpose",
        "satisfaction_surveys",
    ]
    refused = runner.invoke(app, [*args, "--keep", "mail"])
    assert refused.exit_code == 2
    assert "column 'mail' (--keep: email, row 1)" in one_line(refused.stderr)
    assert not out.exists()
    assert _recorded() == []
    # without the identifying column the same run is made and recorded
    made = runner.invoke(app, args)
    assert made.exit_code == 0, made.stderr
    (row,) = _recorded()
    assert row["id"] == json.loads(made.stdout.splitlines()[-1])["dataset_id"]


def test_the_adult_flow_with_an_identifier_kept_writes_and_records_nothing(
    home: Path, tmp_path: Path
) -> None:
    """The whole Adult run (30,162 rows, 8 quasi-identifiers, l-diversity, suppression, report,
    --record) with an e-mail and a My Number column: keeping either is refused; deleting them
    (the default) gives a recorded release without them."""
    from kojin.law.check_digits import my_number_check_digit

    def my_number(row: int) -> str:
        base = f"{(row * 7919 + 123_456_789) % 10**11:011d}"
        return base + str(my_number_check_digit(base))

    assert runner.invoke(app, ["init"]).exit_code == 0
    source = adult_with(
        tmp_path / "adult.csv",
        {"email": lambda row: f"person{row}@example.com", "my_number": my_number},
        source="adult.csv",
    )
    release = tmp_path / "release"
    qis = (
        "age",
        "education",
        "marital-status",
        "native-country",
        "race",
        "salary-class",
        "sex",
        "workclass",
    )
    args = [
        "anonymize",
        str(source),
        *qi_args(*qis),
        "--sensitive",
        "occupation",
        "--k",
        "5",
        "--l",
        "2",
        "--suppression",
        "0.02",
        "--output",
        str(release / "adult.csv"),
        "--report",
        str(release / "report.json"),
        "--record",
        "--category",
        "customer",
        "--purpose",
        "satisfaction_surveys",
        "--name",
        "Adult survey",
    ]
    for column, kind in (("email", "email"), ("my_number", "my_number")):
        refused = runner.invoke(app, [*args, "--keep", column])
        assert refused.exit_code == 2
        line = one_line(refused.stderr)
        assert f"column '{column}' (--keep: {kind}, row 1) holds identifying information" in line
        assert my_number(0) not in line
        assert "person0@" not in line
        assert not release.exists()
        assert _recorded() == []

    made = runner.invoke(app, args)
    assert made.exit_code == 0, made.stderr
    header = (release / "adult.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(";")
    assert "email" not in header
    assert "my_number" not in header
    report = json.loads((release / "report.json").read_bytes())
    assert report["items"]["email"] == report["items"]["my_number"] == "deleted"
    (row,) = _recorded()
    assert row["name"] == "Adult survey"
    items = row["items"]
    assert isinstance(items, list)
    assert not any("mail" in item or "number" in item for item in items)


def test_every_identifying_column_is_named_at_once(tmp_path: Path) -> None:
    make_memo = IDENTIFYING[1][1]
    source = adult_with(
        tmp_path / "in.csv", {"mail": lambda row: f"m{row}@example.jp", "memo": make_memo}
    )
    spec = service.anonymization_spec(
        hierarchy_files={"age": ADULT_DIR / "adult_hierarchy_age.csv"},
        k=5,
        keep=["race", "mail", "memo"],
    )
    with pytest.raises(InputError) as caught:
        service.anonymize_file(
            source=TableSource(str(source)),
            output=tmp_path / "out.csv",
            spec=spec,
            identifier_check=_discovery_check(),
        )
    assert caught.value.field == "keep"
    assert caught.value.message.startswith(
        "columns 'mail' (--keep: email, row 1), 'memo' (--keep: my_number, row 100) hold "
        "identifying information; anonymized information may hold no identifying description"
    )
