"""Ledger: machine-readable data locations and personal-data kinds, for discovery.

Revision ID: 20261129_0002
Revises: 20261129_0001
Create Date: 2026-11-29 10:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261129_0002"
down_revision: str | None = "20261129_0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(
            sa.Column("data_locations", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("pi_kinds", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("pi_kinds")
        batch.drop_column("data_locations")
