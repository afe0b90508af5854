"""Token versions per user, and the addresses each user has signed in from (issue 17).

``users.token_version`` is a fold of the user's ledger stream: one for every entry that ends the sessions it
finds (a password set, disabled, enabled, roles changed — and from now on, signed out everywhere). The upgrade
computes it from the entries already recorded, so that replay and the live table agree at once.

``login_known_addresses`` is operational state, like ``login_throttle``, and never enters the ledger: an
address from which a user has signed in with the right password is not held back by a lock of their account
that strangers caused (service/auth/throttle.py).

Revision ID: 0014_auth_hardening
Revises: 0013_idempotency_keys
Create Date: 2026-12-02

Reviewed by hand. Another migration 0011 is being written beside this one; whoever merges second re-chains.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014_auth_hardening"
down_revision: str | None = "0013_idempotency_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The entry types that moved a user's token version when this migration was written (service/auth/users.py).
_ENDING_SESSIONS = (
    "agency:user:password_set",
    "agency:user:disabled",
    "agency:user:enabled",
    "agency:user:roles_changed",
)
_ENTRIES = sa.table("ledger_entries", sa.column("stream", sa.String()), sa.column("type", sa.String()))
_USERS = sa.table("users", sa.column("id", sa.Uuid()), sa.column("token_version", sa.Integer()))


def upgrade() -> None:
    op.add_column("users", sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False))
    bind = op.get_bind()
    counts = bind.execute(
        sa.select(_ENTRIES.c.stream, sa.func.count())
        .where(_ENTRIES.c.type.in_(_ENDING_SESSIONS), _ENTRIES.c.stream.like("user:%"))
        .group_by(_ENTRIES.c.stream)
    ).all()
    for stream, count in counts:
        bind.execute(
            sa.update(_USERS).where(_USERS.c.id == uuid.UUID(stream.removeprefix("user:"))).values(token_version=count)
        )
    op.create_table(
        "login_known_addresses",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_login_known_addresses_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "address", name=op.f("pk_login_known_addresses")),
    )


def downgrade() -> None:
    op.drop_table("login_known_addresses")
    op.drop_column("users", "token_version")
