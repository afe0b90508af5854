"""State Council holiday notices loaded into an agency's ledger (a projection of its ``calendar`` stream).

Revision ID: 0011_calendar_notices
Revises: 0010_ledger_node_strata
Create Date: 2026-12-02

Reviewed by hand.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011_calendar_notices"
down_revision: str | None = "0010_ledger_node_strata"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_notices",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_calendar_notices_agency_id_agencies")),
        sa.PrimaryKeyConstraint("agency_id", "year", name=op.f("pk_calendar_notices")),
    )


def downgrade() -> None:
    op.drop_table("calendar_notices")
