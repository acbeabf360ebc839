"""De-identified datasets against hostile input: text no database stores, sizes out of bounds,
and ids that name nothing are refused naming the field, never the value or the id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from typer.testing import CliRunner

from kojin.cli import app
from kojin.db.uow import Database
from kojin.errors import InputError, NotFoundError
from kojin.law.decision_schemas import Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.registry.datasets import DatasetCreate
from kojin.registry.datasets.service import get_dataset, mark_provided, record_dataset
from kojin.registry.decisions.dataset_provision import provide_dataset
from kojin.registry.decisions.models import DecisionRecord

MY_NUMBER = "123456789018"
EMAIL = "taro.yamada@example.jp"
HASH = "ab" * 32


@pytest.fixture(scope="module")
def policy() -> PolicyFacts:
    return to_facts(load_policy(None))


def _values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "form": "anonymized",
        "name": "survey extract",
        "category": "customer",
        "purposes": ["satisfaction_surveys"],
        "items": ["age (generalized, level 2 of 4)"],
        "records": 120,
        "report_sha256": HASH,
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "a\x00b"}, ("name",)),
        ({"name": "a\ud800b"}, ("name",)),
        ({"name": "n" * 201}, ("name",)),
        ({"category": EMAIL}, ("category",)),
        ({"purposes": [MY_NUMBER]}, ("purposes", 0)),
        ({"purposes": ["satisfaction_surveys"] * 51}, ("purposes",)),
        ({"items": ["age\x00"]}, ("items", 0)),
        ({"items": ["i" * 1001]}, ("items", 0)),
        ({"items": ["age"] * 1001}, ("items",)),
        ({"records": 2**31}, ("records",)),
        ({"key_id": "k\x00"}, ("key_id",)),
    ],
)
def test_a_dataset_record_out_of_bounds_is_refused(
    changes: dict[str, Any], field: tuple[str | int, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        DatasetCreate.model_validate(_values(**changes))
    assert caught.value.errors()[0]["loc"][: len(field)] == field


def test_a_recorded_dataset_stays_readable(database: Database, policy: PolicyFacts) -> None:
    with database.uow() as session:
        made = record_dataset(
            session=session,
            dataset_in=DatasetCreate.model_validate(_values()),
            policy=policy,
            actor="t",
        )
    with database.read() as session:
        assert get_dataset(session=session, dataset_id=made.id).name == "survey extract"


@pytest.mark.parametrize("dataset_id", ["0" * 32, EMAIL, MY_NUMBER, "a\x00b", "x" * 5000])
def test_an_unknown_dataset_is_not_found_without_its_id(
    database: Database, policy: PolicyFacts, dataset_id: str
) -> None:
    with pytest.raises(NotFoundError) as got, database.read() as session:
        get_dataset(session=session, dataset_id=dataset_id)
    with pytest.raises(NotFoundError) as marked, database.uow() as session:
        mark_provided(
            session=session,
            dataset_id=dataset_id,
            provision_method="CSV",
            actor="t",
            decision_id="d",
        )
    for caught in (got, marked):
        assert caught.value.message == "dataset not found"


@pytest.mark.parametrize(
    "method", ["CSV\x00", "a\ud800", "m" * 2001, "   "], ids=["nul", "surrogate", "long", "blank"]
)
def test_a_method_no_database_stores_is_refused_before_any_decision(
    database: Database, policy: PolicyFacts, method: str
) -> None:
    with database.uow() as session:
        made = record_dataset(
            session=session,
            dataset_in=DatasetCreate.model_validate(_values()),
            policy=policy,
            actor="t",
        )
    with pytest.raises(InputError) as caught, database.uow() as session:
        provide_dataset(
            session=session,
            dataset_id=made.id,
            recipient=Recipient(name="Partner KK", country="JP"),
            method=method,
            policy=policy,
            actor="t",
        )
    assert caught.value.field == "method"
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(DecisionRecord)).scalar_one() == 0


def test_datasets_provide_names_no_id(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KOJIN_DATABASE_URL", db_url)
    monkeypatch.delenv("KOJIN_MASTER_KEY", raising=False)
    monkeypatch.delenv("KOJIN_POLICY_FILE", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(
        app,
        ["datasets", "provide", EMAIL, "--recipient", "P", "--method", "CSV", "--country", "JP"],
    )
    assert result.exit_code == 1
    assert "dataset not found" in result.stderr
    assert EMAIL not in result.output
