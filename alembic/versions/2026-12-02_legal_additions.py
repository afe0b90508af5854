"""The agency's principal head (主要负责人), designated by an entry; reviewers' scores of case files (案卷评查).

Revision ID: 0017_legal_additions
Revises: 0016_console_sessions
Create Date: 2026-12-02

Reviewed by hand. A nullable column: an agency without a designated principal head approves no departure from
the discretion standard by a head alone (重庆市规范行政处罚裁量权办法 第十九条); collective discussion remains.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017_legal_additions"
down_revision: str | None = "0016_console_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("principal_head_user_id", sa.Uuid(), nullable=True))
    op.create_table(
        "file_review_scores",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("deductions", sa.JSON(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_file_review_scores_agency_id_agencies")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_file_review_scores_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "round", "reviewer", name=op.f("pk_file_review_scores")),
    )
    op.create_index(op.f("ix_file_review_scores_agency_id"), "file_review_scores", ["agency_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_file_review_scores_agency_id"), table_name="file_review_scores")
    op.drop_table("file_review_scores")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("principal_head_user_id")
