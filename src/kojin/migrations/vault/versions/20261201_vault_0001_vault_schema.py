"""The My Number vault: ``mynumber_records``, ``mynumber_data_keys``, ``mynumber_documents``
and ``mynumber_handlers``.

A record holds the number only as AES-GCM ciphertext; its data key is stored wrapped by a vault
key that never enters a database. ``active_subject`` is the subject's id while the record is
active (NULL after disposal), so a person has at most one active record.

Revision ID: vault_0001
Revises:
Create Date: 2026-12-01 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "vault_0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _actor(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=200), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "mynumber_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("active_subject", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("affairs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("number_ct", sa.LargeBinary(), nullable=True),
        sa.Column("nonce", sa.LargeBinary(), nullable=True),
        sa.Column("route", sa.String(length=40), nullable=False),
        sa.Column("document_types", sa.JSON(), nullable=False),
        sa.Column("purpose_stated", sa.Boolean(), nullable=False),
        sa.Column("acquired_on", sa.Date(), nullable=False),
        _moment("registered_at"),
        _actor("registered_by"),
        sa.Column("affairs_ended_on", sa.Date(), nullable=True),
        _moment("disposed_at", nullable=True),
        _actor("disposed_by", nullable=True),
        sa.Column("disposal_reason", sa.Text(), nullable=True),
        sa.Column("disposal_method", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mynumber_records")),
        sa.UniqueConstraint("active_subject", name=op.f("uq_mynumber_records_active_subject")),
    )
    with op.batch_alter_table("mynumber_records", schema=None) as batch_op:
        for column in ("subject_id", "status"):
            batch_op.create_index(
                batch_op.f(f"ix_mynumber_records_{column}"), [column], unique=False
            )
    op.create_table(
        "mynumber_data_keys",
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("vault_key_id", sa.String(length=40), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["mynumber_records.id"],
            name=op.f("fk_mynumber_data_keys_record_id_mynumber_records"),
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_mynumber_data_keys")),
    )
    with op.batch_alter_table("mynumber_data_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mynumber_data_keys_vault_key_id"), ["vault_key_id"], unique=False
        )
    op.create_table(
        "mynumber_documents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("document_type", sa.String(length=60), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_ct", sa.LargeBinary(), nullable=True),
        sa.Column("nonce", sa.LargeBinary(), nullable=True),
        _moment("added_at"),
        _actor("added_by"),
        _moment("purge_after"),
        _moment("purged_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["mynumber_records.id"],
            name=op.f("fk_mynumber_documents_record_id_mynumber_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mynumber_documents")),
    )
    with op.batch_alter_table("mynumber_documents", schema=None) as batch_op:
        for column in ("record_id", "purge_after"):
            batch_op.create_index(
                batch_op.f(f"ix_mynumber_documents_{column}"), [column], unique=False
            )
    op.create_table(
        "mynumber_handlers",
        sa.Column("id", sa.String(length=32), nullable=False),
        _actor("actor"),
        sa.Column("affairs", sa.JSON(), nullable=False),
        sa.Column("subject_ids", sa.JSON(), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=False),
        _actor("designated_by"),
        _moment("designated_at"),
        _actor("revoked_by", nullable=True),
        _moment("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mynumber_handlers")),
    )
    with op.batch_alter_table("mynumber_handlers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mynumber_handlers_actor"), ["actor"], unique=False)


def downgrade() -> None:
    for table in (
        "mynumber_handlers",
        "mynumber_documents",
        "mynumber_data_keys",
        "mynumber_records",
    ):
        op.drop_table(table)
