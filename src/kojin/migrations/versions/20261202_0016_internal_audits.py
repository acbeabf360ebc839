"""Internal audits: ``audits``, ``audit_items``, ``audit_findings`` and ``audit_actions``
(JIS Q 15001; R-PM-5, R-PM-7).

Auditors' text and people's names are encrypted (``*_enc``); dates, statuses, results, control
ids and the evidence's counts are plain columns.

Revision ID: 20261202_0016
Revises: 20261202_0015
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0016"
down_revision: str | None = "20261202_0015"
branch_labels: str | None = None
depends_on: str | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _day(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _id(name: str = "id") -> sa.Column[object]:
    return sa.Column(name, sa.String(length=32), nullable=False)


def upgrade() -> None:
    op.create_table(
        "audits",
        _id(),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        _day("period_from", nullable=False),
        _day("period_to", nullable=False),
        sa.Column("scope_departments", sa.Text(), nullable=False),
        sa.Column("lead_auditor_enc", sa.Text(), nullable=False),
        sa.Column("lead_auditor_department", sa.String(length=200), nullable=False),
        _day("planned_on", nullable=False),
        _day("performed_on"),
        _day("reported_on"),
        _day("closed_on"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("summary_enc", sa.Text(), nullable=True),
        _moment("created_at"),
        _moment("updated_at"),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audits")),
        sa.UniqueConstraint("reference", name=op.f("uq_audits_reference")),
    )
    op.create_index(op.f("ix_audits_status"), "audits", ["status"])
    op.create_table(
        "audit_items",
        _id(),
        _id("audit_id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        _moment("collected_at", nullable=True),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("notes_enc", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=True),
        _moment("recorded_at", nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_audit_items_audit_id_audits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_items")),
        sa.UniqueConstraint("audit_id", "control_id", name=op.f("uq_audit_items_audit_id")),
    )
    op.create_index(op.f("ix_audit_items_audit_id"), "audit_items", ["audit_id"])
    op.create_index(op.f("ix_audit_items_result"), "audit_items", ["result"])
    op.create_table(
        "audit_findings",
        _id(),
        _id("audit_id"),
        _id("item_id"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description_enc", sa.Text(), nullable=False),
        sa.Column("root_cause_enc", sa.Text(), nullable=True),
        _moment("created_at"),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_audit_findings_audit_id_audits")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["audit_items.id"], name=op.f("fk_audit_findings_item_id_audit_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_findings")),
    )
    op.create_index(op.f("ix_audit_findings_audit_id"), "audit_findings", ["audit_id"])
    op.create_index(op.f("ix_audit_findings_item_id"), "audit_findings", ["item_id"])
    op.create_table(
        "audit_actions",
        _id(),
        _id("audit_id"),
        _id("finding_id"),
        sa.Column("action_enc", sa.Text(), nullable=False),
        sa.Column("owner_department", sa.String(length=200), nullable=False),
        sa.Column("owner_person_enc", sa.Text(), nullable=True),
        _day("due_on", nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _day("done_on"),
        _day("verified_on"),
        sa.Column("effectiveness_enc", sa.Text(), nullable=True),
        _day("follow_up_on"),
        _moment("created_at"),
        _moment("updated_at"),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_audit_actions_audit_id_audits")
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["audit_findings.id"],
            name=op.f("fk_audit_actions_finding_id_audit_findings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_actions")),
    )
    op.create_index(op.f("ix_audit_actions_audit_id"), "audit_actions", ["audit_id"])
    op.create_index(op.f("ix_audit_actions_due_on"), "audit_actions", ["due_on"])
    op.create_index(op.f("ix_audit_actions_finding_id"), "audit_actions", ["finding_id"])
    op.create_index(op.f("ix_audit_actions_status"), "audit_actions", ["status"])


def downgrade() -> None:
    op.drop_table("audit_actions")
    op.drop_table("audit_findings")
    op.drop_table("audit_items")
    op.drop_table("audits")
