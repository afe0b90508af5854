"""The policy file versions in force per agency (a projection of the ledger's ``policies`` stream).

Revision ID: 0007_policy_versions
Revises: 0006_publications
Create Date: 2026-11-28

Reviewed by hand.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007_policy_versions"
down_revision: str | None = "0006_publications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_policy_versions_agency_id_agencies")),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_policy_versions")),
    )


def downgrade() -> None:
    op.drop_table("policy_versions")
