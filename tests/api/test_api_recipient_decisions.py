"""``POST /api/v1/decisions`` reads the recipient register: an entrustment to a recipient not in
it, or whose check is overdue, says so (R-SEC-4); a Rule 16 recipient whose last check failed is
denied without the Art. 28 consent (R-TP-FX-3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from kojin.auth.roles import Role
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.supervision import CHECK_OVERDUE, NOT_REGISTERED, RULE16_FAILED
from kojin.registry.recipients.schemas import (
    CheckInput,
    CheckKind,
    CheckResult,
    RecipientFields,
)
from kojin.registry.recipients.service import add_recipient, record_check

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()


def _entrust(name: str, **recipient: object) -> dict[str, object]:
    return {
        "action": "provide",
        "category": "customer",
        "purpose": "provide_services",
        "recipient": {"name": name, "country": "JP", "relation": "entrustee", **recipient},
    }


def _register(database: Database, cipher: FieldCipher, **fields: object) -> str:
    with database.uow() as session:
        return add_recipient(
            session=session,
            cipher=cipher,
            actor="officer",
            fields=RecipientFields.model_validate(fields),
            today=TODAY,
        ).id


def test_decisions_over_http_carry_what_the_register_shows(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database, cipher: FieldCipher
) -> None:
    headers = auth[Role.SYSTEM]
    # registered with a contract dated over a year ago and never checked: overdue
    contract = TODAY - timedelta(days=400)
    _register(
        database, cipher, name="Carrier KK", entrustee=True, country="JP", contract_date=contract
    )
    unknown = client.post("/api/v1/decisions", json=_entrust("Nobody KK"), headers=headers)
    assert unknown.status_code == 200, unknown.text
    assert unknown.json()["decision"]["allowed"] is True
    assert unknown.json()["decision"]["reasons"][-1] == NOT_REGISTERED.en
    assert "R-SEC-4" in unknown.json()["decision"]["rules"]

    late = client.post("/api/v1/decisions", json=_entrust("carrier kk"), headers=headers)
    due = (contract + timedelta(days=365)).isoformat()
    assert late.json()["decision"]["reasons"][-1] == CHECK_OVERDUE.en + f" It was due on {due}."
    stored = client.get(f"/api/v1/decisions/{late.json()['id']}", headers=auth[Role.AUDITOR])
    assert stored.json()["decision"] == late.json()["decision"]


def test_a_failed_rule16_check_denies_the_entrustment_abroad_over_http(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database, cipher: FieldCipher
) -> None:
    cloud = _register(
        database, cipher, name="Cloud Inc.", foreign_rule16=True, entrustee=True, country="US"
    )
    body = _entrust("Cloud Inc.", country="US", equivalent_measures=True)
    before = client.post("/api/v1/decisions", json=body, headers=auth[Role.SYSTEM])
    assert before.json()["decision"]["allowed"] is True
    with database.uow() as session:
        record_check(
            session=session,
            cipher=cipher,
            actor="officer",
            recipient_id=cloud,
            check=CheckInput(
                kind=CheckKind.FOREIGN_MEASURES, checked_on=TODAY, result=CheckResult.FAILED
            ),
            today=TODAY,
        )
    after = client.post("/api/v1/decisions", json=body, headers=auth[Role.SYSTEM])
    decision = after.json()["decision"]
    assert decision["allowed"] is False
    assert RULE16_FAILED.en.format_map({"country": "US"}) in decision["reasons"]
    assert "R-TP-FX-3" in decision["rules"]
