"""The registry: data subjects, the personal-information ledger, consents, provision records and
decisions. Each domain package owns its ORM models, pydantic schemas and service functions.
"""
