"""Driver errors as kojin errors that name the location and columns, never values or URLs.

A driver's own message may quote the value that failed (``invalid input syntax for type integer:
"..."``, ``Duplicate entry '...'``) and SQLAlchemy's adds the statement and its parameters, so
none of it is kept: the kojin error says what was done where, and which kind of error the driver
raised (its class, SQLSTATE or error number), and the original exception is not chained.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from kojin.errors import ConfigurationError, ConflictError, InputError, KojinError

#: SQLSTATEs of a value that does not fit its column (class 22: data exceptions; 42804:
#: datatype mismatch; 42883: no operator for the types, e.g. comparing text with an integer)
_VALUE_STATES = ("22", "42804", "42883")
#: MySQL/MariaDB error numbers of a value that does not fit its column
_VALUE_ERRNOS = {1264, 1265, 1292, 1366, 1406, 1411, 3140}


def _sqlstate(orig: BaseException | None) -> str | None:
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def _errno(orig: BaseException | None) -> int | None:
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return None


def driver_reason(exc: BaseException) -> str:
    """The kind of a driver error, without its message: ``UniqueViolation, SQLSTATE 23505``."""
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    parts = [type(orig).__name__ if orig is not None else type(exc).__name__]
    state = _sqlstate(orig)
    if state:
        parts.append(f"SQLSTATE {state}")
    errno = _errno(orig)
    if errno is not None:
        parts.append(f"error {errno}")
    return ", ".join(parts)


def store_error(
    exc: sa.exc.SQLAlchemyError, *, action: str, address: str, columns: Sequence[str] = ()
) -> KojinError:
    """The kojin error for `exc`, raised while doing `action` on `address` (dataset.collection),
    with the `columns` involved. Raise it ``from None``."""
    reason = driver_reason(exc)
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else None
    named = ", ".join(columns) if columns else "its columns"
    if isinstance(exc, sa.exc.IntegrityError):
        return ConflictError(f"{action} {address} would break a constraint of the store ({reason})")
    state = _sqlstate(orig)
    if (
        isinstance(exc, sa.exc.DataError)
        or (state is not None and state.startswith(_VALUE_STATES))
        or _errno(orig) in _VALUE_ERRNOS
    ):
        field = f"{address}.{columns[0]}" if len(columns) == 1 else address
        return InputError(
            f"{action} {address}: a value does not fit column {named} ({reason})", field=field
        )
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return ConfigurationError(f"{action} {address}: the store is unreachable ({reason})")
    if isinstance(exc, sa.exc.InterfaceError | sa.exc.DisconnectionError):
        return ConfigurationError(f"{action} {address}: the store is unreachable ({reason})")
    return ConfigurationError(
        f"{action} {address} failed ({reason}); check the data map's table and columns "
        f"({named}) and the store's schema"
    )
