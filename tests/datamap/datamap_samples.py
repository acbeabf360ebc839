"""Maps shared by the data map tests: a kojin map, a Fides file in fideslang's real format, and
helpers that parse text and return the problems as printed lines."""

from __future__ import annotations

from textwrap import dedent

import pytest

from kojin.datamap.load import parse_datamap
from kojin.datamap.model import DataMap
from kojin.errors import DataMapError
from kojin.policy.model import Policy

#: a shop in SQL (customers, orders, payments) and a CSV export
SHOP = dedent(
    """\
    datamap: 1
    systems:
      - key: shop
        name: {en: Online shop, ja: オンラインショップ}
        store: sql
        category: customer
        datasets:
          - key: shop_db
            collections:
              - name: customers
                fields:
                  - {name: id, primary_key: true}
                  - {name: email, identity: email, kinds: [email], erasure: hmac}
                  - {name: full_name, kinds: [person_name]}
              - name: orders
                fields:
                  - {name: id, primary_key: true}
                  - name: customer_id
                    references:
                      - {dataset: shop_db, collection: customers, field: id, direction: from}
                  - {name: note}
              - name: payments
                erasure: delete_row
                retention_hold:
                  reason: {en: Tax records, ja: 税務書類}
                  years: 7
                  since_field: paid_on
                fields:
                  - {name: id, primary_key: true}
                  - name: order_id
                    references:
                      - {dataset: shop_db, collection: orders, field: id, direction: from}
                  - {name: paid_on}
      - key: exports
        store: files
        datasets:
          - key: crm
            collections:
              - name: customer_export
                path: exports/customers_*.csv
                format: csv
                erasure: delete_row
                fields:
                  - name: customer_id
                    primary_key: true
                    references: [{dataset: shop_db, collection: customers, field: id}]
                  - {name: email, identity: email, kinds: [email]}
    """
)

#: a Fides dataset file as Fides writes them (modelled on its sample Postgres dataset)
FIDES = dedent(
    """\
    dataset:
      - fides_key: postgres_shop
        name: Postgres shop
        description: Customers, their addresses and their orders.
        collections:
          - name: address
            fields:
              - name: city
                data_categories: [user.contact.address.city]
              - name: id
                data_categories: [system.operations]
                fides_meta:
                  primary_key: True
              - name: street
                data_categories: [user.contact.address.street]
              - name: zip
                data_categories: [user.contact.address.postal_code]
          - name: customer
            fields:
              - name: address_id
                data_categories: [system.operations]
                fidesops_meta:
                  references:
                    - dataset: postgres_shop
                      field: address.id
                      direction: to
              - name: email
                data_categories: [user.contact.email]
                fidesops_meta:
                  identity: email
                  data_type: string
              - name: id
                data_categories: [user.unique_id]
                fidesops_meta:
                  primary_key: True
              - name: name
                data_categories: [user.name]
                fidesops_meta:
                  data_type: string
                  length: 40
          - name: orders
            fields:
              - name: customer_id
                data_categories: [user.unique_id]
                fides_meta:
                  references:
                    - dataset: postgres_shop
                      field: customer.id
                      direction: from
              - name: id
                data_categories: [system.operations]
                fides_meta:
                  primary_key: True
              - name: shipping_address_id
                data_categories: [system.operations]
                fides_meta:
                  references:
                    - dataset: postgres_shop
                      field: address.id
                      direction: to
          - name: visit
            fields:
              - name: email
                data_categories: [user.contact.email]
                fides_meta:
                  identity: email
                  data_type: string
              - name: last_visit
                data_categories: [system.operations]
    """
)


def parse(
    text: str,
    *,
    source: str = "map.yml",
    base_dir: str = ".",
    policy: Policy | None = None,
    kinds: frozenset[str] | None = None,
) -> DataMap:
    return parse_datamap(text, source=source, base_dir=base_dir, policy=policy, kinds=kinds)


def problems(
    text: str,
    *,
    source: str = "map.yml",
    base_dir: str = ".",
    policy: Policy | None = None,
    kinds: frozenset[str] | None = None,
) -> list[str]:
    """The printed problems of `text` (which must have some)."""
    with pytest.raises(DataMapError) as caught:
        parse(text, source=source, base_dir=base_dir, policy=policy, kinds=kinds)
    return [str(issue) for issue in caught.value.issues]
