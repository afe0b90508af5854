"""A published decision changed on reconsideration or by a court is republished as changed (行政处罚法 第四十八条
第二款): the publication keeps its original content and gains the changed one, when and why.

Revision ID: 0026_publication_changes
Revises: 0025_staff_register
Create Date: 2026-12-03

Reviewed by hand. The three columns are projected from ``case:publication:changed`` entries; no existing ledger
has one, so existing rows get NULL, as the replay gives them.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0026_publication_changes"
down_revision: str | None = "0025_staff_register"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("changed_content", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("change_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("change_reason")
        batch.drop_column("changed_at")
        batch.drop_column("changed_content")
