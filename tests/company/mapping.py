"""The sample company's data map, built from the model, and its kojin YAML text."""

from __future__ import annotations

from typing import Any

import yaml

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

from .exports import CONTACTS_PATH, EVENTS_PATH

SHOP = "shop_db"
SUPPORT = "support_db"
EXPORTS = "crm_exports"
CONTACT_ITEM = "Customer contact records (name, company, department, e-mail, telephone)"
INQUIRY_ITEM = "Customer inquiry and feedback history"
#: tax records are kept 7 years (APPI-SPEC R-MN-7 lists "7 years (tax books)" as commonly cited)
TAX_HOLD = RetentionHold(
    reason=LocalText(
        en="Tax records: payment records are kept for 7 years after they were issued",
        ja="税務書類: 支払記録は発行日から7年間保存します",
    ),
    years=7,
    since_field="issued_on",
    citation="Corporation Tax Act Art. 126; Ordinance for Enforcement Art. 59",
)

SET_NULL = Erasure(strategy=Strategy.SET_NULL)
HMAC = Erasure(strategy=Strategy.HMAC)


def _ref(dataset: str, collection: str, field: str) -> tuple[Reference, ...]:
    return (
        Reference(dataset=dataset, collection=collection, field=field, direction=Direction.FROM),
    )


def _shop(schema: str | None) -> System:
    customers = Collection(
        name="customers",
        ledger_items=(CONTACT_ITEM,),
        fields=(
            MapField(name="id", primary_key=True, data_type="integer"),
            MapField(
                name="customer_number",
                identity=Identity.CUSTOMER_NUMBER,
                data_categories=("user.unique_id",),
                erasure=HMAC,
            ),
            MapField(
                name="email",
                identity=Identity.EMAIL,
                kinds=("email",),
                data_categories=("user.contact.email",),
                erasure=HMAC,
            ),
            MapField(
                name="name",
                kinds=("person_name",),
                data_categories=("user.name",),
                erasure=SET_NULL,
            ),
            MapField(
                name="name_kana",
                kinds=("name_kana",),
                data_categories=("user.name",),
                erasure=SET_NULL,
            ),
            MapField(
                name="phone",
                identity=Identity.PHONE_NUMBER,
                kinds=("phone_number",),
                data_categories=("user.contact.phone_number",),
                erasure=SET_NULL,
            ),
            MapField(name="postal_code", kinds=("postal_code",), erasure=SET_NULL),
            MapField(
                name="address",
                kinds=("address",),
                data_categories=("user.contact.address",),
                erasure=SET_NULL,
            ),
            MapField(name="created_at", data_type="timestamp"),
        ),
    )
    orders = Collection(
        name="orders",
        ledger_items=(CONTACT_ITEM,),
        fields=(
            MapField(name="id", primary_key=True, data_type="integer"),
            MapField(
                name="customer_id", references=_ref(SHOP, "customers", "id"), data_type="integer"
            ),
            MapField(name="ordered_on", data_type="date"),
            MapField(name="total", data_type="integer"),
            MapField(name="shipping_address", kinds=("address",), erasure=SET_NULL),
        ),
    )
    order_items = Collection(
        name="order_items",
        fields=(
            MapField(name="id", primary_key=True, data_type="integer"),
            MapField(name="order_id", references=_ref(SHOP, "orders", "id"), data_type="integer"),
            MapField(name="product"),
            MapField(name="quantity", data_type="integer"),
        ),
    )
    payments = Collection(
        name="payments",
        retention_hold=TAX_HOLD,
        fields=(
            MapField(name="id", primary_key=True, data_type="integer"),
            MapField(name="order_id", references=_ref(SHOP, "orders", "id"), data_type="integer"),
            MapField(name="billed_name", kinds=("person_name",), erasure=SET_NULL),
            MapField(
                name="card_last4",
                data_categories=("user.financial",),
                erasure=Erasure(strategy=Strategy.FIXED, value="0000"),
            ),
            MapField(name="issued_on", data_type="date"),
        ),
    )
    return System(
        key="shop",
        name=LocalText(en="Online shop", ja="オンラインショップ"),
        store=StoreKind.SQL,
        category="customer",
        department="EC Division",
        datasets=(
            Dataset(
                key=SHOP,
                name="Shop database",
                schema_name=schema,
                collections=(customers, orders, order_items, payments),
            ),
        ),
    )


def _support(schema: str | None) -> System:
    tickets = Collection(
        name="tickets",
        ledger_items=(INQUIRY_ITEM,),
        erasure=Strategy.DELETE_ROW,
        fields=(
            MapField(name="id", primary_key=True, data_type="integer"),
            MapField(name="email", identity=Identity.EMAIL, kinds=("email",)),
            MapField(name="subject"),
            MapField(name="body", data_categories=("user.content",)),
            MapField(name="opened_at", data_type="timestamp"),
        ),
    )
    messages = Collection(
        name="ticket_messages",
        ledger_items=(INQUIRY_ITEM,),
        erasure=Strategy.DELETE_ROW,
        fields=(
            MapField(name="id", primary_key=True, data_type="integer"),
            MapField(
                name="ticket_id", references=_ref(SUPPORT, "tickets", "id"), data_type="integer"
            ),
            MapField(name="author_email", identity=Identity.EMAIL, kinds=("email",)),
            MapField(name="body", data_categories=("user.content",)),
        ),
    )
    newsletter = Collection(
        name="newsletter_subscriptions",
        ledger_items=(CONTACT_ITEM,),
        erasure=Strategy.DELETE_ROW,
        fields=(
            MapField(name="email", primary_key=True, identity=Identity.EMAIL, kinds=("email",)),
            MapField(name="subscribed_at", data_type="timestamp"),
        ),
    )
    return System(
        key="support",
        name=LocalText(en="Customer support", ja="カスタマーサポート"),
        store=StoreKind.SQL,
        category="customer",
        department="Customer Support Department",
        datasets=(
            Dataset(
                key=SUPPORT,
                name="Support desk",
                schema_name=schema,
                collections=(tickets, messages, newsletter),
            ),
        ),
    )


def _exports() -> System:
    contacts = Collection(
        name="contacts",
        path=CONTACTS_PATH,
        format=FileFormat.CSV,
        ledger_items=(CONTACT_ITEM,),
        erasure=Strategy.DELETE_ROW,
        fields=(
            MapField(
                name="customer_number",
                primary_key=True,
                references=_ref(SHOP, "customers", "customer_number"),
            ),
            MapField(name="email", identity=Identity.EMAIL, kinds=("email",)),
            MapField(name="name", kinds=("person_name",)),
            MapField(name="phone", identity=Identity.PHONE_NUMBER, kinds=("phone_number",)),
            MapField(name="segment"),
        ),
    )
    events = Collection(
        name="events",
        path=EVENTS_PATH,
        format=FileFormat.PARQUET,
        erasure=Strategy.DELETE_ROW,
        fields=(
            MapField(
                name="customer_number",
                primary_key=True,
                references=_ref(SHOP, "customers", "customer_number"),
            ),
            MapField(name="event", primary_key=True),
            MapField(name="at", primary_key=True, data_type="timestamp"),
        ),
    )
    return System(
        key="exports",
        name=LocalText(en="CRM exports", ja="CRMエクスポート"),
        store=StoreKind.FILES,
        category="customer",
        department="Marketing Department",
        datasets=(Dataset(key=EXPORTS, name="CRM export files", collections=(contacts, events)),),
    )


def company_datamap(
    *, base_dir: str, shop_schema: str | None, support_schema: str | None
) -> DataMap:
    return DataMap(
        systems=(_shop(shop_schema), _support(support_schema), _exports()),
        base_dir=base_dir,
    )


def datamap_yaml(datamap: DataMap) -> str:
    """The map as kojin YAML (``datamap: 1``, systems as in docs/datamap.md); file paths are
    relative to the YAML file's folder, so `base_dir` is not written."""
    document: dict[str, Any] = {
        "datamap": 1,
        "systems": [
            system.model_dump(mode="json", exclude_defaults=True) for system in datamap.systems
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
