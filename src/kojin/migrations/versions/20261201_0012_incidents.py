"""The incident register: ``incidents``, ``incident_events``, ``incident_ledger_rows``,
``incident_people`` and ``incident_reminders`` (APPI Art. 26; MNA Art. 29-4; R-BR-0..8).

Staff's text and the affected people's names and addresses are encrypted (``*_enc``); the
facts the law layer classifies on and the assessment's outcome and clocks are plain columns.

Revision ID: 20261201_0012
Revises: 20261201_0011
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0012"
down_revision: str | None = "20261201_0011"
branch_labels: str | None = None
depends_on: str | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _flag(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _day(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Date(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("certainty", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        _day("occurred_on"),
        _day("known_on"),
        _day("entruster_notified_on"),
        _day("entrustee_notice_received_on"),
        _flag("special_care"),
        _flag("property_damage_risk"),
        _flag("wrongful_purpose"),
        _flag("acquisition_stage"),
        _flag("my_number"),
        _flag("number_systems"),
        _flag("unspecified_exposure"),
        _flag("encrypted"),
        _flag("retrieved_unseen"),
        _flag("intact_copy_exists"),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("persons_upper", sa.Integer(), nullable=True),
        sa.Column("title_enc", sa.Text(), nullable=False),
        sa.Column("details_enc", sa.Text(), nullable=False),
        _flag("must_report"),
        _flag("reportable_appi"),
        _flag("reportable_mn"),
        _flag("opens_article_35_5"),
        _day("preliminary_by"),
        _day("final_due"),
        _day("preliminary_reported_on"),
        _day("final_reported_on"),
        _day("people_notified_on"),
        _day("published_on"),
        _day("closed_on"),
        _moment("created_at"),
        _moment("updated_at"),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("reference", name=op.f("uq_incidents_reference")),
    )
    with op.batch_alter_table("incidents") as batch:
        batch.create_index(batch.f("ix_incidents_status"), ["status"], unique=False)
        batch.create_index(batch.f("ix_incidents_must_report"), ["must_report"], unique=False)
    op.create_table(
        "incident_ledger_rows",
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("ledger_entry_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_ledger_rows_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_incident_ledger_rows_ledger_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint(
            "incident_id", "ledger_entry_id", name=op.f("pk_incident_ledger_rows")
        ),
    )
    with op.batch_alter_table("incident_ledger_rows") as batch:
        batch.create_index(
            batch.f("ix_incident_ledger_rows_ledger_entry_id"), ["ledger_entry_id"], unique=False
        )
    op.create_table(
        "incident_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _moment("at"),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_events_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    with op.batch_alter_table("incident_events") as batch:
        batch.create_index(batch.f("ix_incident_events_incident_id"), ["incident_id"], unique=False)
    op.create_table(
        "incident_people",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name_enc", sa.Text(), nullable=False),
        sa.Column("email_enc", sa.Text(), nullable=True),
        sa.Column("postal_address_enc", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=True),
        _moment("notified_at", nullable=True),
        sa.Column("method", sa.String(length=10), nullable=True),
        _flag("unreachable"),
        _moment("created_at"),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_people_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_incident_people_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_people")),
    )
    with op.batch_alter_table("incident_people") as batch:
        batch.create_index(batch.f("ix_incident_people_incident_id"), ["incident_id"], unique=False)
    op.create_table(
        "incident_reminders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _moment("sent_at"),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reminders_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reminders")),
        sa.UniqueConstraint(
            "incident_id", "stage", "day", name=op.f("uq_incident_reminders_incident_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("incident_reminders")
    with op.batch_alter_table("incident_people") as batch:
        batch.drop_index(batch.f("ix_incident_people_incident_id"))
    op.drop_table("incident_people")
    with op.batch_alter_table("incident_events") as batch:
        batch.drop_index(batch.f("ix_incident_events_incident_id"))
    op.drop_table("incident_events")
    with op.batch_alter_table("incident_ledger_rows") as batch:
        batch.drop_index(batch.f("ix_incident_ledger_rows_ledger_entry_id"))
    op.drop_table("incident_ledger_rows")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_index(batch.f("ix_incidents_must_report"))
        batch.drop_index(batch.f("ix_incidents_status"))
    op.drop_table("incidents")
