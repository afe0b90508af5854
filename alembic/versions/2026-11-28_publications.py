"""Published decisions (公示) and their withdrawal (a projection of the ledger).

Revision ID: 0006_publications
Revises: 0005_signing_keys
Create Date: 2026-11-28

Reviewed by hand.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006_publications"
down_revision: str | None = "0005_signing_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_publications_agency_id_agencies")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_publications_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_publications")),
    )
    op.create_index(op.f("ix_publications_agency_id"), "publications", ["agency_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_publications_agency_id"), table_name="publications")

    op.drop_table("publications")
