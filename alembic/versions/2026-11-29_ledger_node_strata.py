"""The Merkle tree in strata: only levels 4, 8, 12, … of the interior nodes are kept.

Until now every complete subtree's hash was stored (one node row per entry: 169 MB of primary key at a million
entries, half of it empty, and one index page per level on a proof's path). From now on the integrator keeps
the bottom row of each stratum of four levels, and the nodes in between are folded from at most eight stored
hashes when a proof needs them (service/ledger/nodes.py). The nodes no longer kept are derived data, checked by
verification against the entries and never evidence themselves: this migration deletes them (the append-only
trigger is set aside for that one statement) and, on PostgreSQL, rewrites the table to give the space back (in
1.4 s at a million entries here); the downgrade recomputes them from the leaves (15 s at a million).

Revision ID: 0010_ledger_node_strata
Revises: 0009_ledger_entry_hash_index
Create Date: 2026-11-29

Reviewed by hand.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010_ledger_node_strata"
down_revision: str | None = "0009_ledger_entry_hash_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRATUM = 4  # service/ledger/nodes.py; fixed here as it was when this migration was written
_NOT_KEPT = f"level % {STRATUM} <> 0"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ledger_nodes DISABLE TRIGGER ledger_nodes_append_only")
        op.execute(f"DELETE FROM ledger_nodes WHERE {_NOT_KEPT}")  # noqa: S608 (constant text)
        op.execute("ALTER TABLE ledger_nodes ENABLE TRIGGER ledger_nodes_append_only")
        # Give back the deleted rows' pages (the table's and its key's: 96 and 164 MB at a million entries, 6
        # and 11 MB after), which only a rewrite outside the transaction can: the deletion is committed first.
        with op.get_context().autocommit_block():
            op.execute("VACUUM FULL ledger_nodes")
    else:
        op.execute("DROP TRIGGER ledger_nodes_no_delete")
        op.execute(f"DELETE FROM ledger_nodes WHERE {_NOT_KEPT}")  # noqa: S608 (constant text)
        op.execute(
            "CREATE TRIGGER ledger_nodes_no_delete BEFORE DELETE ON ledger_nodes "
            "BEGIN SELECT RAISE(ABORT, 'ledger table ledger_nodes is append-only: DELETE refused'); END"
        )


_NODES = sa.table(
    "ledger_nodes",
    sa.column("agency_id", sa.Uuid()),
    sa.column("level", sa.Integer()),
    sa.column("index", sa.BigInteger()),
    sa.column("hash", sa.LargeBinary()),
)
_LEAVES = sa.table("ledger_leaves", sa.column("agency_id", sa.Uuid()), sa.column("index"), sa.column("leaf_hash"))


def downgrade() -> None:
    """Store again every complete subtree's hash of the levels that were not kept, from the leaves."""
    bind = op.get_bind()
    for (agency_id,) in bind.execute(sa.select(_LEAVES.c.agency_id).distinct()).all():
        level_hashes = [
            bytes(value)
            for (value,) in bind.execute(
                sa.select(_LEAVES.c.leaf_hash).where(_LEAVES.c.agency_id == agency_id).order_by(_LEAVES.c.index)
            )
        ]
        level = 0
        while len(level_hashes) > 1:
            # RFC 9162 §2.1.1: an interior node is SHA-256(0x01 || left || right); only complete subtrees are kept.
            # Written out, not imported from service/: a migration must not change when the service's code does.
            level_hashes = [
                hashlib.sha256(b"\x01" + level_hashes[i] + level_hashes[i + 1]).digest()
                for i in range(0, len(level_hashes) - 1, 2)
            ]
            level += 1
            if level % STRATUM:
                rows = [
                    {"agency_id": agency_id, "level": level, "index": index, "hash": value}
                    for index, value in enumerate(level_hashes)
                ]
                for start in range(0, len(rows), 10_000):
                    bind.execute(sa.insert(_NODES), rows[start : start + 10_000])
