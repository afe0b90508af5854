"""The primary keys of the stored tree carry their hashes, so that a proof reads index pages only.

A proof at a million entries looks up about twenty nodes, one per level, each on its own index page and its
own table page. With the hash in the key's index (PostgreSQL ``INCLUDE``), the lookups are index-only scans:
half the pages, which matters when they are not cached (bench/README.md has the figures). SQLite keeps its
plain keys (it has no INCLUDE; its proofs are already under a millisecond).

Revision ID: 0008_ledger_covering_keys
Revises: 0007_policy_versions
Create Date: 2026-11-28

Reviewed by hand.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_ledger_covering_keys"
down_revision: str | None = "0007_policy_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, primary key, key columns, the hash it carries)
KEYS = (
    ("ledger_nodes", "pk_ledger_nodes", 'agency_id, level, "index"', "hash"),
    ("ledger_leaves", "pk_ledger_leaves", 'agency_id, "index"', "leaf_hash"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, name, columns, carried in KEYS:
        op.execute(
            f"ALTER TABLE {table} DROP CONSTRAINT {name}, "
            f"ADD CONSTRAINT {name} PRIMARY KEY ({columns}) INCLUDE ({carried})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, name, columns, _ in KEYS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} PRIMARY KEY ({columns})")
