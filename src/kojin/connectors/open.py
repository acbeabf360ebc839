"""Connectors for the systems of a data map, with credentials from settings or the environment.

A SQL system's URL comes from ``KOJIN_STORE_<KEY>_URL`` (the system key upper-cased, anything
but letters and digits as ``_``), which wins over ``KOJIN_STORE_URLS`` (``settings.store_urls``,
a JSON object by system key). A files system reads the data map's folder. URLs are never part of
a message; none is logged.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kojin.connectors.base import Connector
from kojin.connectors.files import FileConnector
from kojin.connectors.sql import SqlConnector
from kojin.datamap.model import DataMap, StoreKind
from kojin.errors import ConfigurationError
from kojin.settings import ENV_PREFIX, Settings


def store_url_variable(system_key: str) -> str:
    """The environment variable holding a system's URL: ``KOJIN_STORE_<KEY>_URL``."""
    return f"{ENV_PREFIX}STORE_{re.sub(r'[^A-Za-z0-9]', '_', system_key).upper()}_URL"


def store_url(settings: Settings, system_key: str) -> str | None:
    """The database URL of system `system_key`: its environment variable, else
    ``settings.store_urls``; None when neither has one."""
    value = os.environ.get(store_url_variable(system_key))
    if value:
        return value
    secret = settings.store_urls.get(system_key)
    if secret is None:
        return None
    return secret.get_secret_value() or None


def open_connectors(datamap: DataMap, settings: Settings) -> dict[str, Connector]:
    """One connector per system of `datamap`, keyed by system key. A SQL system without a URL
    is a ConfigurationError naming the system and the variable to set; connectors opened
    before the error are closed."""
    opened: dict[str, Connector] = {}
    try:
        for system in datamap.systems:
            if system.store is StoreKind.FILES:
                opened[system.key] = FileConnector(Path(datamap.base_dir))
                continue
            url = store_url(settings, system.key)
            if url is None:
                raise ConfigurationError(
                    f"system {system.key}: no database URL; set {store_url_variable(system.key)} "
                    f"or add {system.key!r} to {ENV_PREFIX}STORE_URLS"
                )
            try:
                opened[system.key] = SqlConnector(url)
            except ConfigurationError as exc:
                raise ConfigurationError(
                    f"system {system.key}: {exc.message} (from "
                    f"{store_url_variable(system.key)} or {ENV_PREFIX}STORE_URLS)"
                ) from None
    except BaseException:
        for connector in opened.values():
            connector.close()
        raise
    return opened
