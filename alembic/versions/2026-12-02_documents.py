"""Issued enforcement documents (执法文书), projected from case:document:issued entries (service/documents/).

Revision ID: 0015_documents
Revises: 0014_auth_hardening
Create Date: 2026-12-02

Reviewed by hand. Projected state: replay rebuilds it from the ledger.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015_documents"
down_revision: str | None = "0014_auth_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_documents",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_issued_documents_agency_id_agencies")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_issued_documents_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_issued_documents_number")),
    )
    op.create_index(op.f("ix_issued_documents_case_id"), "issued_documents", ["case_id"], unique=False)
    op.create_index("ix_issued_documents_agency_sha256", "issued_documents", ["agency_id", "sha256"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_issued_documents_agency_sha256", table_name="issued_documents")
    op.drop_index(op.f("ix_issued_documents_case_id"), table_name="issued_documents")
    op.drop_table("issued_documents")
