"""Fulfilment jobs: ``fulfilment_jobs`` and their ordered ``fulfilment_tasks``.

A job's working data is an encrypted blob (``payload_enc``); the lease columns say which worker
holds a running job. On a PostgreSQL registry the shared queue of ``kojin worker`` processes
lives in procrastinate's own tables, which the queue creates when they are missing (they are
not kojin's schema and this migration does not touch them).

Revision ID: 20261201_0008
Revises: 20261201_0007
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0008"
down_revision: str | None = "20261201_0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "fulfilment_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approval_stage", sa.String(length=30), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=True),
        sa.Column("result_enc", sa.LargeBinary(), nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_requests.id"],
            name=op.f("fk_fulfilment_jobs_request_id_data_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilment_jobs")),
    )
    with op.batch_alter_table("fulfilment_jobs", schema=None) as batch_op:
        for column in ("request_id", "state"):
            batch_op.create_index(
                batch_op.f(f"ix_fulfilment_jobs_{column}"), [column], unique=False
            )
    op.create_table(
        "fulfilment_tasks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("rows_planned", sa.Integer(), nullable=False),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["fulfilment_jobs.id"],
            name=op.f("fk_fulfilment_tasks_job_id_fulfilment_jobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfilment_tasks")),
        sa.UniqueConstraint("job_id", "seq", name=op.f("uq_fulfilment_tasks_job_id")),
    )
    with op.batch_alter_table("fulfilment_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fulfilment_tasks_job_id"), ["job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fulfilment_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfilment_tasks_job_id"))
    op.drop_table("fulfilment_tasks")
    with op.batch_alter_table("fulfilment_jobs", schema=None) as batch_op:
        for column in ("state", "request_id"):
            batch_op.drop_index(batch_op.f(f"ix_fulfilment_jobs_{column}"))
    op.drop_table("fulfilment_jobs")
