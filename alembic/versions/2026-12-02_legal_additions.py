"""The agency's principal head (主要负责人), designated by an entry.

Revision ID: 0017_legal_additions
Revises: 0014_auth_hardening
Create Date: 2026-12-02

Reviewed by hand. A nullable column: an agency without a designated principal head approves no departure from
the discretion standard by a head alone (重庆市规范行政处罚裁量权办法 第十九条); collective discussion remains.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017_legal_additions"
down_revision: str | None = "0014_auth_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("principal_head_user_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("principal_head_user_id")
