"""The Data Rights Protocol: ``drp_agents`` and ``drp_requests``.

Agents keep their verify key and only the SHA-256 of their token; requests keep the envelope,
the verified marks, replay guards (the agent's request id, unique per agent, and the digest of
the signed message) and the encrypted status callback URL with its delivery state. The person's
claims are in ``data_requests``.

Revision ID: 20261201_0009
Revises: 20261201_0008
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0009"
down_revision: str | None = "20261201_0008"
branch_labels: str | None = None
depends_on: str | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "drp_agents",
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("verify_key", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        _moment("registered_at"),
        _moment("token_issued_at"),
        _moment("last_registration_issued_at"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_drp_agents")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_drp_agents_token_sha256")),
    )
    op.create_table(
        "drp_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("data_request_id", sa.String(length=32), nullable=True),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("agent_request_id", sa.String(length=200), nullable=True),
        sa.Column("message_sha256", sa.String(length=64), nullable=False),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("regime", sa.String(length=32), nullable=True),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("phone_verified", sa.Boolean(), nullable=False),
        sa.Column("address_verified", sa.Boolean(), nullable=False),
        _moment("issued_at"),
        _moment("expires_at"),
        _moment("received_at"),
        sa.Column("denial", sa.String(length=40), nullable=True),
        _moment("revoked_at", nullable=True),
        sa.Column("status_callback_enc", sa.Text(), nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("notified_state", sa.String(length=30), nullable=True),
        sa.Column("notified_status", sa.String(length=64), nullable=True),
        _moment("callback_due_at", nullable=True),
        sa.Column("callback_attempts", sa.Integer(), nullable=False),
        _moment("callback_last_at", nullable=True),
        sa.Column("callback_last_error", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["drp_agents.agent_id"], name=op.f("fk_drp_requests_agent_id_drp_agents")
        ),
        sa.ForeignKeyConstraint(
            ["data_request_id"],
            ["data_requests.id"],
            name=op.f("fk_drp_requests_data_request_id_data_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drp_requests")),
        sa.UniqueConstraint("agent_id", "agent_request_id", name=op.f("uq_drp_requests_agent_id")),
        sa.UniqueConstraint("data_request_id", name=op.f("uq_drp_requests_data_request_id")),
        sa.UniqueConstraint("message_sha256", name=op.f("uq_drp_requests_message_sha256")),
    )
    with op.batch_alter_table("drp_requests", schema=None) as batch_op:
        for column in ("agent_id", "callback_due_at"):
            batch_op.create_index(batch_op.f(f"ix_drp_requests_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drp_requests", schema=None) as batch_op:
        for column in ("callback_due_at", "agent_id"):
            batch_op.drop_index(batch_op.f(f"ix_drp_requests_{column}"))
    op.drop_table("drp_requests")
    op.drop_table("drp_agents")
