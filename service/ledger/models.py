"""Ledger tables.

``ledger_entries``, ``ledger_leaves``, ``ledger_nodes`` and ``ledger_checkpoints`` are append-only: database
triggers (created by a migration) refuse UPDATE and DELETE on them. ``ledger_streams`` and ``ledger_heads``
are caches of the chain heads and of the tree size, checked by verification; ``ledger_pending`` is the queue
of committed entries the integrator has not yet placed in the Merkle log.

The ledger does not reference the current-state tables (no foreign keys to them): it is their source.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, PrimaryKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base

# SQLite only auto-increments an INTEGER PRIMARY KEY.
AutoIncrementId = BigInteger().with_variant(Integer(), "sqlite")

APPEND_ONLY_TABLES = ("ledger_entries", "ledger_leaves", "ledger_nodes", "ledger_checkpoints")


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("agency_id", "stream", "stream_seq"),
        # Looked up by equality only: on PostgreSQL a hash index, half a B-tree's size (migration 0009).
        Index("ix_ledger_entries_entry_hash", "entry_hash", postgresql_using="hash"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID]
    stream: Mapped[str] = mapped_column(String(200))
    stream_seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(100), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    prev_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # SHA-256(0x00 || canonical): the entry's own hash, which is also its Merkle leaf hash.
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    canonical: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerStream(Base):
    """Head of one stream's hash chain. Its row is the per-stream lock an append takes."""

    __tablename__ = "ledger_streams"

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    stream: Mapped[str] = mapped_column(String(200), primary_key=True)
    length: Mapped[int]
    head_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerPending(Base):
    """Committed entries waiting for the integrator to give them a log index."""

    __tablename__ = "ledger_pending"
    __table_args__ = (Index("ix_ledger_pending_agency_seq", "agency_id", "seq"),)

    seq: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    agency_id: Mapped[uuid.UUID]
    entry_id: Mapped[uuid.UUID] = mapped_column(unique=True)


class LedgerLeaf(Base):
    """Position of an entry in the agency's Merkle log (0-based, gap-free)."""

    __tablename__ = "ledger_leaves"
    # PostgreSQL: the key's index carries the hash, so a proof's lookups are index-only (migration 0008).
    __table_args__ = (PrimaryKeyConstraint("agency_id", "index", postgresql_include=["leaf_hash"]),)

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerNode(Base):
    """A complete subtree hash: node (level, index) covers leaves [index·2^level, (index+1)·2^level). Only the
    bottom rows of the tree's strata are kept, levels 4, 8, 12, …; the others are folded from them (nodes.py)."""

    __tablename__ = "ledger_nodes"
    __table_args__ = (PrimaryKeyConstraint("agency_id", "level", "index", postgresql_include=["hash"]),)

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerHead(Base):
    """The integrator's state for one agency; its row is the lock that serialises integration."""

    __tablename__ = "ledger_heads"

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(50), unique=True)
    origin: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    integrated_at: Mapped[datetime]


class LedgerCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) of the agency's log at ``size``."""

    __tablename__ = "ledger_checkpoints"

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime]
