"""One exception tree for kojin.

::

    KojinError                      anything kojin raises on purpose
    ├── InputError                  the caller's input is wrong (CLI exit 2, HTTP 422)
    │   ├── PolicyError             a policy file does not validate (carries PolicyIssue list)
    │   ├── RequestError            a decision request does not validate (names the field)
    │   ├── DataMapError            a data map does not validate (carries DataMapIssue list)
    │   └── SettingsError           a KOJIN_* environment variable does not validate
    ├── NotFoundError               an id that does not exist (HTTP 404)
    ├── ConflictError               the change clashes with what is stored (HTTP 409)
    ├── PermissionDeniedError       the actor's role may not do this (HTTP 403)
    ├── AuthenticationError         no or bad credentials (HTTP 401)
    ├── IntegrityError              stored records fail verification (audit chain, keys)
    └── ConfigurationError          settings or keys are missing or unusable

Messages never carry personal data: they name fields, ids and positions, not values.
"""

from __future__ import annotations


class KojinError(Exception):
    """Base of every error kojin raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(KojinError):
    """The caller's input is wrong; `field` names where, when known."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PolicyError(InputError):
    """A policy file failed validation; `issues` holds one entry per problem."""

    code = "invalid_policy"

    def __init__(self, message: str, *, issues: list[object] | None = None) -> None:
        super().__init__(message)
        self.issues: list[object] = list(issues or [])


class DataMapError(InputError):
    """A data map failed validation; `issues` holds one entry per problem."""

    code = "invalid_datamap"

    def __init__(self, message: str, *, issues: list[object] | None = None) -> None:
        super().__init__(message)
        self.issues: list[object] = list(issues or [])


class RequestError(InputError):
    """A decision request failed validation."""

    code = "invalid_request"


class SettingsError(InputError):
    """A ``KOJIN_*`` setting failed validation; `field` names the variable, never its value."""

    code = "invalid_settings"


class NotFoundError(KojinError):
    code = "not_found"


class ConflictError(KojinError):
    code = "conflict"


class PermissionDeniedError(KojinError):
    code = "forbidden"


class AuthenticationError(KojinError):
    code = "unauthenticated"


class IntegrityError(KojinError):
    code = "integrity_failure"


class ConfigurationError(KojinError):
    code = "configuration_error"
