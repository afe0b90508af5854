"""Issued documents name the record they print: an inquiry or inspection record of which a case holds several.

Revision ID: 0023_documents_more
Revises: 0017_legal_additions
Create Date: 2026-12-02

Reviewed by hand. A nullable column on a projected table: documents of other kinds print no single record, and the
rows of documents issued before are replayed from their entries (which named none) as they were.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0023_documents_more"
down_revision: str | None = "0017_legal_additions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issued_documents") as batch:
        batch.add_column(sa.Column("record_seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_documents") as batch:
        batch.drop_column("record_seq")
