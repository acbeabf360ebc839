"""Management reviews: the inputs of a review (a snapshot of the period's figures), the changes in
law and the top manager's decisions.

Revision ID: 20261202_0017
Revises: 20261202_0016
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0017"
down_revision: str | None = "20261202_0016"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "management_reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("inputs_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_reviews")),
        sa.UniqueConstraint("reference", name=op.f("uq_management_reviews_reference")),
    )
    with op.batch_alter_table("management_reviews") as batch:
        batch.create_index(batch.f("ix_management_reviews_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("management_reviews") as batch:
        batch.drop_index(batch.f("ix_management_reviews_status"))
    op.drop_table("management_reviews")
