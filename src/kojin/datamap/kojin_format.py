"""kojin's data map YAML: ``datamap: 1`` and its ``systems``, validated system by system.

A system may name Fides dataset files (``fides: [shop.yml]``) whose datasets join it; they are
returned as :class:`FidesInclude` for the loader to read. Keys that would carry a store's
credentials (``url``, ``password``, ``dsn``...) are refused wherever they are written: those
come from the settings or the environment, never from a file that is shared and reviewed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from kojin.datamap.issues import DataMapIssue, Path, Site, schema_issues
from kojin.datamap.model import System

#: the format's version, written as ``datamap: 1``
FORMAT_VERSION = 1

_CREDENTIAL_KEYS = frozenset(
    {
        "url",
        "uri",
        "dsn",
        "password",
        "passwd",
        "pwd",
        "username",
        "user",
        "host",
        "hostname",
        "port",
        "connection",
        "connection_string",
        "credentials",
        "secret",
        "token",
        "api_key",
    }
)
_CREDENTIAL_SUFFIXES = ("_url", "_uri", "_dsn", "_password", "_secret", "_token")

CREDENTIALS_MESSAGE = (
    "credentials come from the settings or the environment (KOJIN_STORE_<KEY>_URL), "
    "never from the map"
)


def store_variable(system_key: str) -> str:
    """The environment variable of a system's store URL: ``KOJIN_STORE_<KEY>_URL``, the key
    upper-cased with every other character than letters and digits as ``_``."""
    return f"KOJIN_STORE_{re.sub(r'[^A-Z0-9]', '_', system_key.upper())}_URL"


def is_credential_key(key: str) -> bool:
    lowered = key.lower().replace("-", "_")
    return lowered in _CREDENTIAL_KEYS or lowered.endswith(_CREDENTIAL_SUFFIXES)


@dataclass(frozen=True)
class FidesInclude:
    """A Fides dataset file named by system `system` (an index into the systems read)."""

    system: int
    path: str
    site: Site


@dataclass
class KojinDocument:
    """The systems of one kojin map file (without the datasets of their Fides files)."""

    systems: list[System] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    includes: list[FidesInclude] = field(default_factory=list)
    issues: list[DataMapIssue] = field(default_factory=list)
    #: keys that would carry credentials: refused, but the rest of the map is still checked
    credentials: list[DataMapIssue] = field(default_factory=list)


def read_kojin(data: dict[str, Any], site: Site) -> KojinDocument:
    """Validate a kojin map document (`data` is a mapping with a ``datamap`` key)."""
    doc = KojinDocument()
    for key in data:
        if key not in ("datamap", "systems"):
            doc.issues.append(site.at(key).issue(f"unknown key '{key}'", key=True))
    version = data.get("datamap")
    if version != FORMAT_VERSION or isinstance(version, bool):
        doc.issues.append(site.at("datamap").issue(f"the format version must be {FORMAT_VERSION}"))
    systems = data.get("systems")
    if "systems" not in data:
        doc.issues.append(site.issue("'systems' is missing: list the company's systems"))
        return doc
    if not isinstance(systems, list) or not systems:
        doc.issues.append(site.at("systems").issue("must be a list of one or more systems"))
        return doc
    for i, raw in enumerate(systems):
        _read_system(doc, raw, site.at("systems", i))
    return doc


def _read_system(doc: KojinDocument, raw: Any, site: Site) -> None:
    if not isinstance(raw, dict):
        doc.issues.append(site.issue("a system is a mapping (key, store, datasets...)"))
        return
    for path, key in _credential_keys(raw, ()):
        message = f"'{key}': {CREDENTIALS_MESSAGE}"
        if isinstance(raw.get("key"), str):
            message += f"; set {store_variable(raw['key'])}"
        doc.credentials.append(site.at(*path).issue(message, key=True))
    data = _without_credentials(raw)
    includes = data.pop("fides", None)
    if includes is None and "datasets" not in data:
        doc.issues.append(
            site.issue("a system needs its datasets: 'datasets:', 'fides:' (Fides files) or both")
        )
        return
    valid = True
    if includes is not None:
        valid = _read_includes(doc, includes, site.at("fides"))
        data.setdefault("datasets", [])
    _normalise_erasures(data)
    try:
        system = System.model_validate(data)
    except ValidationError as exc:
        doc.issues.extend(schema_issues(exc, site))
        return
    if valid:
        index = len(doc.systems)
        doc.includes.extend(
            FidesInclude(index, path, site.at("fides", n)) for n, path in enumerate(includes or [])
        )
        doc.systems.append(system)
        doc.sites.append(site)


def _read_includes(doc: KojinDocument, includes: Any, site: Site) -> bool:
    if not isinstance(includes, list) or not includes:
        doc.issues.append(site.issue("must be a list of Fides dataset files"))
        return False
    bad = [n for n, item in enumerate(includes) if not isinstance(item, str) or not item.strip()]
    for n in bad:
        doc.issues.append(site.at(n).issue("must be a file path, relative to this map's file"))
    return not bad


def _credential_keys(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if is_credential_key(key):
                yield (*path, key), key
            else:
                yield from _credential_keys(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _credential_keys(item, (*path, n))


def _without_credentials(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_credentials(v) for k, v in value.items() if not is_credential_key(k)}
    if isinstance(value, list):
        return [_without_credentials(v) for v in value]
    return value


def _normalise_erasures(system: dict[str, Any]) -> None:
    """A field's ``erasure: set_null`` is short for ``erasure: {strategy: set_null}``."""
    for dataset in _dicts(system.get("datasets")):
        for collection in _dicts(dataset.get("collections")):
            for item in _dicts(collection.get("fields")):
                if isinstance(item.get("erasure"), str):
                    item["erasure"] = {"strategy": item["erasure"]}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
