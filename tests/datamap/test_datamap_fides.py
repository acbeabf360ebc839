"""Fides dataset YAML: validated with fideslang, read as kojin's model, problems positioned."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from datamap_samples import FIDES, parse, problems

from kojin.datamap.graph import erasure_order
from kojin.datamap.load import load_datamap
from kojin.datamap.model import Direction, Identity, Reference, StoreKind, Strategy
from kojin.errors import DataMapError

S = "postgres_shop.yml"


def test_a_fides_file_is_one_sql_system_named_after_the_file() -> None:
    datamap = parse(FIDES, source=f"maps/{S}")
    (system,) = datamap.systems
    assert system.key == "postgres_shop"
    assert system.store is StoreKind.SQL
    (dataset,) = system.datasets
    assert dataset.key == "postgres_shop"
    assert dataset.name == "Postgres shop"
    # the order written, not fideslang's (which sorts by name)
    assert [c.name for c in dataset.collections] == ["address", "customer", "orders", "visit"]
    customer = dataset.collections[1]
    assert [f.name for f in customer.fields] == ["address_id", "email", "id", "name"]
    email, name = customer.field("email"), customer.field("name")
    assert email is not None
    assert email.identity is Identity.EMAIL
    assert email.kinds == ("email",)
    assert email.data_type == "string"
    assert email.data_categories == ("user.contact.email",)
    assert name is not None
    assert name.kinds == ("person_name",)
    assert name.personal
    assert customer.primary_key == ("id",)  # from fidesops_meta, Fides' older name
    address_id = customer.field("address_id")
    assert address_id is not None
    assert not address_id.personal
    assert address_id.references == (
        Reference(
            dataset="postgres_shop", collection="address", field="id", direction=Direction.TO
        ),
    )
    address = dataset.collections[0]
    assert [f.kinds for f in address.fields] == [(), (), ("address",), ("postal_code",)]
    orders = dataset.collections[2]
    customer_id = orders.field("customer_id")
    assert customer_id is not None
    assert customer_id.references[0].direction is Direction.FROM
    # Fides masks no collection without a primary key: kojin keeps it, and says so
    assert dataset.collections[3].erasure is Strategy.KEEP
    assert customer.erasure is None
    # orders name customers and addresses, customers name addresses: children first
    assert [loc.address for loc in erasure_order(datamap)] == [
        "postgres_shop.orders",
        "postgres_shop.customer",
        "postgres_shop.address",
        "postgres_shop.visit",
    ]


FIDES_META = dedent(
    """\
    dataset:
      - fides_key: app
        fides_meta:
          namespace: {database_name: app, schema: sales}
        collections:
          - name: member
            fides_meta:
              masking_strategy_override: {strategy: delete}
            fields:
              - name: id
                fides_meta: {primary_key: true}
              - name: member_no
                fides_meta: {identity: customer_number}
              - name: device
                fides_meta: {identity: ga_client_id}
              - name: nick
                fides_meta:
                  masking_strategy_override: {strategy: null_rewrite}
          - name: profile
            fields:
              - name: id
                fides_meta: {primary_key: true}
              - name: member_id
                fides_meta:
                  references: [{dataset: app, field: member.id}]
              - name: nickname
                data_categories: [user.name]
                fides_meta:
                  masking_strategy_override:
                    strategy: string_rewrite
                    configuration: {rewrite_value: anonymous}
              - name: phone
                data_categories: [user.contact.phone_number]
                fides_meta:
                  masking_strategy_override: {strategy: hash}
              - name: email
                data_categories: [user.contact.email]
                fides_meta: {read_only: true}
              - name: archive_ref
                fides_meta:
                  references: [{dataset: app, field: archive.member_id, direction: from}]
          - name: archive
            fides_meta: {skip_processing: true}
            fields:
              - name: member_id
    """
)


def test_fides_meta_maps_onto_kojins_model() -> None:
    (dataset,) = parse(FIDES_META, source="app.yml").systems[0].datasets
    assert dataset.schema_name == "sales"
    member, profile = dataset.collections  # archive is skipped, as Fides skips it
    assert member.erasure is Strategy.DELETE_ROW
    member_no, device = member.field("member_no"), member.field("device")
    assert member_no is not None
    assert member_no.identity is Identity.CUSTOMER_NUMBER
    assert device is not None
    assert device.identity is None  # no kojin request carries it
    assert [f.erasure for f in member.fields] == [None] * 4  # the row goes as a whole
    member_id = profile.field("member_id")
    assert member_id is not None
    assert member_id.references[0].direction is Direction.BOTH
    erasures = {f.name: f.erasure for f in profile.fields if f.erasure is not None}
    assert {k: (e.strategy, e.value) for k, e in erasures.items()} == {
        "nickname": (Strategy.FIXED, "anonymous"),
        "phone": (Strategy.HMAC, None),
        "email": (Strategy.KEEP, None),
    }
    archive_ref = profile.field("archive_ref")
    assert archive_ref is not None
    assert archive_ref.references == ()  # it named a skipped collection


BAD = dedent(
    """\
    dataset:
      - fides_key: shop.db
        collections:
          - name: customer
            fields:
              - name: id
                fides_meta:
                  primary_key: true
                  data_type: money
              - name: address
                fields:
                  - name: street
              - name: order_id
                fides_meta:
                  references:
                    - {dataset: shop, field: orders.lines.id, direction: sideways}
      - collections:
          - name: visit
            fields:
              - name: email
              - name: email
      - fides_key: ok
        collections:
          - name: customer
            fields:
              - name: id
                fides_meta:
                  primary_key: true
                  masking_strategy_override: {strategy: aes_encrypt}
              - name: child
                fields: [{name: x}]
    """
)


def test_a_bad_fides_file_is_refused_with_positions() -> None:
    meta = "dataset.0.collections.0.fields"
    assert problems(BAD, source=S) == [
        f"{S}:9:26: {meta}.0.fides_meta.data_type: The data type money is not supported.",
        f"{S}:16:70: {meta}.2.fides_meta.references.0.direction: Input should be 'from' or 'to'",
        f"{S}:17:5: dataset.1.fides_key: required field is missing",
        f"{S}:20:11: dataset.1.collections.0.fields: Duplicate entries found: [email]",
        f"{S}:29:53: dataset.2.collections.0.fields.0.fides_meta.masking_strategy_override."
        "strategy: masking strategy 'aes_encrypt' has no kojin equivalent (null_rewrite, "
        "string_rewrite, hmac, hash, random_string_rewrite)",
        f"{S}:31:21: dataset.2.collections.0.fields.1.fields: nested fields are not supported: "
        "kojin's stores are tables and files",
    ]


def test_fides_names_kojin_cannot_use_and_nested_fields_are_refused() -> None:
    text = dedent(
        """\
        dataset:
          - fides_key: shop.db
            collections:
              - name: customer
                fields:
                  - name: id
                    fides_meta: {primary_key: true}
                  - name: first name
                  - name: address
                    fields:
                      - name: street
                  - name: order_id
                    fides_meta:
                      references:
                        - {dataset: shop, field: orders.lines.id}
        """
    )
    assert problems(text, source=S) == [
        f"{S}:2:16: dataset.0.fides_key: kojin needs names of letters, digits, '_' and '-', "
        "starting with a letter or '_'",
        f"{S}:8:19: dataset.0.collections.0.fields.1.name: kojin needs names of letters, digits, "
        "'_' and '-', starting with a letter or '_'",
        f"{S}:11:15: dataset.0.collections.0.fields.2.fields: nested fields are not supported: "
        "kojin's stores are tables and files",
        f"{S}:15:42: dataset.0.collections.0.fields.3.fides_meta.references.0.field: a reference "
        "names 'collection.field' of its dataset; nested fields are not supported: kojin's "
        "stores are tables and files",
    ]


def test_cross_checks_point_into_the_fides_file() -> None:
    text = FIDES.replace("field: customer.id", "field: customer.number")
    text = text.replace(
        "primary_key: True\n          - name: street",
        "data_type: integer\n          - name: street",
    )
    found = problems(text, source=S)
    assert found == [
        f"{S}:6:9: dataset.0.collections.0: collection 'postgres_shop.address' is referenced by "
        "other fields but has no primary key: mark its key field(s) primary_key: true",
        f"{S}:47:19: dataset.0.collections.2.fields.0.fides_meta.references.0: reference to "
        "'postgres_shop.customer.number': collection 'customer' has no field 'number'",
    ]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


KOJIN_WITH_FIDES = dedent(
    """\
    datamap: 1
    systems:
      - key: shop
        store: sql
        category: customer
        department: EC Division
        fides: [fides/postgres_shop.yml]
    """
)


def test_a_kojin_system_takes_its_datasets_from_fides_files(tmp_path: Path) -> None:
    _write(tmp_path, "fides/postgres_shop.yml", FIDES)
    datamap = load_datamap(_write(tmp_path, "map.yml", KOJIN_WITH_FIDES))
    (system,) = datamap.systems
    assert (system.key, system.category, system.department) == ("shop", "customer", "EC Division")
    assert [d.key for d in system.datasets] == ["postgres_shop"]
    assert datamap.find("postgres_shop", "orders") is not None


def test_a_folder_is_one_map_and_named_fides_files_are_read_once(tmp_path: Path) -> None:
    _write(tmp_path, "a_map.yml", KOJIN_WITH_FIDES.replace("fides/", ""))
    _write(tmp_path, "postgres_shop.yml", FIDES)
    _write(tmp_path, "z_app.yaml", FIDES_META)
    _write(tmp_path, "notes.txt", "not a map")
    datamap = load_datamap(tmp_path)
    assert [s.key for s in datamap.systems] == ["shop", "z_app"]
    assert datamap.base_dir == str(tmp_path)
    _write(tmp_path, "zz_again.yml", FIDES)
    with pytest.raises(DataMapError) as caught:
        load_datamap(tmp_path)
    assert [str(i) for i in caught.value.issues] == [
        f"{tmp_path / 'zz_again.yml'}:2:16: dataset.0.fides_key: dataset key 'postgres_shop' is "
        f"used twice; dataset keys are unique across the map (first at "
        f"{tmp_path / 'postgres_shop.yml'}:2)"
    ]


def test_named_fides_files_that_are_missing_or_not_fides_are_positioned(tmp_path: Path) -> None:
    text = KOJIN_WITH_FIDES.replace(
        "[fides/postgres_shop.yml]", "[missing.yml, other.yml, bad.yml]"
    )
    _write(tmp_path, "other.yml", "datamap: 1\nsystems: []\n")
    _write(tmp_path, "bad.yml", "dataset:\n  - fides_key: b\n    collections: 3\n")
    with pytest.raises(DataMapError) as caught:
        load_datamap(_write(tmp_path, "map.yml", text))
    assert [str(i) for i in caught.value.issues] == [
        f"{tmp_path / 'map.yml'}:7:13: systems.0.fides.0: {tmp_path / 'missing.yml'}: file not "
        "found",
        f"{tmp_path / 'map.yml'}:7:26: systems.0.fides.1: other.yml is not a Fides dataset file",
        f"{tmp_path / 'bad.yml'}:3:18: dataset.0.collections: Input should be a valid list",
    ]
