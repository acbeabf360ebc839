"""Data-subject requests: ``data_requests``, ``request_documents``, ``request_events`` and
``request_verification_codes``.

What a person typed is stored encrypted (``*_enc``); the reference, the e-mail and the
one-time codes are kept only as keyed digests; documents are encrypted blobs (LONGBLOB on
MariaDB/MySQL).

Revision ID: 20261201_0007
Revises: 20261201_0006
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "20261201_0007"
down_revision: str | None = "20261201_0006"
branch_labels: str | None = None
depends_on: str | None = None


def _indexes(table: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _child_of_request(table: str, *columns: sa.Column[object]) -> None:
    """A table of rows that belong to one request (``id``, ``request_id`` and `columns`)."""
    op.create_table(
        table,
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_requests.id"],
            name=op.f(f"fk_{table}_request_id_data_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    _indexes(table, ["request_id"])


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference_bidx", sa.String(length=64), nullable=False),
        sa.Column("reference_enc", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("email_enc", sa.Text(), nullable=True),
        sa.Column("email_bidx", sa.String(length=64), nullable=True),
        sa.Column("name_enc", sa.Text(), nullable=True),
        sa.Column("furigana_enc", sa.Text(), nullable=True),
        sa.Column("phone_enc", sa.Text(), nullable=True),
        sa.Column("postal_code_enc", sa.Text(), nullable=True),
        sa.Column("address_enc", sa.Text(), nullable=True),
        sa.Column("details_enc", sa.Text(), nullable=True),
        sa.Column("is_agent", sa.Boolean(), nullable=False),
        sa.Column("agent_name_enc", sa.Text(), nullable=True),
        sa.Column("agent_relation", sa.String(length=30), nullable=True),
        sa.Column("disclosure_method", sa.String(length=20), nullable=True),
        sa.Column("include_third_party_records", sa.Boolean(), nullable=False),
        sa.Column("fee_yen", sa.Integer(), nullable=True),
        sa.Column("fee_reference_enc", sa.Text(), nullable=True),
        sa.Column("subject_id", sa.String(length=32), nullable=True),
        sa.Column("refusal_ground", sa.String(length=30), nullable=True),
        sa.Column("refusal_explanation_enc", sa.Text(), nullable=True),
        sa.Column("outcome_enc", sa.Text(), nullable=True),
        sa.Column("submission_key_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_data_requests_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
        sa.UniqueConstraint("reference_bidx", name=op.f("uq_data_requests_reference_bidx")),
        sa.UniqueConstraint(
            "submission_key_hash", name=op.f("uq_data_requests_submission_key_hash")
        ),
    )
    _indexes("data_requests", ["closed_at", "due_on", "email_bidx", "kind", "state", "subject_id"])
    _child_of_request(
        "request_documents",
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "content_enc",
            sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql"),
            nullable=False,
        ),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    _child_of_request(
        "request_events",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=True),
        sa.Column("note_enc", sa.Text(), nullable=True),
    )
    _child_of_request(
        "request_verification_codes",
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for table in ("request_verification_codes", "request_events", "request_documents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_request_id"))
        op.drop_table(table)
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        for column in ("subject_id", "state", "kind", "email_bidx", "due_on", "closed_at"):
            batch_op.drop_index(batch_op.f(f"ix_data_requests_{column}"))
    op.drop_table("data_requests")
