"""The My Number vault's migration environment: only ``mynumber_*`` tables, with the version
table ``mynumber_alembic_version``, so the vault can share the registry's database or have one
of its own (:func:`kojin.db.migrate.upgrade_vault`)."""
