"""Filing and retention of the My Number vault: ``filing_payments``, ``filing_exports`` and
``filing_retention_items``.

These are registry tables and hold no individual number: payments (kind-specific fields
encrypted), the payment-record files handed out (with their SHA-256) and the documents that keep
a vault record's number until their retention ends. The vault's own tables (``mynumber_*``)
have their own migrations.

Revision ID: 20261201_0010
Revises: 20261201_0009
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0010"
down_revision: str | None = "20261201_0009"
branch_labels: str | None = None
depends_on: str | None = None

_YEN = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "filing_payments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("affair", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_yen", _YEN, nullable=False),
        sa.Column("withheld_yen", _YEN, nullable=False),
        sa.Column("fields_enc", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        _moment("created_at"),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_filing_payments_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_payments")),
    )
    with op.batch_alter_table("filing_payments", schema=None) as batch_op:
        batch_op.create_index("ix_filing_payments_affair_paid_on", ["affair", "paid_on"])
        for column in ("subject_id", "key_id"):
            batch_op.create_index(batch_op.f(f"ix_filing_payments_{column}"), [column])
    op.create_table(
        "filing_exports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("affair", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("payees", sa.Integer(), nullable=False),
        sa.Column("below_threshold", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("exported_by", sa.String(length=200), nullable=False),
        _moment("exported_at"),
        _moment("deleted_at", nullable=True),
        sa.Column("deleted_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_exports")),
    )
    with op.batch_alter_table("filing_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filing_exports_exported_at"), ["exported_at"])
    op.create_table(
        "filing_retention_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("affair", sa.String(length=64), nullable=True),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("export_id", sa.String(length=32), nullable=True),
        _moment("created_at"),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["filing_exports.id"],
            name=op.f("fk_filing_retention_items_export_id_filing_exports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_retention_items")),
    )
    with op.batch_alter_table("filing_retention_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filing_retention_items_record_id"), ["record_id"])


def downgrade() -> None:
    with op.batch_alter_table("filing_retention_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filing_retention_items_record_id"))
    op.drop_table("filing_retention_items")
    with op.batch_alter_table("filing_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filing_exports_exported_at"))
    op.drop_table("filing_exports")
    with op.batch_alter_table("filing_payments", schema=None) as batch_op:
        for column in ("key_id", "subject_id"):
            batch_op.drop_index(batch_op.f(f"ix_filing_payments_{column}"))
        batch_op.drop_index("ix_filing_payments_affair_paid_on")
    op.drop_table("filing_payments")
