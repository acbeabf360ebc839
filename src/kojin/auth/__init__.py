"""API tokens and roles: tokens are stored as SHA-256 hashes; the plaintext is shown once.

The package exports the light vocabulary (the roles and the token schema); the functions that
use the database are in :mod:`kojin.auth.service`.
"""

from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut

__all__ = ["ApiTokenOut", "Role"]
