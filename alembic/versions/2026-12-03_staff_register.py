"""The staff register (工作人员名册): every person of the agency's staff, with or without a user account, so that
trainings and exams can name auxiliary and administrative staff who never sign in.

Revision ID: 0025_staff_register
Revises: 0024_case_row_summary
Create Date: 2026-12-03

Reviewed by hand. A new table projected from ``staff:member:*`` entries; no existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0025_staff_register"
down_revision: str | None = "0024_case_row_summary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("employment", sa.String(length=30), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("updated_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_staff_members_agency_id_agencies")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_staff_members_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
        sa.UniqueConstraint("user_id", name=op.f("uq_staff_members_user_id")),
    )
    op.create_index(op.f("ix_staff_members_agency_id"), "staff_members", ["agency_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_members_agency_id"), table_name="staff_members")
    op.drop_table("staff_members")
