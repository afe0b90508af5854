"""Catalogue versions and items; officers, certificates with their history, training records.

Revision ID: 0003_catalogue_officers
Revises: 0002_agencies_users
Create Date: 2026-11-28

Reviewed by hand. All these tables are projections of the ledger (replayed and compared by verify).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

Instant = sa.DateTime(timezone=True)


revision: str = "0003_catalogue_officers"
down_revision: str | None = "0002_agencies_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_items",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name_zh", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "version", "code", name=op.f("pk_catalogue_items")),
    )
    op.create_table(
        "catalogue_versions",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("loaded_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_catalogue_versions_agency_id_agencies")),
        sa.PrimaryKeyConstraint("agency_id", "version", name=op.f("pk_catalogue_versions")),
    )
    op.create_table(
        "training_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_training_records_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
    )
    op.create_index(op.f("ix_training_records_agency_id"), "training_records", ["agency_id"])

    op.create_table(
        "officers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("legal_qualification_number", sa.String(length=100), nullable=True),
        sa.Column("legal_qualification_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("updated_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_officers_agency_id_agencies")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_officers_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("user_id", name=op.f("uq_officers_user_id")),
    )
    op.create_index(op.f("ix_officers_agency_id"), "officers", ["agency_id"])

    op.create_table(
        "certificates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("scope_items", sa.JSON(), nullable=False),
        sa.Column("scope_categories", sa.JSON(), nullable=False),
        sa.Column("territory", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("updated_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_certificates_agency_id_agencies")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_certificates_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
    )
    op.create_index(op.f("ix_certificates_agency_id"), "certificates", ["agency_id"])
    op.create_index(op.f("ix_certificates_officer_id"), "certificates", ["officer_id"])

    op.create_table(
        "certificate_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_at", Instant, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status_after", sa.String(length=20), nullable=True),
        sa.Column("expires_on_after", sa.Date(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("review_passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_certificate_events_agency_id_agencies")),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["certificates.id"], name=op.f("fk_certificate_events_certificate_id_certificates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_events")),
    )
    op.create_index(op.f("ix_certificate_events_certificate_id"), "certificate_events", ["certificate_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_certificate_events_certificate_id"), table_name="certificate_events")

    op.drop_table("certificate_events")
    op.drop_index(op.f("ix_certificates_officer_id"), table_name="certificates")
    op.drop_index(op.f("ix_certificates_agency_id"), table_name="certificates")

    op.drop_table("certificates")
    op.drop_index(op.f("ix_officers_agency_id"), table_name="officers")

    op.drop_table("officers")
    op.drop_index(op.f("ix_training_records_agency_id"), table_name="training_records")

    op.drop_table("training_records")
    op.drop_table("catalogue_versions")
    op.drop_table("catalogue_items")
