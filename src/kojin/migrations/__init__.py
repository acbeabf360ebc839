"""The registry's schema history: the Alembic environment (``env.py``), its migrations
(``versions/``) and :mod:`kojin.migrations.metadata`, which gathers every domain's tables.

It sits above the domain packages (registry, audit, auth) because it imports their models;
:mod:`kojin.db.migrate` runs it by its package name without importing it. Importing this package
itself loads nothing.
"""
