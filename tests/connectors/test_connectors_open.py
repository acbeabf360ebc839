"""Opening the connectors of a data map: URLs from the environment or settings, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from connector_support import sql_location
from pydantic import SecretStr

from kojin.connectors.files import FileConnector
from kojin.connectors.open import open_connectors, store_url, store_url_variable
from kojin.connectors.sql import SqlConnector
from kojin.datamap.model import DataMap, Dataset, StoreKind, System
from kojin.errors import ConfigurationError
from kojin.settings import Settings


def _map(tmp_path: Path, *systems: tuple[str, StoreKind]) -> DataMap:
    return DataMap(
        systems=tuple(
            System(key=key, store=store, datasets=(Dataset(key=f"{key}_ds", collections=()),))
            for key, store in systems
        ),
        base_dir=str(tmp_path),
    )


def test_the_variable_is_named_after_the_system_key() -> None:
    assert store_url_variable("shop") == "KOJIN_STORE_SHOP_URL"
    assert store_url_variable("shop-eu_2") == "KOJIN_STORE_SHOP_EU_2_URL"


def test_the_environment_wins_over_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(store_urls={"shop": SecretStr("sqlite:///from-settings.db")})
    monkeypatch.delenv("KOJIN_STORE_SHOP_URL", raising=False)
    assert store_url(settings, "shop") == "sqlite:///from-settings.db"
    monkeypatch.setenv("KOJIN_STORE_SHOP_URL", "sqlite:///from-env.db")
    assert store_url(settings, "shop") == "sqlite:///from-env.db"
    assert store_url(settings, "support") is None


def test_store_urls_come_from_the_json_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOJIN_STORE_URLS", '{"support": "sqlite:///support.db"}')
    assert store_url(Settings(), "support") == "sqlite:///support.db"


def test_open_connectors_by_store_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOJIN_STORE_SHOP_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    datamap = _map(tmp_path, ("shop", StoreKind.SQL), ("exports", StoreKind.FILES))
    connectors = open_connectors(datamap, Settings())
    try:
        assert isinstance(connectors["shop"], SqlConnector)
        files = connectors["exports"]
        assert isinstance(files, FileConnector)
        assert files.base_dir == tmp_path
    finally:
        for connector in connectors.values():
            connector.close()


def test_a_sql_system_without_url_names_the_system_and_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KOJIN_STORE_SUPPORT_URL", raising=False)
    datamap = _map(tmp_path, ("exports", StoreKind.FILES), ("support", StoreKind.SQL))
    with pytest.raises(ConfigurationError) as missing:
        open_connectors(datamap, Settings())
    assert "system support" in missing.value.message
    assert "KOJIN_STORE_SUPPORT_URL" in missing.value.message
    assert "KOJIN_STORE_URLS" in missing.value.message


def test_a_bad_url_does_not_show_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_STORE_SHOP_URL", "nosuch+driver://kojin:hunter2-pw@db.internal/x")
    with pytest.raises(ConfigurationError) as bad:
        open_connectors(_map(tmp_path, ("shop", StoreKind.SQL)), Settings())
    assert "system shop" in bad.value.message
    assert "KOJIN_STORE_SHOP_URL" in bad.value.message
    assert "hunter2" not in str(bad.value)
    assert "db.internal" not in str(bad.value)


def test_an_unreachable_store_names_the_system_not_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "mysql+pymysql://kojin:hunter2-pw@127.0.0.1:1/shop?connect_timeout=2"
    monkeypatch.setenv("KOJIN_STORE_SHOP_URL", url)
    connectors = open_connectors(_map(tmp_path, ("shop", StoreKind.SQL)), Settings())
    location = sql_location("customers", [], system="shop")
    try:
        with pytest.raises(ConfigurationError) as failed:
            connectors["shop"].fetch(location, {"email": {"a@example.jp"}})
    finally:
        connectors["shop"].close()
    assert "system shop" in failed.value.message
    assert "unreachable" in failed.value.message
    assert "hunter2" not in str(failed.value)
    assert "a@example.jp" not in str(failed.value)
