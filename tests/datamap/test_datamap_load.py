"""Loading kojin's data map YAML: the model it gives, and every problem with its exact place."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from datamap_samples import SHOP, parse, problems

from kojin.datamap.load import load_datamap
from kojin.datamap.model import Direction, Identity, StoreKind, Strategy
from kojin.errors import DataMapError, InputError
from kojin.policy import load_policy

M = "map.yml"
F0 = "systems.0.datasets.0.collections.0.fields"


def test_the_shop_map_loads_into_the_model() -> None:
    datamap = parse(SHOP, base_dir="/srv/maps")
    assert [s.key for s in datamap.systems] == ["shop", "exports"]
    assert datamap.base_dir == "/srv/maps"
    shop, exports = datamap.systems
    assert shop.store is StoreKind.SQL
    assert exports.store is StoreKind.FILES
    assert shop.name is not None
    assert shop.name.ja == "オンラインショップ"
    customers = shop.datasets[0].collections[0]
    email = customers.field("email")
    assert email is not None
    assert email.identity is Identity.EMAIL
    assert email.erasure is not None
    assert email.erasure.strategy is Strategy.HMAC  # written in the short form
    orders = datamap.find("shop_db", "orders")
    assert orders is not None
    assert orders.category == "customer"  # the system's
    customer_id = orders.collection.field("customer_id")
    assert customer_id is not None
    assert customer_id.references[0].direction is Direction.FROM
    export = exports.datasets[0].collections[0]
    assert export.path == "exports/customers_*.csv"
    assert export.fields[0].references[0].direction is Direction.BOTH  # none written: both
    payments = datamap.find("shop_db", "payments")
    assert payments is not None
    assert payments.collection.retention_hold is not None
    assert payments.collection.retention_hold.years == 7


def test_the_policy_and_the_known_kinds_accept_the_shop() -> None:
    kinds = frozenset({"email", "person_name"})
    datamap = parse(SHOP, policy=load_policy(), kinds=kinds)
    assert len(datamap.locations()) == 4


def test_load_datamap_reads_a_file_relative_to_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "shop.yml"
    path.write_text(SHOP, encoding="utf-8")
    datamap = load_datamap(path)
    assert datamap.base_dir == str(tmp_path)
    assert datamap == parse(SHOP, base_dir=str(tmp_path))


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(DataMapError) as caught:
        load_datamap(tmp_path / "nope.yml")
    assert isinstance(caught.value, InputError)
    assert [str(i) for i in caught.value.issues] == [
        f"{tmp_path / 'nope.yml'}:1:1: <document>: file not found"
    ]


def _map(fields: str, *, collection: str = "", system: str = "") -> str:
    """One sql system `s`, one dataset `d`, one collection `c` with `fields`: the fields start at
    line 10; each line of `system` (from line 5) and of `collection` (from line 9) pushes
    them one line down."""
    head = dedent(
        """\
        datamap: 1
        systems:
          - key: s
            store: sql
        """
    )
    head += "".join(f"    {line}\n" for line in system.splitlines())
    head += "    datasets:\n      - key: d\n        collections:\n          - name: c\n"
    head += "".join(f"            {line}\n" for line in collection.splitlines())
    head += "            fields:\n"
    return head + "".join(f"              {line}\n" for line in fields.splitlines())


def test_the_document_must_be_a_kojin_map_or_a_fides_file() -> None:
    assert problems("systems: []\n") == [
        f"{M}:1:1: <document>: neither a kojin data map ('datamap: 1' and 'systems:') nor a "
        "Fides dataset file ('dataset:' and a list of datasets)"
    ]
    assert problems("") == [f"{M}:1:1: <document>: the file is empty"]
    assert problems("datamap: 2\nsystems: []\nother: 1\n") == [
        f"{M}:1:10: datamap: the format version must be 1",
        f"{M}:2:10: systems: must be a list of one or more systems",
        f"{M}:3:1: other: unknown key 'other'",
    ]


def test_yaml_errors_are_positioned() -> None:
    (syntax,) = problems("datamap: 1\nsystems: [\n")
    assert syntax.startswith(f"{M}:3:1: <document>: YAML syntax error: ")
    text = _map("- {name: id, primary_key: true, primary_key: false}")
    assert problems(text) == [
        f"{M}:10:47: {F0}.0.primary_key: duplicate key 'primary_key' (first defined at line 10)"
    ]


def test_schema_problems_are_all_reported_at_their_keys_and_values() -> None:
    text = dedent(
        """\
        datamap: 1
        systems:
          - key: s
            datasets:
              - key: d
                collections:
                  - name: c
                    fields:
                      - {name: id, primary_key: true, colour: red}
                      - {name: e, identity: fax}
          - key: 9bad
            store: sql
            datasets: []
        """
    )
    assert problems(text) == [
        f"{M}:3:5: systems.0.store: required field is missing",
        f"{M}:9:47: {F0}.0.colour: unknown key 'colour'",
        f"{M}:10:37: {F0}.1.identity: Input should be 'email', 'phone_number', "
        "'customer_number', 'name', 'postal_code' or 'address'",
        f"{M}:11:10: systems.1.key: String should match pattern "
        "'^[A-Za-z_][A-Za-z0-9_\\-]{0,127}$'",
    ]


def test_a_system_needs_datasets_or_fides_files() -> None:
    text = "datamap: 1\nsystems:\n  - key: s\n    store: sql\n"
    assert problems(text) == [
        f"{M}:3:5: systems.0: a system needs its datasets: 'datasets:', 'fides:' (Fides files) "
        "or both"
    ]


def test_credentials_are_refused_by_key_wherever_they_are_and_the_rest_still_checked() -> None:
    text = _map(
        "- {name: id, primary_key: true}\n- {name: e, erasure: {strategy: fixed}}",
        system="password: hunter2\nconnection: {dsn: x}",
    )
    text = text.replace(
        "    datasets:\n      - key: d\n",
        "    datasets:\n      - key: d\n        database_url: y\n",
    )
    found = problems(text)
    credentials = (
        "credentials come from the settings or the environment (KOJIN_STORE_<KEY>_URL), never "
        "from the map; set KOJIN_STORE_S_URL"
    )
    assert found == [
        f"{M}:5:5: systems.0.password: 'password': {credentials}",
        f"{M}:6:5: systems.0.connection: 'connection': {credentials}",
        f"{M}:9:9: systems.0.datasets.0.database_url: 'database_url': {credentials}",
        f"{M}:14:36: {F0}.1.erasure: erasure 'fixed' needs a value "
        "(erasure: {strategy: fixed, value: ...})",
    ]
    assert not any("hunter2" in line for line in found)


def test_keys_must_be_unique() -> None:
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
                    fields: [{name: id}, {name: id}]
                  - name: c
                    fields: [{name: x}]
          - key: s
            store: sql
            datasets:
              - key: d
                collections: []
        """
    )
    assert problems(text) == [
        f"{M}:9:41: {F0}.1.name: field 'id' is listed twice in collection 'c'",
        f"{M}:10:19: systems.0.datasets.0.collections.1.name: collection 'c' is listed twice "
        "in dataset 'd'",
        f"{M}:12:10: systems.1.key: system key 's' is used twice (first at {M}:3)",
        f"{M}:15:14: systems.1.datasets.0.key: dataset key 'd' is used twice; dataset keys are "
        f"unique across the map (first at {M}:6)",
    ]


def test_references_must_resolve() -> None:
    fields = dedent(
        """\
        - {name: id, primary_key: true}
        - name: a
          references:
            - {dataset: nowhere, collection: c, field: id}
            - {dataset: d, collection: nothing, field: id}
            - {dataset: d, collection: c, field: none}
            - {dataset: d, collection: c, field: a}
        """
    )
    assert problems(_map(fields)) == [
        f"{M}:13:21: {F0}.1.references.0: reference to 'nowhere.c.id': there is no dataset "
        "'nowhere'",
        f"{M}:14:21: {F0}.1.references.1: reference to 'd.nothing.id': dataset 'd' has no "
        "collection 'nothing'",
        f"{M}:15:21: {F0}.1.references.2: reference to 'd.c.none': collection 'c' has no field "
        "'none'",
        f"{M}:16:21: {F0}.1.references.3: a field cannot reference itself",
    ]


def test_row_keys_are_needed_where_rows_are_referenced_deleted_or_changed() -> None:
    text = dedent(
        """\
        datamap: 1
        systems:
          - key: s
            store: sql
            datasets:
              - key: d
                collections:
                  - name: parent
                    fields: [{name: code}]
                  - name: child
                    fields:
                      - {name: pcode, references: [{dataset: d, collection: parent, field: code}]}
                  - name: log
                    erasure: delete_row
                    fields: [{name: at}]
                  - name: notes
                    fields: [{name: text, erasure: set_null}]
                  - name: visits
                    fields: [{name: email, identity: email}]
                  - name: kept
                    erasure: keep
                    fields: [{name: email, identity: email}]
        """
    )
    cols = "systems.0.datasets.0.collections"
    fix = "but has no primary key: mark its key field(s) primary_key: true"
    assert problems(text) == [
        f"{M}:8:13: {cols}.0: collection 'd.parent' is referenced by other fields {fix}",
        f"{M}:13:13: {cols}.2: collection 'd.log' deletes rows on erasure {fix}",
        f"{M}:16:13: {cols}.3: collection 'd.notes' erases fields {fix}",
        f"{M}:18:13: {cols}.4: collection 'd.visits' holds personal fields that erasure sets to "
        f"null {fix}",
    ]


def test_erasure_strategies_are_checked() -> None:
    fields = dedent(
        """\
        - {name: id, primary_key: true, erasure: hmac}
        - {name: a, erasure: {strategy: fixed}}
        - {name: b, erasure: {strategy: set_null, value: x}}
        - {name: c, erasure: delete_row}
        - {name: pid, references: [{dataset: d, collection: c, field: key}], erasure: set_null}
        - {name: key, erasure: {strategy: hmac}}
        - {name: kept, primary_key: true, erasure: keep}
        """
    )
    link = "would break the links between rows: use keep (the row's other fields are still erased)"
    assert problems(_map(fields)) == [
        f"{M}:10:56: {F0}.0.erasure: erasure 'hmac' on a primary key {link}",
        f"{M}:11:36: {F0}.1.erasure: erasure 'fixed' needs a value (erasure: {{strategy: fixed, "
        "value: ...})",
        f"{M}:12:64: {F0}.2.erasure.value: only erasure 'fixed' takes a value, not 'set_null'",
        f"{M}:13:36: {F0}.3.erasure: delete_row is a collection's erasure: write 'erasure: "
        "delete_row' on the collection",
        f"{M}:14:93: {F0}.4.erasure: erasure 'set_null' on a referencing field {link}",
        # hmac on a referenced field is accepted: the same value gives the same token
    ]


def test_collection_erasure_is_delete_row_or_keep_and_covers_the_fields() -> None:
    one = _map("- {name: id, primary_key: true}", collection="erasure: set_null")
    assert problems(one) == [
        "map.yml:9:22: systems.0.datasets.0.collections.0.erasure: a collection's erasure is "
        "delete_row or keep; set other strategies per field"
    ]
    two = _map(
        "- {name: id, primary_key: true}\n- {name: e, erasure: hmac}",
        collection="erasure: delete_row",
    )
    assert problems(two) == [
        f"{M}:12:36: {F0}.1.erasure: the collection's erasure 'delete_row' applies to the whole "
        "row: remove the field's erasure"
    ]


def test_retention_hold_since_field_must_exist() -> None:
    text = _map(
        "- {name: id, primary_key: true}",
        collection="retention_hold: {reason: {en: Tax, ja: 税}, years: 7, since_field: paid}",
    )
    assert problems(text) == [
        "map.yml:9:79: systems.0.datasets.0.collections.0.retention_hold.since_field: no field "
        "'paid' in collection 'c'"
    ]


def test_files_and_sql_collections_say_where_their_data_is() -> None:
    files = _map("- {name: id}").replace("store: sql", "store: files")
    files = files.replace("      - key: d\n", "      - key: d\n        schema_name: x\n")
    cols = "systems.0.datasets.0"
    assert problems(files) == [
        f"{M}:7:22: {cols}.schema_name: schema_name is for sql systems only",
        f"{M}:9:13: {cols}.collections.0: a files system's collection needs 'path' (path: "
        "relative to the map's file; format: csv or parquet)",
        f"{M}:9:13: {cols}.collections.0: a files system's collection needs 'format' (path: "
        "relative to the map's file; format: csv or parquet)",
    ]
    sql = _map("- {name: id}", collection="path: a.csv\nformat: csv")
    assert problems(sql) == [
        f"{M}:9:13: {cols}.collections.0.path: 'path' is for collections of a files system "
        "(store: files)",
        f"{M}:10:13: {cols}.collections.0.format: 'format' is for collections of a files system "
        "(store: files)",
    ]


def test_with_a_policy_categories_must_be_the_policys() -> None:
    text = _map(
        "- {name: id, primary_key: true}", collection="category: visitors", system="category: x"
    )
    known = ", ".join(c.id for c in load_policy().categories)
    assert problems(text, policy=load_policy()) == [
        f"{M}:5:15: systems.0.category: unknown category 'x': the policy's categories are {known}",
        f"{M}:10:23: systems.0.datasets.0.collections.0.category: unknown category 'visitors': "
        f"the policy's categories are {known}",
    ]
    assert parse(text).systems[0].category == "x"  # without a policy, not checked


def test_with_known_kinds_kinds_must_be_known() -> None:
    text = _map(
        "- {name: id, primary_key: true}\n- {name: e, kinds: [email, emial], erasure: keep}"
    )
    assert problems(text, kinds=frozenset({"email", "phone_number"})) == [
        f"{M}:11:42: {F0}.1.kinds.1: unknown discovery kind 'emial' (known: email, phone_number)"
    ]
