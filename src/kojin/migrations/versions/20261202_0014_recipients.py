"""The register of entrustees and foreign recipients with equivalent measures, and their periodic
checks: ``recipients`` and ``recipient_checks`` (APPI Arts. 25, 28(3); Rule 18; MNA Art. 11;
R-SEC-4, R-MN-8, R-TP-FX-3, R-PM-11).

Names and staff's text are encrypted (``*_enc``); names are matched by the SHA-256 of their
normalized form (``match_key``).

Revision ID: 20261202_0014
Revises: 20261202_0013
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0014"
down_revision: str | None = "20261202_0013"
branch_labels: str | None = None
depends_on: str | None = None


def _moment(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _flag(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _day(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.Date(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "recipients",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("match_key", sa.String(length=64), nullable=False),
        _flag("entrustee"),
        _flag("foreign_rule16"),
        sa.Column("country", sa.String(length=16), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        _flag("my_number_affairs"),
        _day("contract_date"),
        sa.Column("contract_items", sa.JSON(), nullable=False),
        _day("evaluated_on"),
        sa.Column("evaluation_result", sa.String(length=20), nullable=True),
        _flag("sub_entrustment_allowed"),
        sa.Column("rule16_basis", sa.String(length=20), nullable=True),
        sa.Column("check_interval_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _day("registered_on", nullable=False),
        _day("ended_on"),
        _day("last_check_on"),
        sa.Column("last_check_result", sa.String(length=20), nullable=True),
        _day("next_check_due", nullable=False),
        sa.Column("name_enc", sa.Text(), nullable=False),
        sa.Column("details_enc", sa.Text(), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipients")),
    )
    with op.batch_alter_table("recipients") as batch:
        batch.create_index(batch.f("ix_recipients_match_key"), ["match_key"], unique=False)
        batch.create_index(batch.f("ix_recipients_status"), ["status"], unique=False)
        batch.create_index(
            batch.f("ix_recipients_next_check_due"), ["next_check_due"], unique=False
        )
    op.create_table(
        "recipient_checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _day("checked_on", nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        _day("next_due", nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("notes_enc", sa.Text(), nullable=True),
        sa.Column("actions_enc", sa.Text(), nullable=True),
        _moment("created_at"),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_recipient_checks_recipient_id_recipients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_checks")),
    )
    with op.batch_alter_table("recipient_checks") as batch:
        batch.create_index(
            batch.f("ix_recipient_checks_recipient_id"), ["recipient_id"], unique=False
        )
        batch.create_index(batch.f("ix_recipient_checks_checked_on"), ["checked_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recipient_checks") as batch:
        batch.drop_index(batch.f("ix_recipient_checks_checked_on"))
        batch.drop_index(batch.f("ix_recipient_checks_recipient_id"))
    op.drop_table("recipient_checks")
    with op.batch_alter_table("recipients") as batch:
        batch.drop_index(batch.f("ix_recipients_next_check_due"))
        batch.drop_index(batch.f("ix_recipients_status"))
        batch.drop_index(batch.f("ix_recipients_match_key"))
    op.drop_table("recipients")
