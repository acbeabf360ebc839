"""Obligation tasks: the duties recorded decisions create, deduplicated, with owners, due dates and
evidence (``obligation_tasks``, ``obligation_task_events``, ``obligation_task_reminders``).

The owner's name, reasons and document descriptions are encrypted (``*_enc``).

Revision ID: 20261202_0013
Revises: 20261201_0012
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0013"
down_revision: str | None = "20261201_0012"
branch_labels: str | None = None
depends_on: str | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Text(), nullable=True)


def _string(name: str, length: int, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "obligation_tasks",
        _string("id", 32, nullable=False),
        _string("task_key", 64, nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        _string("code", 40, nullable=False),
        _string("rule", 20, nullable=False),
        _string("citation", 60, nullable=False),
        _string("timing", 20, nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        _text("purpose"),
        _text("recipient_name"),
        _string("recipient_country", 16),
        _string("dataset_id", 32),
        _string("subject_id", 32),
        _string("first_decision_id", 32),
        _string("last_decision_id", 32),
        sa.Column("decision_count", sa.Integer(), nullable=False),
        _moment("first_decided_at", nullable=True),
        _moment("last_decided_at", nullable=True),
        _string("owner_kind", 12),
        _text("owner_enc"),
        _string("owner_index", 64),
        sa.Column("due_on", sa.Date(), nullable=False),
        _string("status", 10, nullable=False),
        _string("evidence_kind", 10),
        _string("evidence_record", 60),
        _text("evidence_enc"),
        _string("closed_by", 200),
        _moment("closed_at", nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        _moment("created_at"),
        _moment("updated_at"),
        _string("key_id", 32),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_tasks")),
        sa.UniqueConstraint("task_key", "round", name=op.f("uq_obligation_tasks_task_key")),
    )
    with op.batch_alter_table("obligation_tasks") as batch:
        batch.create_index(batch.f("ix_obligation_tasks_task_key"), ["task_key"], unique=False)
        batch.create_index(batch.f("ix_obligation_tasks_code"), ["code"], unique=False)
        batch.create_index(
            batch.f("ix_obligation_tasks_owner_index"), ["owner_index"], unique=False
        )
        batch.create_index(batch.f("ix_obligation_tasks_due_on"), ["due_on"], unique=False)
        batch.create_index(batch.f("ix_obligation_tasks_status"), ["status"], unique=False)
        batch.create_index(batch.f("ix_obligation_tasks_created_at"), ["created_at"], unique=False)
    op.create_table(
        "obligation_task_events",
        _string("id", 32, nullable=False),
        _string("task_id", 32, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _moment("at"),
        _string("actor", 200, nullable=False),
        _string("action", 50, nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        _text("note_enc"),
        _string("key_id", 32),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["obligation_tasks.id"],
            name=op.f("fk_obligation_task_events_task_id_obligation_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_task_events")),
    )
    with op.batch_alter_table("obligation_task_events") as batch:
        batch.create_index(batch.f("ix_obligation_task_events_task_id"), ["task_id"], unique=False)
    op.create_table(
        "obligation_task_reminders",
        _string("id", 32, nullable=False),
        _string("task_id", 32, nullable=False),
        _string("stage", 20, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _moment("sent_at"),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["obligation_tasks.id"],
            name=op.f("fk_obligation_task_reminders_task_id_obligation_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_task_reminders")),
        sa.UniqueConstraint(
            "task_id", "stage", "day", name=op.f("uq_obligation_task_reminders_task_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("obligation_task_reminders")
    with op.batch_alter_table("obligation_task_events") as batch:
        batch.drop_index(batch.f("ix_obligation_task_events_task_id"))
    op.drop_table("obligation_task_events")
    with op.batch_alter_table("obligation_tasks") as batch:
        batch.drop_index(batch.f("ix_obligation_tasks_created_at"))
        batch.drop_index(batch.f("ix_obligation_tasks_status"))
        batch.drop_index(batch.f("ix_obligation_tasks_due_on"))
        batch.drop_index(batch.f("ix_obligation_tasks_owner_index"))
        batch.drop_index(batch.f("ix_obligation_tasks_code"))
        batch.drop_index(batch.f("ix_obligation_tasks_task_key"))
    op.drop_table("obligation_tasks")
