"""Entries are found by their hash through a hash index on PostgreSQL.

An entry's hash is looked up by equality only (``GET …/ledger/proof/entry``, naming a problem in ``verify``).
A B-tree over SHA-256 values puts each new entry on a random page of an index that grows with the ledger; a
hash index holds a 4-byte code per entry instead of the 32-byte key, so it is about half the size (32 MB
against 56 MB at a million entries) and each append dirties, and after a checkpoint logs in full, a page of a
smaller set: ~40 % less write-ahead log per append right after a checkpoint at that size (bench/README.md).
Hash indexes are WAL-logged and crash-safe since PostgreSQL 10. SQLite keeps its B-tree.

Revision ID: 0009_ledger_entry_hash_index
Revises: 0008_ledger_covering_keys
Create Date: 2026-11-28

Reviewed by hand.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_ledger_entry_hash_index"
down_revision: str | None = "0008_ledger_covering_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_ledger_entries_entry_hash"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="ledger_entries")
    op.create_index(INDEX, "ledger_entries", ["entry_hash"], postgresql_using="hash")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="ledger_entries")
    op.create_index(INDEX, "ledger_entries", ["entry_hash"])
