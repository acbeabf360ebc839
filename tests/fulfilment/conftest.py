"""Fixtures: the sample company (SQLite stores and files; with the server variants, the shop on
PostgreSQL and the support desk on MariaDB) and a registry with the target's subject."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fulfilment_support import TODAY, Fulfilment, company_settings, server_url, target_subject

from company import Company, build_company
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.policy import load_policy
from kojin.settings import Settings


@pytest.fixture(
    params=[
        "files",
        pytest.param("servers", marks=[pytest.mark.postgres, pytest.mark.mariadb]),
    ]
)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    """The sample company: its SQL stores as SQLite files, or on PostgreSQL and MariaDB."""
    if request.param == "servers":
        built = build_company(
            tmp_path / "company",
            shop_url=server_url("KOJIN_TEST_DATABASE_URL", "PostgreSQL"),
            support_url=server_url("KOJIN_TEST_MARIADB_URL", "MariaDB"),
            today=TODAY,
        )
    else:
        built = build_company(tmp_path / "company", today=TODAY)
    yield built
    built.drop()


@pytest.fixture
def fulfilment(
    database: Database, cipher: FieldCipher, settings: Settings, company: Company
) -> Fulfilment:
    return Fulfilment(database, cipher, company_settings(settings, company))


@pytest.fixture
def subject_id(database: Database, cipher: FieldCipher, settings: Settings) -> str:
    return target_subject(database, cipher, load_policy(settings.policy_file))
