"""Initial registry schema: subjects, ledger, consents, provision records, decisions, audit
chain and API tokens; seeds the audit chain head.

Revision ID: 20261129_0001
Revises:
Create Date: 2026-11-29 09:28:09.529098
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261129_0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "audit_entries",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_action"), "audit_entries", ["action"], unique=False)
    op.create_index(
        op.f("ix_audit_entries_object_id"), "audit_entries", ["object_id"], unique=False
    )

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    head = sa.table(
        "audit_head",
        sa.column("id", sa.Integer()),
        sa.column("seq", sa.BigInteger()),
        sa.column("hash", sa.String()),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column(
            "audit_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_created_at"), "decisions", ["created_at"], unique=False)
    op.create_index(op.f("ix_decisions_subject_id"), "decisions", ["subject_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("acquisition_method", sa.String(length=30), nullable=False),
        sa.Column("storage_location", sa.String(length=300), nullable=False),
        sa.Column("storage_country", sa.String(length=2), nullable=False),
        sa.Column("medium", sa.String(length=20), nullable=False),
        sa.Column("access", sa.String(length=300), nullable=False),
        sa.Column("retention_period", sa.String(length=200), nullable=False),
        sa.Column("disposal_method", sa.String(length=200), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("special_care", sa.Boolean(), nullable=False),
        sa.Column("responsible_department", sa.String(length=200), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index(
        op.f("ix_ledger_entries_category"), "ledger_entries", ["category"], unique=False
    )

    op.create_table(
        "subjects",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("name_enc", sa.Text(), nullable=True),
        sa.Column("email_enc", sa.Text(), nullable=True),
        sa.Column("customer_number_enc", sa.Text(), nullable=True),
        sa.Column("phone_enc", sa.Text(), nullable=True),
        sa.Column("address_enc", sa.Text(), nullable=True),
        sa.Column("email_bidx", sa.String(length=64), nullable=True),
        sa.Column("customer_number_bidx", sa.String(length=64), nullable=True),
        sa.Column("stop_use", sa.Boolean(), nullable=False),
        sa.Column("stop_provision", sa.Boolean(), nullable=False),
        sa.Column("flags_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    op.create_index(op.f("ix_subjects_category"), "subjects", ["category"], unique=False)
    op.create_index(
        op.f("ix_subjects_customer_number_bidx"), "subjects", ["customer_number_bidx"], unique=False
    )
    op.create_index(op.f("ix_subjects_email_bidx"), "subjects", ["email_bidx"], unique=False)
    op.create_index(op.f("ix_subjects_key_id"), "subjects", ["key_id"], unique=False)

    op.create_table(
        "consents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=True),
        sa.Column("recipient", sa.String(length=300), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("notice_version", sa.String(length=100), nullable=False),
        sa.Column("foreign_information", sa.JSON(), nullable=True),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("by_representative", sa.Boolean(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_consents_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_subject_id"), "consents", ["subject_id"], unique=False)

    op.create_table(
        "provision_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("decision_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("provided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=True),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("recipient_name", sa.Text(), nullable=True),
        sa.Column("recipient_country", sa.String(length=2), nullable=False),
        sa.Column("recipient_relation", sa.String(length=30), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("consent_confirmed", sa.Boolean(), nullable=False),
        sa.Column("foreign_information_provided", sa.Boolean(), nullable=False),
        sa.Column("record_form", sa.String(length=30), nullable=False),
        sa.Column("contract_reference", sa.String(length=200), nullable=True),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("purge_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_provision_records_decision_id_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provision_records")),
    )
    op.create_index(
        op.f("ix_provision_records_decision_id"), "provision_records", ["decision_id"], unique=False
    )
    op.create_index(
        op.f("ix_provision_records_purge_after"), "provision_records", ["purge_after"], unique=False
    )
    op.create_index(
        op.f("ix_provision_records_subject_id"), "provision_records", ["subject_id"], unique=False
    )

    op.create_table(
        "consent_withdrawals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("consent_id", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_withdrawals_consent_id_consents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
        sa.UniqueConstraint("consent_id", name=op.f("uq_consent_withdrawals_consent_id")),
    )


def downgrade() -> None:
    op.drop_table("consent_withdrawals")
    op.drop_index(op.f("ix_provision_records_subject_id"), table_name="provision_records")
    op.drop_index(op.f("ix_provision_records_purge_after"), table_name="provision_records")
    op.drop_index(op.f("ix_provision_records_decision_id"), table_name="provision_records")

    op.drop_table("provision_records")
    op.drop_index(op.f("ix_consents_subject_id"), table_name="consents")

    op.drop_table("consents")
    op.drop_index(op.f("ix_subjects_key_id"), table_name="subjects")
    op.drop_index(op.f("ix_subjects_email_bidx"), table_name="subjects")
    op.drop_index(op.f("ix_subjects_customer_number_bidx"), table_name="subjects")
    op.drop_index(op.f("ix_subjects_category"), table_name="subjects")

    op.drop_table("subjects")
    op.drop_index(op.f("ix_ledger_entries_category"), table_name="ledger_entries")

    op.drop_table("ledger_entries")
    op.drop_index(op.f("ix_decisions_subject_id"), table_name="decisions")
    op.drop_index(op.f("ix_decisions_created_at"), table_name="decisions")

    op.drop_table("decisions")
    op.drop_table("audit_head")
    op.drop_index(op.f("ix_audit_entries_object_id"), table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_action"), table_name="audit_entries")

    op.drop_table("audit_entries")
    op.drop_table("api_tokens")
