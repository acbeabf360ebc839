"""API tokens and roles: tokens are stored as SHA-256 hashes; the plaintext is shown once.

:mod:`kojin.auth.roles` holds the roles, :mod:`kojin.auth.schemas` the token schema and
:mod:`kojin.auth.service` the functions that use the database. The package itself imports none
of them, so that a command needing only the roles loads no more than the enumeration.
"""
