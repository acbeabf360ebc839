"""API tokens and roles: tokens are stored as SHA-256 hashes; the plaintext is shown once."""

from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.auth.service import authenticate, create_token, list_tokens, revoke_token

__all__ = ["ApiTokenOut", "Role", "authenticate", "create_token", "list_tokens", "revoke_token"]
