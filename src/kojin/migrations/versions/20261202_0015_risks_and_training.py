"""Risk assessments per ledger row, and training records: ``risk_assessments``,
``training_courses``, ``training_workers`` and ``training_records`` (R-PM-2, R-PM-4).

What staff type about a risk (``details_enc``: the risk, the measures, the owner) and a worker's
name (``name_enc``) are encrypted; everything else is plain.

Revision ID: 20261202_0015
Revises: 20261202_0014
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0015"
down_revision: str | None = "20261202_0014"
branch_labels: str | None = None
depends_on: str | None = None


def _moment(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _int(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("ledger_entry_id", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        _int("likelihood"),
        _int("impact"),
        sa.Column("evaluation", sa.String(length=10), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        _int("residual_likelihood"),
        _int("residual_impact"),
        _int("residual_score"),
        sa.Column("details_enc", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=False),
        _moment("assessed_at"),
        sa.Column("assessed_by", sa.String(length=200), nullable=False),
        _moment("created_at"),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_risk_assessments_ledger_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments") as batch:
        batch.create_index(
            batch.f("ix_risk_assessments_ledger_entry_id"), ["ledger_entry_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_risk_assessments_next_review"), ["next_review"], unique=False
        )
        batch.create_index(
            batch.f("ix_risk_assessments_residual_score"), ["residual_score"], unique=False
        )
    op.create_table(
        "training_courses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("yearly", sa.Boolean(), nullable=False),
        _moment("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
        sa.UniqueConstraint("code", name=op.f("uq_training_courses_code")),
    )
    op.create_table(
        "training_workers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("employee_number", sa.String(length=40), nullable=False),
        sa.Column("name_enc", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_workers")),
        sa.UniqueConstraint("employee_number", name=op.f("uq_training_workers_employee_number")),
    )
    with op.batch_alter_table("training_workers") as batch:
        batch.create_index(batch.f("ix_training_workers_active"), ["active"], unique=False)
    op.create_table(
        "training_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.String(length=32), nullable=False),
        sa.Column("course_id", sa.String(length=32), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        _moment("created_at"),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_records_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["training_workers.id"],
            name=op.f("fk_training_records_worker_id_training_workers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
        sa.UniqueConstraint(
            "worker_id",
            "course_id",
            "completed_on",
            name=op.f("uq_training_records_worker_id"),
        ),
    )
    with op.batch_alter_table("training_records") as batch:
        batch.create_index(batch.f("ix_training_records_worker_id"), ["worker_id"], unique=False)
        batch.create_index(
            batch.f("ix_training_records_completed_on"), ["completed_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_records") as batch:
        batch.drop_index(batch.f("ix_training_records_completed_on"))
        batch.drop_index(batch.f("ix_training_records_worker_id"))
    op.drop_table("training_records")
    with op.batch_alter_table("training_workers") as batch:
        batch.drop_index(batch.f("ix_training_workers_active"))
    op.drop_table("training_workers")
    op.drop_table("training_courses")
    with op.batch_alter_table("risk_assessments") as batch:
        batch.drop_index(batch.f("ix_risk_assessments_residual_score"))
        batch.drop_index(batch.f("ix_risk_assessments_next_review"))
        batch.drop_index(batch.f("ix_risk_assessments_ledger_entry_id"))
    op.drop_table("risk_assessments")
