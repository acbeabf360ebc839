"""Values between stores and fulfilment: JSON-able scalars out, typed values in.

Rows leave a connector as JSON-able scalars (see :mod:`kojin.connectors.base`): dates and times
as ISO 8601 strings, decimals as strings, bytes as base64, UUIDs as strings. Values going into a
store are bound as given, unless the data map names the field's type (``data_type``), in which
case text is converted to that type first, so that ``"0"`` reaches an integer column as 0 on
every database. Conversion errors name the field, never the value.
"""

from __future__ import annotations

import base64
import json
import math
import re
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from kojin.connectors.base import Scalar
from kojin.errors import InputError

_INTEGER = re.compile(r"^(tiny|small|medium|big)?(int|integer|serial)\d*\b|^int\d|^long\b")
_FLOAT = re.compile(r"^(real|float|double)")
_DECIMAL = re.compile(r"^(numeric|decimal|number|money)")
_BOOLEAN = re.compile(r"^bool")
_TIMESTAMP = re.compile(r"^(timestamp|datetime)")
_DATE = re.compile(r"^date\b")
_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off"}


def json_scalar(value: object) -> Scalar:
    """A value read from a store as a JSON-able scalar."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return str(value)


def stored_scalar(value: object, data_type: str | None) -> Scalar:
    """:func:`json_scalar`, with dates and times a store keeps as text (SQLite) brought to
    ISO 8601 when the map says the field is a date or timestamp."""
    scalar = json_scalar(value)
    if isinstance(scalar, str) and data_type is not None:
        kind = data_type.strip().lower()
        try:
            if _TIMESTAMP.match(kind):
                return datetime.fromisoformat(scalar).isoformat()
            if _DATE.match(kind):
                return date.fromisoformat(scalar).isoformat()
        except ValueError:
            return scalar
    return scalar


def _duration(value: timedelta) -> str:
    """ISO 8601 duration (``P1DT3600.5S``); negative durations keep their sign in front."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    seconds = value.seconds + value.microseconds / 1_000_000
    text = f"{seconds:f}".rstrip("0").rstrip(".")
    return f"{sign}P{value.days}DT{text}S"


def text_form(value: Scalar) -> str | None:
    """A scalar as text, as it is compared with text columns (booleans as ``true``/``false``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_temporal(data_type: str) -> bool:
    """True for a date or timestamp type name."""
    kind = data_type.strip().lower()
    return bool(_TIMESTAMP.match(kind) or _DATE.match(kind))


def typed_value(value: Scalar, data_type: str | None, *, field: str) -> Any:
    """`value` converted to the map's `data_type` for ``field`` (``dataset.collection.column``);
    as given when the map names no type or the type is not one kojin converts to."""
    if value is None or data_type is None:
        return value
    kind = data_type.strip().lower()
    try:
        if _BOOLEAN.match(kind):
            return _boolean(value)
        if _INTEGER.match(kind):
            return _integer(value)
        if _FLOAT.match(kind):
            return float(value)
        if _DECIMAL.match(kind):
            return Decimal(str(value))
        if _TIMESTAMP.match(kind):
            return value if not isinstance(value, str) else datetime.fromisoformat(value)
        if _DATE.match(kind):
            return value if not isinstance(value, str) else date.fromisoformat(value)
    except (ValueError, TypeError, InvalidOperation):
        raise InputError(
            f"{field}: the new value is not a valid {data_type} (the data map's type)",
            field=field,
        ) from None
    return value


def _boolean(value: Scalar) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not a boolean")


def _integer(value: Scalar) -> int:
    if isinstance(value, bool):
        raise TypeError("a boolean is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not an integer")
        return int(value)
    return int(str(value).strip())
