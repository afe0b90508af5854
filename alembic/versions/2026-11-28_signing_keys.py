"""Registered public signing keys of reviewers and heads (a projection of the ledger).

Revision ID: 0005_signing_keys
Revises: 0004_cases
Create Date: 2026-11-28

Reviewed by hand. Only public keys are stored; private keys never reach the server.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005_signing_keys"
down_revision: str | None = "0004_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_signing_keys_agency_id_agencies")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_signing_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_signing_keys_key_id")),
    )
    op.create_index(op.f("ix_signing_keys_agency_id"), "signing_keys", ["agency_id"])
    op.create_index(op.f("ix_signing_keys_user_id"), "signing_keys", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_signing_keys_user_id"), table_name="signing_keys")
    op.drop_index(op.f("ix_signing_keys_agency_id"), table_name="signing_keys")

    op.drop_table("signing_keys")
