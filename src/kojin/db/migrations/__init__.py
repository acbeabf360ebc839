"""Alembic migrations of the registry (a package so that wheels ship them)."""
