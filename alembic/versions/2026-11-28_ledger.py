"""The ledger: append-only entries, Merkle leaves and nodes, signed checkpoints.

Revision ID: 0001_ledger
Revises:
Create Date: 2026-11-28

Reviewed by hand. Triggers make entries, leaves, nodes and checkpoints append-only on both databases:
UPDATE and DELETE (and TRUNCATE on PostgreSQL) are refused. Heads and stream heads are caches that the
integrator and appends move; verification checks them against the entries.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0001_ledger"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("ledger_entries", "ledger_leaves", "ledger_nodes", "ledger_checkpoints")
Instant = sa.DateTime(timezone=True)
Hash = sa.LargeBinary(length=32)


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("stream_seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", Instant, nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.Column("prev_hash", Hash, nullable=True),
        sa.Column("entry_hash", Hash, nullable=False),
        sa.Column("canonical", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint(
            "agency_id", "stream", "stream_seq", name=op.f("uq_ledger_entries_agency_id_stream_stream_seq")
        ),
    )
    op.create_index(op.f("ix_ledger_entries_type"), "ledger_entries", ["type"])
    op.create_index(op.f("ix_ledger_entries_entry_hash"), "ledger_entries", ["entry_hash"])
    op.create_table(
        "ledger_streams",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("head_hash", Hash, nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "stream", name=op.f("pk_ledger_streams")),
    )
    op.create_table(
        "ledger_pending",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_pending")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_ledger_pending_entry_id")),
    )
    op.create_index("ix_ledger_pending_agency_seq", "ledger_pending", ["agency_id", "seq"])
    op.create_table(
        "ledger_leaves",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("leaf_hash", Hash, nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "index", name=op.f("pk_ledger_leaves")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_ledger_leaves_entry_id")),
    )
    op.create_table(
        "ledger_nodes",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", Hash, nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "level", "index", name=op.f("pk_ledger_nodes")),
    )
    op.create_table(
        "ledger_heads",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("agency_code", sa.String(length=50), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", Hash, nullable=False),
        sa.Column("integrated_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_ledger_heads")),
        sa.UniqueConstraint("agency_code", name=op.f("uq_ledger_heads_agency_code")),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", Hash, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "size", name=op.f("pk_ledger_checkpoints")),
    )
    _create_append_only_triggers()


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
            )
    else:
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only: {action} refused'); END"
                )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION ledger_refuse_change()")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_heads")
    op.drop_table("ledger_nodes")
    op.drop_table("ledger_leaves")
    op.drop_index("ix_ledger_pending_agency_seq", table_name="ledger_pending")
    op.drop_table("ledger_pending")
    op.drop_table("ledger_streams")
    op.drop_index(op.f("ix_ledger_entries_entry_hash"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_type"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
