"""``dump_datamap``: kojin YAML that loads back to the same map."""

from __future__ import annotations

from textwrap import dedent

from datamap_samples import FIDES, SHOP, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kojin.datamap.dump import dump_datamap
from kojin.datamap.model import (
    Collection,
    DataMap,
    Dataset,
    Direction,
    Erasure,
    FileFormat,
    Identity,
    LocalText,
    MapField,
    Reference,
    RetentionHold,
    StoreKind,
    Strategy,
    System,
)


def test_the_shop_and_a_fides_file_round_trip() -> None:
    for text, source in ((SHOP, "shop.yml"), (FIDES, "postgres_shop.yml")):
        datamap = parse(text, source=source)
        assert parse(dump_datamap(datamap)) == datamap


def test_small_parts_are_written_on_one_line() -> None:
    text = dump_datamap(parse(SHOP))
    assert "    name: {en: Online shop, ja: オンラインショップ}\n" in text
    assert "              - {name: id, primary_key: true}\n" in text
    assert "- {name: email, kinds: [email], identity: email, erasure: hmac}\n" in text
    assert "      - {dataset: shop_db, collection: customers, field: id, direction: from}\n" in text
    assert text.startswith("datamap: 1\nsystems:\n  - key: shop\n")


def test_a_fixed_value_keeps_its_type() -> None:
    text = dedent(
        """\
        datamap: 1
        systems:
          - key: s
            store: sql
            datasets:
              - key: d
                collections:
                  - name: c
                    fields:
                      - {name: id, primary_key: true}
                      - {name: a, erasure: {strategy: fixed, value: "0"}}
                      - {name: b, erasure: {strategy: fixed, value: 0}}
                      - {name: n, erasure: {strategy: fixed, value: "null"}}
        """
    )
    datamap = parse(text)
    again = parse(dump_datamap(datamap))
    values = [
        f.erasure.value for f in again.systems[0].datasets[0].collections[0].fields[1:] if f.erasure
    ]
    assert values == ["0", 0, "null"]


_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30)
_WORDS = st.sampled_from(
    ["yes", "no", "null", "~", "1e3", "0x1F", "a: b", "- x", "#c", "'q'", "税"]
)
_SOME_TEXT = st.one_of(_TEXT, _WORDS)


@st.composite
def _fields(draw: st.DrawFn, targets: list[tuple[str, str]]) -> tuple[MapField, ...]:
    fields = [MapField(name="id", primary_key=True, description=draw(st.none() | _SOME_TEXT))]
    names = draw(st.lists(_NAMES.filter(lambda n: n != "id"), max_size=4, unique=True))
    for name in names:
        if draw(st.booleans()) and targets:
            dataset, collection = draw(st.sampled_from(targets))
            direction = draw(st.sampled_from(list(Direction)))
            ref = Reference(dataset=dataset, collection=collection, field="id", direction=direction)
            fields.append(MapField(name=name, references=(ref,)))
            continue
        strategy = draw(st.sampled_from([None, *list(Strategy)[1:]]))
        value = draw(st.one_of(st.integers(), _SOME_TEXT)) if strategy is Strategy.FIXED else None
        fields.append(
            MapField(
                name=name,
                identity=draw(st.none() | st.sampled_from(list(Identity))),
                kinds=tuple(draw(st.lists(st.sampled_from(["email", "address"]), max_size=2))),
                data_categories=tuple(
                    draw(st.lists(st.sampled_from(["user.name", "system"]), max_size=1))
                ),
                erasure=None if strategy is None else Erasure(strategy=strategy, value=value),
                data_type=draw(st.none() | st.sampled_from(["string", "integer"])),
            )
        )
    return tuple(fields)


@st.composite
def _maps(draw: st.DrawFn) -> DataMap:
    systems = []
    targets: list[tuple[str, str]] = []
    n = 0
    for s in range(draw(st.integers(1, 2))):
        store = draw(st.sampled_from(list(StoreKind)))
        datasets = []
        for _ in range(draw(st.integers(1, 2))):
            n += 1
            collections = []
            for c in range(draw(st.integers(1, 3))):
                fields = draw(_fields(list(targets)))
                hold = None
                if draw(st.booleans()):
                    hold = RetentionHold(
                        reason=LocalText(en=draw(_SOME_TEXT), ja=draw(_SOME_TEXT)),
                        years=draw(st.integers(1, 100)),
                        since_field=draw(st.sampled_from([f.name for f in fields])),
                        citation=draw(st.none() | _SOME_TEXT),
                    )
                files = store is StoreKind.FILES
                collections.append(
                    Collection(
                        name=f"c{c}",
                        path=f"data/c{c}_*.csv" if files else None,
                        format=draw(st.sampled_from(list(FileFormat))) if files else None,
                        ledger_items=tuple(draw(st.lists(_SOME_TEXT, max_size=2))),
                        erasure=None,
                        retention_hold=hold,
                        fields=fields,
                    )
                )
                targets.append((f"d{n}", f"c{c}"))
            datasets.append(
                Dataset(
                    key=f"d{n}",
                    name=draw(st.none() | _SOME_TEXT),
                    schema_name=draw(st.none() | _NAMES) if store is StoreKind.SQL else None,
                    collections=tuple(collections),
                )
            )
        name = LocalText(en=draw(_SOME_TEXT), ja=draw(_SOME_TEXT)) if draw(st.booleans()) else None
        systems.append(
            System(
                key=f"s{s}",
                name=name,
                store=store,
                category=draw(st.none() | _NAMES),
                department=draw(st.none() | _SOME_TEXT),
                datasets=tuple(datasets),
            )
        )
    return DataMap(systems=tuple(systems))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_maps())
def test_any_valid_map_round_trips(datamap: DataMap) -> None:
    assert parse(dump_datamap(datamap)) == datamap
