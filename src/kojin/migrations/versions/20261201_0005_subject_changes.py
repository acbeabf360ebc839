"""Subject changes with their references, outside the audit chain: ``subject_changes``.

A stop-flag change, a correction or an erasure may carry a reference (free text, e.g. a request
id); the row keeps it and the chain only its digest.

Revision ID: 20261201_0005
Revises: 20261201_0004
Create Date: 2026-12-01 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0005"
down_revision: str | None = "20261201_0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "subject_changes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("stop_use", sa.Boolean(), nullable=True),
        sa.Column("stop_provision", sa.Boolean(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_subject_changes_subject_id_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_changes")),
    )
    with op.batch_alter_table("subject_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_changes_subject_id"), ["subject_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("subject_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_changes_subject_id"))

    op.drop_table("subject_changes")
