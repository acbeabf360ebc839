"""A sample company for tests and benchmarks: a person spread over every store.

``build_company(root, people=..., shop_url=..., support_url=...)`` builds:

- system ``shop`` (SQL; SQLite file, or a new schema on PostgreSQL/MariaDB): customers, orders,
  order_items and payments (payments under a 7-year tax hold since ``issued_on``);
- system ``support`` (SQL, another store): tickets, ticket_messages, newsletter_subscriptions;
- system ``exports`` (files): ``crm/contacts.csv`` and ``events.parquet``, keyed by customer
  number;

and returns a :class:`Company` with the store URLs, the files folder, the data map (the model and
its kojin YAML, written beside the files), the target's identities and the keys of the target's
rows per collection. Import it as ``from company import build_company`` from any test folder
(``tests/`` is on ``sys.path`` through the root conftest), or as ``tests.company`` from the
repository root (benchmarks).
"""

from __future__ import annotations

from .build import DATAMAP_FILE, Company, build_company
from .mapping import EXPORTS, SHOP, SUPPORT, TAX_HOLD
from .people import Person, person

__all__ = [
    "DATAMAP_FILE",
    "EXPORTS",
    "SHOP",
    "SUPPORT",
    "TAX_HOLD",
    "Company",
    "Person",
    "build_company",
    "person",
]
