"""``kojin pseudonymize --engine spark``: the embedded path's release, tokens, refusals and
deletion information, computed in the executors of a real cluster; the key in no plan."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import random
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deid_data import pseudonymize_args, write_roles
from typer.testing import CliRunner

from kojin.cli import app
from kojin.deid.choices import TokenAlgorithm
from kojin.deid.column_roles import RolesSpec
from kojin.deid.pseudonym_tokens import open_key_ring, tokenize
from kojin.deid.results import PseudonymizationResult
from kojin.deid.service import pseudonymize_file
from kojin.deid.spark import pseudonymize as on_spark
from kojin.deid.table_io import read_csv
from kojin.deid.table_source import TableSource
from kojin.errors import ConfigurationError, InputError
from kojin.law.check_digits import my_number_check_digit
from kojin.spark.tables import spark_input

pytestmark = [pytest.mark.spark, pytest.mark.slow]

runner = CliRunner()
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
# Luhn-valid test numbers of the card networks, not anyone's card
CARDS = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"]
JOBS = ["clerk"] * 60 + ["nurse"] * 30 + ["driver"] * 20 + ["astronaut", "falconer", "diver"]

ROLES: dict[str, Any] = {
    "columns": {
        "customer_id": "direct_identifier",
        "name": "direct_identifier",
        "my_number": "identification_code",
        "card": "unauthorized_use_risk",
        "age": "quasi_identifier",
        "job": "other",
        "hobby": "other",
        "note": "sensitive",
        "visits": "other",
    },
    "coding": {
        "age": {"top": 90, "bottom": 18},
        "job": {"min_count": 20, "other": "other job"},  # few rare jobs: the rare are listed
        "hobby": {"min_count": 3, "other": "その他"},  # mostly rare: the frequent are listed
    },
}


def _my_number(rng: random.Random) -> str:
    """A number with a valid check digit, generated for the tests (no one's My Number)."""
    base = str(rng.randrange(10**10, 10**11))
    return base + str(my_number_check_digit(base))


def _people(rows: int, *, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    people = []
    for i in range(rows):
        people.append(
            {
                "customer_id": f"c{rng.randrange(rows)}",
                "name": f"{rng.choice(['佐藤', '鈴木', 'Tanaka'])} {rng.choice(['花子', 'Ken'])}",
                "my_number": _my_number(rng),
                "card": CARDS[i % len(CARDS)],
                "age": str(rng.choice([rng.randint(5, 105), 34, 41.5])),
                "job": rng.choice(JOBS),
                "hobby": f"hobby {rng.randrange(rows // 2)}",
                "note": rng.choice(["", "a; b", 'say "hi"', "通院中", "x"]),
                "visits": str(rng.randrange(40)),
            }
        )
    return people


def _write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ";") -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _csv_parts(folder: Path, delimiter: str) -> pa.Table:
    """A Spark CSV output, its parts in order (the input's order)."""
    parts = sorted(folder.glob("part-*.csv"))
    return pa.concat_tables([read_csv(p, delimiter=delimiter) for p in parts])


def _sorted_rows(table: pa.Table) -> list[tuple[str, ...]]:
    return sorted(tuple(row.values()) for row in table.to_pylist())


def _same_result(spark_made: PseudonymizationResult, embedded: PseudonymizationResult) -> None:
    assert replace(spark_made, deletion_info="") == replace(embedded, deletion_info="")


@contextlib.contextmanager
def _small_splits(spark: Any) -> Iterator[None]:
    """Inputs read in splits of 16 KiB: row numbers cross splits and executors."""
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16384")
    try:
        yield
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


@pytest.mark.parametrize("algorithm", list(TokenAlgorithm))
def test_the_release_is_the_embedded_paths(
    spark: Any, tmp_path: Path, algorithm: TokenAlgorithm
) -> None:
    source = _write_csv(tmp_path / "people.csv", _people(1000))
    roles = RolesSpec.model_validate({**ROLES, "algorithm": algorithm.value})
    keys = tmp_path / "secure" / "keys.json"
    with _small_splits(spark):
        made = on_spark.pseudonymize_on_spark(
            spark=spark,
            source=spark_input(str(source)),
            output=tmp_path / "spark" / "pseudo.csv",
            roles=roles,
            key_file=keys,
            deletion_dir=tmp_path / "secure" / "spark-info",
            purposes=["develop_services"],
            now=NOW,
        )
    embedded = pseudonymize_file(
        source=TableSource(str(source)),
        output=tmp_path / "embedded" / "pseudo.csv",
        roles=roles,
        key_file=keys,
        deletion_dir=tmp_path / "secure" / "embedded-info",
        purposes=["develop_services"],
        now=NOW,
    )
    _same_result(made, embedded)
    folder = tmp_path / "spark" / "pseudo.csv"
    assert len(list(folder.glob("part-*.csv"))) > 1  # one part per input split
    released = _csv_parts(folder, ";")
    assert released.equals(read_csv(tmp_path / "embedded" / "pseudo.csv", delimiter=";"))
    assert released.column_names == [c for c in ROLES["columns"] if c not in ("my_number", "card")]
    assert {"other job", ">=90", "<18", "その他"} <= {
        v for c in ("job", "age", "hobby") for v in released.column(c).to_pylist()
    }
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    infos = [orjson.loads(Path(r.deletion_info).read_bytes()) for r in (made, embedded)]
    assert infos[0] == infos[1]
    assert infos[0]["algorithm"] == algorithm.value


def _partitioned(folder: Path, rows: list[dict[str, str]]) -> pa.Table:
    """The rows as Parquet files in ``region=…/card_brand=…`` folders; returns the whole table
    (partition columns last, as Spark reads them)."""
    regions = ["east", "west"]
    table = pa.Table.from_pylist(
        [
            {**row, "region": regions[i % 2], "card_brand": row["card"][0]}
            for i, row in enumerate(rows)
        ]
    )
    for region in regions:
        for brand in sorted(set(table.column("card_brand").to_pylist())):
            part = table.filter(
                pa.compute.and_(
                    pa.compute.equal(table.column("region"), region),
                    pa.compute.equal(table.column("card_brand"), brand),
                )
            )
            where = folder / f"region={region}" / f"card_brand={brand}"
            where.mkdir(parents=True)
            pq.write_table(part.drop_columns(["region", "card_brand"]), where / "part-0.parquet")
    return table


def _mapping(path: Path) -> dict[str, str]:
    table = pq.read_table(path)
    return dict(zip(table["value"].to_pylist(), table["token"].to_pylist(), strict=True))


def test_a_partitioned_parquet_folder_keeps_its_released_partitions_and_token_tables(
    spark: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "people"
    whole = _partitioned(folder, _people(600, seed=11))
    pq.write_table(whole, tmp_path / "whole.parquet")
    spec = {
        **ROLES,
        "columns": {**ROLES["columns"], "region": "quasi_identifier", "card_brand": "other"},
    }
    spec["columns"]["card_brand"] = "unauthorized_use_risk"
    roles = RolesSpec.model_validate(spec)
    keys, release = tmp_path / "secure" / "keys.json", tmp_path / "release"
    made = on_spark.pseudonymize_on_spark(
        spark=spark,
        source=spark_input(str(folder)),
        output=str(release / "pseudo.parquet"),
        roles=roles,
        key_file=keys,
        keep_mapping=True,
        now=NOW,
    )
    embedded = pseudonymize_file(
        source=TableSource(str(tmp_path / "whole.parquet")),
        output=tmp_path / "embedded" / "pseudo.parquet",
        roles=roles,
        key_file=keys,
        deletion_dir=tmp_path / "secure" / "embedded-info",
        keep_mapping=True,
        now=NOW,
    )
    _same_result(replace(made, source="whole.parquet"), embedded)
    out = release / "pseudo.parquet"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["region=east", "region=west"]
    assert not list(out.rglob("card_brand=*"))
    back = pq.read_table(out)
    back = back.set_column(
        back.column_names.index("region"), "region", back.column("region").cast(pa.string())
    )
    expected = pq.read_table(tmp_path / "embedded" / "pseudo.parquet")
    assert {str(kind) for kind in pq.read_table(next(out.rglob("*.parquet"))).schema.types} == {
        "string"
    }
    assert _sorted_rows(back.select(expected.column_names)) == _sorted_rows(expected)
    # the deletion information, and the token tables as folders of parts, owner-only
    info_path = Path(made.deletion_info)
    assert info_path.parent == tmp_path / "secure" / "deletion-info"
    info = orjson.loads(info_path.read_bytes())
    other = orjson.loads(Path(embedded.deletion_info).read_bytes())
    assert {k: v for k, v in info.items() if k != "source"} == {
        k: v for k, v in other.items() if k != "source"
    }
    assert info["mappings"] == {
        "customer_id": "pseudo-20261201T093000000000Z-customer_id.parquet",
        "name": "pseudo-20261201T093000000000Z-name.parquet",
    }
    for column, name in info["mappings"].items():
        table = info_path.parent / name
        assert table.is_dir()
        assert stat.S_IMODE(table.stat().st_mode) == 0o700
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in table.iterdir())
        assert _mapping(table) == _mapping(Path(embedded.deletion_info).parent / name)
        assert len(_mapping(table)) == len(set(whole.column(column).to_pylist()))
    # the embedded --retokenize-from reads Spark's token tables
    part = next(out.rglob("part-*.parquet"))
    names = info_path.parent / info["mappings"]["name"]
    again = runner.invoke(
        app,
        [
            *("pseudonymize", str(part), "--retokenize-from", str(info_path)),
            *("--output", str(tmp_path / "rekeyed" / "p2.parquet")),
        ],
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout.splitlines()[-1])["key_id"] == "k2"
    old, new = pq.read_table(part), pq.read_table(tmp_path / "rekeyed" / "p2.parquet")
    by_token = {token: value for value, token in _mapping(names).items()}
    k2 = open_key_ring(path=keys, algorithm=TokenAlgorithm.BLAKE2B).active
    values = [by_token[t] for t in old.column("name").to_pylist()]
    assert new.column("name").to_pylist() == tokenize(pa.array(values), key=k2).to_pylist()


def test_the_key_is_in_no_plan_or_setting_and_its_broadcast_is_destroyed(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _write_csv(tmp_path / "people.csv", _people(40))
    roles = RolesSpec.model_validate(ROLES)
    keys = tmp_path / "secure" / "keys.json"
    secret = open_key_ring(path=keys, algorithm=TokenAlgorithm.BLAKE2B).active.secret
    frames: list[Any] = []
    shipped: list[Any] = []
    real_write = getattr(on_spark, "write_output")  # noqa: B009 - the module's own name
    real_broadcast = on_spark.broadcast

    def write_output(spark: Any, frame: Any, target: str, **options: Any) -> None:
        frames.append(frame)
        real_write(spark, frame, target, **options)

    @contextlib.contextmanager
    def broadcast(spark: Any, value: Any) -> Iterator[Any]:
        with real_broadcast(spark, value) as sent:
            shipped.append(sent)
            yield sent

    monkeypatch.setattr(on_spark, "write_output", write_output)
    monkeypatch.setattr(on_spark, "broadcast", broadcast)
    on_spark.pseudonymize_on_spark(
        spark=spark,
        source=spark_input(str(source)),
        output=tmp_path / "out" / "pseudo.parquet",
        roles=roles,
        key_file=keys,
        keep_mapping=True,
    )
    assert len(frames) == 3  # two token tables and the release
    plans = []
    for frame in frames:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            frame.explain(mode="extended")
            frame.explain(mode="formatted")
        plans.append(frame._jdf.queryExecution().toString() + printed.getvalue())
    settings = [str(spark.sparkContext.getConf().getAll()), str(spark.conf.getAll)]
    for shown in (secret.hex(), secret.hex().upper(), base64.b64encode(secret).decode()):
        assert not any(shown in text for text in [*plans, *settings])
    assert "pseudonymize(" in plans[-1]  # the release's plan names the function, not its key
    assert "Exchange" not in plans[-1]  # map-side only: the rows are not shuffled
    # the broadcast is destroyed when the job ends, and when it fails
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output's folder would be")
    with pytest.raises(ConfigurationError, match=r"could not pseudonymize people.csv into p.csv"):
        on_spark.pseudonymize_on_spark(
            spark=spark,
            source=spark_input(str(source)),
            output=blocker / "p.csv",
            roles=roles,
            key_file=keys,
        )
    assert len(shipped) == 2
    for sent in shipped:
        assert not Path(sent._path).exists()
        assert not sent._jbroadcast.isValid()


def _refused(run: Any) -> str:
    with pytest.raises(InputError) as caught:
        run()
    return caught.value.message


@pytest.mark.parametrize(
    ("column", "row", "value"),
    [
        ("note", 1845, "1234-5678-9018"),  # a My Number in a sensitive column
        ("visits", 1499, "4111 1111 1111 1111"),  # a card number in another kept column
        ("age", 1777, "about 40"),  # top/bottom coding: not a number
        ("customer_id", 1998, None),  # a missing value (Parquet) in a tokenized column
    ],
)
def test_refusals_are_the_embedded_paths_before_any_key_exists(
    spark: Any, tmp_path: Path, column: str, row: int, value: str | None
) -> None:
    rows = _people(2000, seed=3)
    rows[row - 1][column] = value  # type: ignore[assignment]
    if value is None:
        source = tmp_path / "people.parquet"
        pq.write_table(pa.Table.from_pylist(rows), source, row_group_size=400)
    else:
        source = _write_csv(tmp_path / "people.csv", rows)
    roles = RolesSpec.model_validate(ROLES)
    secure = tmp_path / "secure"
    with _small_splits(spark):
        message = _refused(
            lambda: on_spark.pseudonymize_on_spark(
                spark=spark,
                source=spark_input(str(source)),
                output=tmp_path / "out" / "pseudo.csv",
                roles=roles,
                key_file=secure / "keys.json",
            )
        )
    embedded = _refused(
        lambda: pseudonymize_file(
            source=TableSource(str(source)),
            output=tmp_path / "embedded" / "pseudo.csv",
            roles=roles,
            key_file=tmp_path / "embedded-keys" / "keys.json",
        )
    )
    assert message == embedded
    assert message.startswith(f"column {column!r}")
    assert f"row {row}:" in message
    assert not secure.exists()
    assert not (tmp_path / "out").exists()


def test_roles_must_name_the_columns_as_on_the_embedded_path(spark: Any, tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "people.csv", _people(20))
    for columns, message in (
        ({**ROLES["columns"], "zip": "other"}, "the roles file names column 'zip'"),
        ({k: v for k, v in ROLES["columns"].items() if k != "hobby"}, "column 'hobby' has no"),
    ):
        with pytest.raises(InputError, match=message):
            on_spark.pseudonymize_on_spark(
                spark=spark,
                source=spark_input(str(source)),
                output=tmp_path / "out" / "pseudo.csv",
                roles=RolesSpec.model_validate({"columns": columns}),
                key_file=tmp_path / "secure" / "keys.json",
            )
    assert not (tmp_path / "secure").exists()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KOJIN_HOME", str(home))
    monkeypatch.delenv("KOJIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    return home


def test_the_command_on_spark_records_what_the_embedded_command_records(
    spark: Any, spark_master: str, home: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    people = _people(300)
    whole = _write_csv(tmp_path / "people.csv", people, delimiter=",")
    parts = tmp_path / "people"  # the same rows as a folder of CSV part files
    parts.mkdir()
    for start in range(0, 300, 100):
        _write_csv(parts / f"part-{start:05d}.csv", people[start : start + 100], delimiter=",")
    roles = tmp_path / "roles.yaml"
    roles.write_text(json.dumps(ROLES), encoding="utf-8")
    keys = tmp_path / "secure" / "keys.json"
    summaries = []
    for source, engine, extra in (
        (parts, "spark", ["--spark-master", spark_master, "--record", "--category", "customer"]),
        (whole, "memory", []),
    ):
        made = runner.invoke(
            app,
            pseudonymize_args(
                source,
                roles=roles,
                output=tmp_path / engine / "pseudo.csv",
                key_file=keys,
                extra=["--engine", engine, "--purpose", "develop_services", *extra],
            ),
        )
        assert made.exit_code == 0, made.output
        summaries.append(json.loads(made.stdout.splitlines()[-1]))
    recorded, embedded = summaries
    dataset_id = recorded.pop("dataset_id")
    assert recorded["deletion_info"] != embedded["deletion_info"]
    assert {k: v for k, v in recorded.items() if k != "deletion_info"} == {
        k: v for k, v in embedded.items() if k != "deletion_info"
    }
    listed = runner.invoke(app, ["datasets", "list", "--json"])
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["id"], row["form"], row["key_id"]) == (dataset_id, "pseudonymized", "k1")
    released = _csv_parts(tmp_path / "spark" / "pseudo.csv", ",")
    assert _sorted_rows(released) == _sorted_rows(read_csv(tmp_path / "memory" / "pseudo.csv"))


def test_what_runs_on_the_embedded_engines_only_is_refused(
    spark_master: str, tmp_path: Path
) -> None:
    source = _write_csv(tmp_path / "people.csv", _people(5), delimiter=",")
    roles = write_roles(tmp_path / "roles.yaml", ROLES["columns"])
    keys = tmp_path / "secure" / "keys.json"
    spark = ["--engine", "spark", "--spark-master", spark_master]
    cases = [
        (str(source), [*spark, "--retokenize-from", str(tmp_path / "info.json")], "--retokenize"),
        ("sqlite:///registry.db", spark, "a database URL as INPUT"),
        ("postgresql+psycopg://kojin@db/crm", spark, "a database URL as INPUT"),
        (str(source), [*spark, "--table", "customers"], "--table"),
    ]
    for input_path, extra, named in cases:
        args = pseudonymize_args(
            source, roles=roles, output=tmp_path / "o.csv", key_file=keys, extra=extra
        )
        args[1] = input_path
        done = runner.invoke(app, args)
        assert done.exit_code == 2, done.output
        assert named in done.stderr
        assert "embedded engines" in done.stderr
    assert not keys.parent.exists()


def test_an_input_spark_cannot_read_is_named_without_sparks_message(
    spark: Any, spark_master: str, tmp_path: Path
) -> None:
    broken = tmp_path / "people.parquet"
    broken.write_bytes(b"PAR1 not really parquet; 4111111111111111")
    roles = write_roles(tmp_path / "roles.yaml", {"a": "other"})
    keys = tmp_path / "secure" / "keys.json"
    done = runner.invoke(
        app,
        pseudonymize_args(
            broken,
            roles=roles,
            output=tmp_path / "out" / "o.parquet",
            key_file=keys,
            extra=["--engine", "spark", "--spark-master", spark_master],
        ),
    )
    assert done.exit_code == 2, done.output
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("kojin: error: people.parquet could not be read as Parquet by Spark (")
    assert "4111" not in done.stderr
    assert not keys.parent.exists()
