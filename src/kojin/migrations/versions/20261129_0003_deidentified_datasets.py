"""De-identified datasets: pseudonymized (Art. 41) and anonymized (Art. 43) creations.

Revision ID: 20261129_0003
Revises: 20261129_0002
Create Date: 2026-11-29 10:09:49.533942
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261129_0003"
down_revision: str | None = "20261129_0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "deidentified_datasets",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("report_sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provision_method", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deidentified_datasets")),
    )
    with op.batch_alter_table("deidentified_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deidentified_datasets_form"), ["form"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deidentified_datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deidentified_datasets_form"))

    op.drop_table("deidentified_datasets")
